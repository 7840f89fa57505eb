"""Fixtures for the admin pages: two halls, their managers, the bureau, an inspector."""

from __future__ import annotations

import pytest

from tests.factories import gen_staff, gen_unit, sign_in


@pytest.fixture
def bureau(app):
    """Halls T and U; a manager of each, a clerk at T, the bureau's admin and an inspector."""
    t, u = gen_unit("T"), gen_unit("U")
    people = {
        "clerk": gen_staff("clerk", t),
        "boss-t": gen_staff("boss-t", t, role="manager"),
        "boss-u": gen_staff("boss-u", u, role="manager"),
        "admin": gen_staff("admin", None, role="admin"),
        "inspector": gen_staff("inspector", None, role="inspector"),
    }
    return {"T": t, "U": u, **people}


@pytest.fixture
def as_user(app, bureau):
    """Return a function giving a test client signed in as a login."""

    def client_for(login: str):
        return sign_in(app.test_client(), login)

    return client_for
