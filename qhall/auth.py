"""Staff accounts: argon2 password hashes, sign-in, and bearer tokens for programs."""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from qhall.access import may_work_at
from qhall.db import unit_of_work
from qhall.errors import BadInput, NotFound, NotSignedIn, TooManyAttempts
from qhall.models import ROLES, ApiToken, LoginFailure, Staff, Unit

_hasher = PasswordHasher()


@functools.cache
def _no_such_user() -> str:
    """Return a hash to verify against when the login is unknown, so that a wrong login
    takes as long as a wrong password and reveals nothing. Made on first use, not at
    import: hashing costs tens of milliseconds that no command or test should pay for nothing."""
    return _hasher.hash(secrets.token_hex(8))


def hash_password(password: str) -> str:
    """Return the argon2 hash to store for a password."""
    return _hasher.hash(password)


def authenticate(login: str, password: str) -> Staff | None:
    """Return the active staff member with this login and password, or None."""
    staff = Staff.get_or_none(Staff.login == login)
    try:
        _hasher.verify(staff.password_hash if staff else _no_such_user(), password)
    except (VerificationError, InvalidHashError):
        return None
    return staff if staff and staff.active else None


# After this many wrong passwords for one login from one client, sign-in waits.
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)


def sign_in(login: str, password: str, *, client: str, now: datetime) -> Staff:
    """Return the staff member whose login and password these are, slowing down guessing:
    after MAX_FAILURES wrong tries from one client, that login is refused there for a while."""
    since = now - FAILURE_WINDOW
    recent = LoginFailure.select().where(
        LoginFailure.login == login, LoginFailure.client == client, LoginFailure.at > since
    )
    if recent.count() >= MAX_FAILURES:
        raise TooManyAttempts()
    staff = authenticate(login, password)
    # No request key: a stored answer replayed for a key would sign in without a password.
    with unit_of_work():
        if staff is None:
            LoginFailure.create(login=login, client=client, at=now)
        else:
            LoginFailure.delete().where(
                LoginFailure.login == login, LoginFailure.client == client
            ).execute()
    if staff is None:
        raise NotSignedIn(
            "登录名或密码不正确，请重试。",
            "The login or password is not correct. Please try again.",
        )
    return staff


def add_staff(
    login: str,
    password: str,
    *,
    role: str = "staff",
    name: str | None = None,
    employee_no: str = "",
    unit_code: str | None = None,
) -> Staff:
    """Create a staff account, or reset its password and role if the login exists."""
    if role not in ROLES:
        raise BadInput("角色无效。", "Unknown role.", allowed=list(ROLES))
    if not login or not password:
        raise BadInput("登录名和密码不能为空。", "Login and password are required.")
    unit = None
    if unit_code:
        unit = Unit.get_or_none(Unit.code == unit_code)
        if unit is None:
            raise NotFound("没有找到该单位。", "No such unit.", unit=unit_code)
    fields = {
        "name": name or login,
        "employee_no": employee_no,
        "role": role,
        "unit": unit,
        "password_hash": hash_password(password),
        "active": True,
    }
    with unit_of_work():
        staff = Staff.get_or_none(Staff.login == login)
        if staff is None:
            return Staff.create(login=login, **fields)
        Staff.update(**fields).where(Staff.id == staff.id).execute()
    return Staff.get_by_id(staff.id)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_api_token(login: str, now: datetime) -> str:
    """Create a bearer token for a staff member; only its hash is stored."""
    staff = Staff.get_or_none(Staff.login == login)
    if staff is None:
        raise NotFound("没有该登录名。", "No such login.", login=login)
    token = secrets.token_urlsafe(32)
    with unit_of_work():
        ApiToken.create(staff=staff, token_hash=_digest(token), created_at=now)
    return token


def staff_for_token(token: str) -> Staff | None:
    """Return the active staff member a bearer token belongs to, or None."""
    row = ApiToken.get_or_none(ApiToken.token_hash == _digest(token))
    if row is None or not row.staff.active:
        return None
    return row.staff


def ticket_source(
    unit: Unit, *, device_token: str, kiosk_tokens: Iterable[str], staff: Staff | None
) -> str:
    """Return where a ticket request comes from: "kiosk" when it shows the secret of one of
    the hall's registered kiosks, "counter" for staff of the hall, else "mobile" (from
    outside the hall, and limited as such). What the request itself claims is not asked."""
    if device_token and any(hmac.compare_digest(t, device_token) for t in kiosk_tokens if t):
        return "kiosk"
    if staff is not None and may_work_at(staff, unit):
        return "counter"
    return "mobile"
