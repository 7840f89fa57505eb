"""The shipped HTTPS site (config/deploy/nginx-qhall-https.conf) in front of a live qhall:
plain HTTP is sent on to HTTPS, answers carry HSTS, and signing in over HTTPS sets a
session cookie that is Secure, because qhall believes nginx's X-Forwarded-Proto."""

from __future__ import annotations

import http.client
import json
import shutil
import ssl
import subprocess
import time
from pathlib import Path

import pytest

from tests.servers import PROJECT_ROOT, free_port, running_server
from tests.web.test_proxy import nginx_binary, nginx_conf, site_for_test

HTTPS_CONF = PROJECT_ROOT / "config" / "deploy" / "nginx-qhall-https.conf"


def self_signed(tmp: Path) -> tuple[Path, Path]:
    """Make a certificate for 127.0.0.1 and its key with openssl, or skip without it."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed (apt-get install openssl)")
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def https_nginx_conf(tmp: Path, ports: dict[str, int], qhall_port: int) -> Path:
    """Write a whole nginx configuration around the shipped HTTPS site, pointed at the one
    qhall server, on 127.0.0.1 only, with a test certificate and every file nginx writes
    in tmp."""
    cert, key = self_signed(tmp)
    listens = {"80;": f"{ports['http']};", "443 ssl": f"{ports['https']} ssl"}
    site = site_for_test(HTTPS_CONF, tmp, qhall_port, listens)
    site = site.replace("/etc/qhall/tls/fullchain.pem", str(cert))
    site = site.replace("/etc/qhall/tls/privkey.pem", str(key))
    assert str(cert) in site and str(key) in site
    return nginx_conf(tmp, site)


def https_request(port: int, cert: Path, method: str, path: str, body: dict | None = None):
    """Send a request over HTTPS, checking nginx's certificate; return the answer and its
    body."""
    context = ssl.create_default_context(cafile=str(cert))
    connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=15, context=context)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        connection.request(method, path, json.dumps(body) if body is not None else None, headers)
        answer = connection.getresponse()
        return answer, answer.read()
    finally:
        connection.close()


def wait_for_https(process: subprocess.Popen, port: int, cert: Path, tmp: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"nginx exited: {(tmp / 'error.log').read_text(errors='replace')}")
        try:
            if https_request(port, cert, "GET", "/healthz")[0].status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    pytest.fail("nginx did not answer /healthz over HTTPS in 15 s")


@pytest.mark.live
def test_behind_the_shipped_https_nginx_signing_in_sets_a_secure_cookie(tmp_path):
    nginx = nginx_binary()
    with running_server(tmp_path / "qhall", "--demo", PROXY_HOPS="1") as server:
        ports = {"http": free_port(), "https": free_port()}
        qhall_port = int(server.base_url.rsplit(":", 1)[1])
        conf = https_nginx_conf(tmp_path, ports, qhall_port)
        process = subprocess.Popen(
            [nginx, "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "error.log")],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        cert = tmp_path / "cert.pem"
        try:
            wait_for_https(process, ports["https"], cert, tmp_path)
            answer, _ = https_request(
                ports["https"], cert, "POST", "/api/session",
                {"login": "mzj-1", "password": "qhall-demo"},
            )  # fmt: skip
            assert answer.status == 200
            cookie = answer.getheader("Set-Cookie")
            flags = {part.strip().lower() for part in cookie.split(";")[1:]}
            assert cookie.startswith("session=")
            assert {"secure", "httponly", "samesite=lax"} <= flags
            assert "max-age=" in answer.getheader("Strict-Transport-Security")

            plain = http.client.HTTPConnection("127.0.0.1", ports["http"], timeout=15)
            plain.request("GET", "/admin/?lang=en")
            redirect = plain.getresponse()
            plain.close()
            assert redirect.status == 301
            assert redirect.getheader("Location") == "https://127.0.0.1/admin/?lang=en"
        finally:
            process.terminate()
            process.wait(timeout=10)
