"""Signing in with its audit: qhall.auth checks the password and slows guessing, and each
success is recorded and each failure counted in the audit log (qhall.audit).

Apart from qhall.auth because qhall.auth writes to the audit log itself (its tokens), and
the log must not import back the module that writes to it.
"""

from __future__ import annotations

from datetime import datetime

from qhall import audit, auth
from qhall.errors import NotSignedIn
from qhall.models import Staff


def sign_in(login: str, password: str, *, client: str, now: datetime, **options) -> Staff:
    """Sign a staff member in as qhall.auth.sign_in does (options go to it), and record the
    sign-in, or count the failure, in the audit log."""
    address = client[: auth.CLIENT_CHARS]
    try:
        staff = auth.sign_in(login, password, client=client, now=now, **options)
    except NotSignedIn:
        audit.count_failed_sign_in(login, client=address, now=now)
        raise
    # A try the throttle turned away (TooManyAttempts) is not written: a flood of them must
    # not make the server write on every request (`qhall bench --abuse`, attack a). The
    # failures counted before it show why the login was locked.
    audit.record_sign_in(staff, client=address, now=now)
    return staff
