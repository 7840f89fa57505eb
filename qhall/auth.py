"""Staff accounts: argon2 password hashes, sign-in, and bearer tokens for programs."""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
import sys
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from qhall.access import check_role_unit, may_work_at
from qhall.audit import record_change
from qhall.clock import utcnow
from qhall.db import unit_of_work
from qhall.devices import shows_secret
from qhall.errors import BadInput, Busy, NotFound, NotSignedIn, TooManyAttempts
from qhall.events import Outcome
from qhall.inputs import strip_unseen
from qhall.models import ROLES, ApiToken, LoginFailure, Staff, Unit
from qhall.passwords import check_password

# One lane: with argon2's default of four, one hash took every core of a two-core hall
# server and the event loop waited (`qhall bench --abuse`, attack a: /healthz p99 129 ms
# with four lanes and two hashing threads, 36 ms with one lane and one thread). Hashes made
# with more lanes still verify, and are remade with one at the next sign-in.
_hasher = PasswordHasher(parallelism=1)
T = TypeVar("T")

# Hashing a password costs a tenth of a second of CPU or more and 64 MB of memory. It runs in
# a thread beside the server's event loop (argon2 lets go of the GIL while it works), at
# most HASH_THREADS at a time, so that many sign-ins at once slow sign-in and nothing else.
# Beyond HASH_WAITING sign-ins waiting their turn, one more is told the system is busy
# rather than queued: waiting greenlets and their requests would pile up without end.
HASH_THREADS = 1
HASH_WAITING = 16


class HashPool:
    """Threads that hash passwords, a bounded number at a time, with a bounded queue."""

    def __init__(self, threads: int = HASH_THREADS, waiting: int = HASH_WAITING) -> None:
        self.threads = threads
        self.waiting = waiting
        self._pending = 0
        self._lock = threading.Lock()
        self._pool = None

    @property
    def pending(self) -> int:
        """Return how many hashes are running or waiting now."""
        return self._pending

    def run(self, work: Callable[..., T], *args: object) -> T:
        """Return work(*args), computed in one of the pool's threads; raise Busy when too
        many are waiting already."""
        with self._lock:
            if self._pending >= self.threads + self.waiting:
                raise Busy(
                    "登录的人太多，请稍后再试，谢谢您的耐心。",
                    "Too many people are signing in. Please try again in a moment.",
                )
            self._pending += 1
        try:
            return self._apply(work, args)
        finally:
            with self._lock:
                self._pending -= 1

    def _apply(self, work: Callable[..., T], args: tuple) -> T:
        # Under gevent (`qhall serve`), threading is patched: a ThreadPoolExecutor's
        # "threads" would be greenlets and hash on the event loop. gevent's own pool runs
        # real threads and lets the waiting greenlet yield. Decided at the first use, in
        # the process that serves (gunicorn patches before it loads qhall).
        if self._pool is None:
            with self._lock:
                if self._pool is None:
                    self._pool = _make_pool(self.threads)
        if isinstance(self._pool, ThreadPoolExecutor):
            return self._pool.submit(work, *args).result()
        return self._pool.apply(work, args)


def _make_pool(threads: int):
    if _gevent_patched():
        from gevent.threadpool import ThreadPool

        return ThreadPool(threads)
    return ThreadPoolExecutor(max_workers=threads, thread_name_prefix="qhall-hash")


def _gevent_patched() -> bool:
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and monkey.is_module_patched("threading")


hash_pool = HashPool()


@functools.cache
def _no_such_user() -> str:
    """Return a hash to verify against when the login is unknown, so that a wrong login
    takes as long as a wrong password and reveals nothing. Made on first use, not at
    import: hashing costs tens of milliseconds that no command or test should pay for nothing."""
    return hash_pool.run(_hasher.hash, secrets.token_hex(8))


def hash_password(password: str) -> str:
    """Return the argon2 hash to store for a password."""
    return hash_pool.run(_hasher.hash, password)


def authenticate(login: str, password: str) -> Staff | None:
    """Return the active staff member with this login and password, or None."""
    staff = Staff.get_or_none(Staff.login == login)
    try:
        hash_pool.run(_hasher.verify, staff.password_hash if staff else _no_such_user(), password)
    except (VerificationError, InvalidHashError):
        return None
    if staff is None or not staff.active:
        return None
    if _hasher.check_needs_rehash(staff.password_hash):
        fresh = hash_pool.run(_hasher.hash, password)
        with unit_of_work():
            Staff.update(password_hash=fresh).where(Staff.id == staff.id).execute()
    return staff


# After MAX_FAILURES wrong passwords for one login from one client, that login waits
# there; after MAX_FAILURES_PER_CLIENT wrong tries from one client, whatever the logins,
# every sign-in from it waits: a guesser who changes the login each time is slowed too.
MAX_FAILURES = 5
MAX_FAILURES_PER_CLIENT = 20
FAILURE_WINDOW = timedelta(minutes=15)
# An address is at most 45 characters (IPv6 with an IPv4 tail); anything longer is not one.
CLIENT_CHARS = 64


