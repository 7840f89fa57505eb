"""Security headers on every answer, the refusal of cross-site writes, and a session cookie
that is Secure over HTTPS."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface

from qhall.errors import Forbidden

# No inline script anywhere: every script is a file served by qhall. Styles may be inline.
# 'self' covers the same host's ws:// for Socket.IO; a QR code or a clip may be a data: URL.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "media-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(self), microphone=(), geolocation=()"),
)


class SecurityHeaders:
    """WSGI middleware that tells browsers what this site may load and that no other site
    may frame it, on every answer: Socket.IO's (/socket.io/) never pass through Flask's
    after_request, so the headers are added here, around the whole application. A header
    an answer sets itself is kept."""

    def __init__(self, wsgi_app) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        def start_with_headers(status, headers, exc_info=None):
            present = {name.lower() for name, _ in headers}
            headers = list(headers) + [
                (name, value) for name, value in SECURITY_HEADERS if name.lower() not in present
            ]
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start_with_headers)


def refuse_cross_site_writes() -> None:
    """Refuse a state-changing request that a signed-in staff member's browser was made to
    send by another site (CSRF).

    Browsers say where a request comes from (Origin, Sec-Fetch-Site); a page of another
    site may not act with this site's session cookie. The session cookie is also SameSite=Lax,
    and programs that sign in with a bearer token carry no cookie to abuse.
    """
    if request.method in ("GET", "HEAD", "OPTIONS") or "staff_id" not in session:
        return
    if request.headers.get("Authorization", "").startswith("Bearer "):
        return
    fetch_site = request.headers.get("Sec-Fetch-Site")
    origin = request.headers.get("Origin") or request.headers.get("Referer")
    if fetch_site in ("cross-site", "same-site") or (
        origin and urlsplit(origin).netloc != request.host
    ):
        raise Forbidden(
            "请求来源不正确，请在本系统页面中操作。",
            "This request came from another site. Please use qhall's own pages.",
        )


class HallSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, whose cookie is Secure whenever the request came over
    HTTPS, so that a browser never sends it back over plain HTTP, where anyone on the way
    could read it and sign in as its owner. Behind nginx the scheme is nginx's
    X-Forwarded-Proto, believed only when PROXY_HOPS is set (ProxyFix in qhall.app);
    otherwise a client's own header changes nothing. SESSION_COOKIE_SECURE = true still makes
    it Secure always."""

    def get_cookie_secure(self, app) -> bool:
        return super().get_cookie_secure(app) or (has_request_context() and request.is_secure)