def login_key(login: str, secret: str | bytes) -> str:
    """Return what a failed sign-in keeps of its login: a keyed hash, 32 hex digits.

    Never the login itself: people type their password into the login box by mistake,
    and a stranger may send megabytes of it. Keyed with the instance's secret, so that
    the database alone does not let anyone test guesses at what was typed."""
    key = secret.encode() if isinstance(secret, str) else secret
    digest = hmac.new(key, login.encode("utf-8", "replace"), hashlib.sha256)
    return digest.hexdigest()[:32]


def sign_in(login: str, password: str, *, client: str, now: datetime, secret: str | bytes) -> Staff:
    """Return the staff member whose login and password these are, slowing down guessing:
    after MAX_FAILURES wrong tries from one client, that login is refused there for a while,
    and after MAX_FAILURES_PER_CLIENT wrong tries from one client, any login is."""
    key = login_key(login, secret)
    client = client[:CLIENT_CHARS]
    # No request key: a stored answer replayed for a key would sign in without a password.
    with unit_of_work():
        recent = LoginFailure.select().where(
            LoginFailure.client == client, LoginFailure.at > now - FAILURE_WINDOW
        )
        if (
            recent.where(LoginFailure.login == key).count() >= MAX_FAILURES
            or recent.count() >= MAX_FAILURES_PER_CLIENT
        ):
            raise TooManyAttempts()
        # Counted as a failure before the password is checked, and forgotten if it was
        # right: guesses sent all at once cannot each pass the count before any is recorded.
        attempt = LoginFailure.create(login=key, client=client, at=now)
    try:
        staff = authenticate(login, password)
    except Busy:  # not checked at all: not a wrong password either
        with unit_of_work():
            LoginFailure.delete().where(LoginFailure.id == attempt.id).execute()
        raise
    if staff is None:
        raise NotSignedIn(
            "登录名或密码不正确，请重试。",
            "The login or password is not correct. Please try again.",
        )
    with unit_of_work():
        LoginFailure.delete().where(
            LoginFailure.login == key, LoginFailure.client == client
        ).execute()
    return staff


def forget_old_failures(now: datetime) -> Outcome:
    """Delete the failed sign-ins older than the throttle's window: they slow no one down
    any more. Returns how many went (the routine runs this)."""
    with unit_of_work():
        gone = LoginFailure.delete().where(LoginFailure.at <= now - FAILURE_WINDOW).execute()
    return Outcome(result={"login_failures": gone})


def add_staff(
    login: str,
    password: str,
    *,
    role: str = "staff",
    name: str | None = None,
    employee_no: str = "",
    unit_code: str | None = None,
    demo_password: bool = False,
) -> Staff:
    """Create a staff account, or reset its password and role if the login exists (which
    ends its sessions and tokens). demo_password: the demo bureau's published password,
    exempt from the policy that every real account's password meets."""
    if role not in ROLES:
        raise BadInput("角色无效。", "Unknown role.", allowed=list(ROLES))
    if not login or not password:
        raise BadInput("登录名和密码不能为空。", "Login and password are required.")
    unit = None
    if unit_code:
        unit = Unit.get_or_none(Unit.code == unit_code)
        if unit is None:
            raise NotFound("没有找到该单位。", "No such unit.", unit=unit_code)
    check_role_unit(role, unit)
    if not demo_password:
        check_password(password, login)
    fields = {"name": name or login, "employee_no": employee_no, "role": role, "unit": unit}
    password_hash = hash_password(password)
    with unit_of_work():
        staff = Staff.get_or_none(Staff.login == login)
        before = {"role": staff.role, "unit": staff.unit_id} if staff else None
        if staff is None:
            staff = Staff.create(login=login, password_hash=password_hash, active=True, **fields)
        else:
            for field, value in fields.items():
                setattr(staff, field, value)
            staff.password_hash, staff.active = password_hash, True
            end_everything(staff)
            staff.save()
        # From the command line (or a bureau file): no one signed in did it.
        record_change(staff_id=None, unit_id=staff.unit_id,
                      action="staff.create" if before is None else "staff.password",
                      target=login, before=before, now=utcnow(),
                      after={"role": role, "unit": staff.unit_id, "password": "（已重设）"})  # fmt: skip
    return staff


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# A bearer token lives this long unless given another life when it is issued: a script
# that still runs after its author left the hall stops by itself.
TOKEN_DAYS = 90


def set_password(staff: Staff, password: str) -> None:
    """Give an account a new password (checked against the policy) and end what the old one
    opened: every session and every bearer token of the account. The caller saves staff."""
    check_password(password, staff.login)
    staff.password_hash = hash_password(password)
    end_everything(staff)


def end_everything(staff: Staff) -> None:
    """End every session of an account (its cookies carry the old version) and revoke its
    bearer tokens, which a reactivation does not bring back. The caller saves staff."""
    staff.session_version = (staff.session_version or 0) + 1
    if staff.id is not None:
        ApiToken.update(revoked_at=utcnow()).where(
            ApiToken.staff == staff.id, ApiToken.revoked_at.is_null()
        ).execute()


def sign_out_everywhere(staff_id: int) -> None:
    """Sign an account out on every device: sign-out ends every session of the account."""
    with unit_of_work():
        Staff.update(session_version=Staff.session_version + 1).where(
            Staff.id == staff_id
        ).execute()


def issue_api_token(login: str, now: datetime, *, name: str = "", days: int = TOKEN_DAYS) -> str:
    """Create a named bearer token for a staff member that expires after days; only its
    hash is stored, and the token is shown once."""
    staff = Staff.get_or_none(Staff.login == login)
    if staff is None:
        raise NotFound("没有该登录名。", "No such login.", login=login)
    if not staff.active:
        raise BadInput("该账号已停用。", "This account is deactivated.", login=login)
    if not 1 <= days <= 366:
        raise BadInput("有效期应为 1 到 366 天。", "A token lives 1 to 366 days.")
    token = secrets.token_urlsafe(32)
    with unit_of_work():
        row = ApiToken.create(
            staff=staff,
            token_hash=_digest(token),
            created_at=now,
            name=strip_unseen(name, one_line=True)[:60],
            expires_at=now + timedelta(days=days),
        )
        _audit_token(staff, row, "token.issue", now)
    return token


def _audit_token(staff: Staff, token: ApiToken, action: str, now: datetime) -> None:
    expires = token.expires_at.isoformat() if token.expires_at else None
    record_change(staff_id=staff.id, unit_id=staff.unit_id, action=action,
                  target=f"{staff.login}/{token.id}", before=None,
                  after={"name": token.name, "expires_at": expires}, now=now)  # fmt: skip


def list_api_tokens(login: str, now: datetime) -> list[dict]:
    """Return an account's tokens as people read them: number, name, dates and state."""
    staff = Staff.get_or_none(Staff.login == login)
    if staff is None:
        raise NotFound("没有该登录名。", "No such login.", login=login)
    tokens = ApiToken.select().where(ApiToken.staff == staff.id).order_by(ApiToken.id)
    return [
        {
            "id": token.id,
            "name": token.name,
            "created_at": token.created_at,
            "expires_at": token.expires_at,
            "state": _token_state(token, now),
        }
        for token in tokens
    ]


def _token_state(token: ApiToken, now: datetime) -> str:
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is None or token.expires_at <= now:
        return "expired"
    return "active"


def revoke_api_token(login: str, token_id: int, now: datetime) -> None:
    """Revoke one of an account's tokens; refused at once from then on."""
    staff = Staff.get_or_none(Staff.login == login)
    token = ApiToken.get_or_none(ApiToken.id == token_id)
    if staff is None or token is None or token.staff_id != staff.id:
        raise NotFound("没有该令牌。", "No such token.", login=login, token=token_id)
    with unit_of_work():
        ApiToken.update(revoked_at=now).where(
            ApiToken.id == token.id, ApiToken.revoked_at.is_null()
        ).execute()
        _audit_token(staff, token, "token.revoke", now)


def staff_for_token(token: str, now: datetime) -> Staff | None:
    """Return the active staff member a live bearer token belongs to, or None: a revoked
    or expired token, or one of a deactivated account, is refused."""
    row = ApiToken.get_or_none(ApiToken.token_hash == _digest(token))
    if row is None or _token_state(row, now) != "active" or not row.staff.active:
        return None
    return row.staff


def session_mark(staff: Staff, now: datetime) -> dict:
    """Return what a session cookie keeps of its sign-in: who, the account's session
    version then, and when, so that staff_for_session can end it."""
    return {"staff_id": staff.id, "version": staff.session_version, "signed_in": now.timestamp()}


def staff_for_session(mark: dict, now: datetime, *, hours: float) -> Staff | None:
    """Return the active staff member a session cookie signs in, or None when the session
    has ended: signed out, the password changed or the account deactivated since (the
    version moved), or older than a working day of hours."""
    staff_id, version, signed_in = (mark.get(k) for k in ("staff_id", "version", "signed_in"))
    if not isinstance(staff_id, int) or not isinstance(signed_in, (int, float)):
        return None
    if now.timestamp() - signed_in > hours * 3600:
        return None
    staff = Staff.get_or_none(Staff.id == staff_id, Staff.active == True)  # noqa: E712
    return staff if staff is not None and staff.session_version == version else None


def staff_signed_in(
    authorization: str, session: dict, now: datetime, *, session_hours: float
) -> Staff | None:
    """Return who a request or a Socket.IO connection is from: the bearer token of a
    program (an Authorization header), else the session cookie of a person, else None."""
    if authorization.startswith("Bearer "):
        return staff_for_token(authorization.removeprefix("Bearer ").strip(), now)
    return staff_for_session(session, now, hours=session_hours)


def ticket_source(
    unit: Unit, *, device_token: str, kiosk_tokens: Iterable[str], staff: Staff | None
) -> str:
    """Return where a ticket request comes from: "kiosk" when it shows the secret of one of
    the hall's registered kiosks, "counter" for staff of the hall, else "mobile" (from
    outside the hall, and limited as such). What the request itself claims is not asked."""
    if any(shows_secret(token, device_token) for token in kiosk_tokens):
        return "kiosk"
    if staff is not None and may_work_at(staff, unit):
        return "counter"
    return "mobile"
