"""The password policy: long enough, not the login, not one character repeated, not a
password that guessers try first; each refusal says why in both languages."""

from __future__ import annotations

import pytest

from qhall.errors import BadInput
from qhall.passwords import MIN_PASSWORD_CHARS, check_password, common_passwords


def refusal(password: str, login: str = "") -> BadInput:
    with pytest.raises(BadInput) as caught:
        check_password(password, login)
    return caught.value


@pytest.mark.parametrize(
    "password",
    ["correct horse battery", "Hall-7 queue morning", "民政大厅 2026 窗口", "x7#kP9q!mZ2w"],
)
def test_a_long_uncommon_password_is_accepted(password):
    check_password(password, "mzj-1")


def test_a_short_password_is_refused_with_the_minimum_in_both_languages():
    error = refusal("k7#Pq9!z")
    assert str(MIN_PASSWORD_CHARS) in error.zh and str(MIN_PASSWORD_CHARS) in error.en
    assert "密码" in error.zh and "password" in error.en
    check_password("k7#Pq9!z2w")  # ten characters are enough


@pytest.mark.parametrize("password", ["zhangwei-mzj", "ZHANGWEI-MZJ", "my zhangwei-mzj hall"])
def test_a_password_that_is_or_holds_the_login_is_refused(password):
    assert "登录名" in refusal(password, "zhangwei-mzj").zh


def test_a_very_short_login_may_appear_inside_a_password_but_not_be_it():
    check_password("olive trees in spring", "li")
    refusal("li", "li")


def test_one_character_repeated_is_refused():
    assert "repeated" in refusal("zzzzzzzzzzzz").en
    assert "repeated" in refusal("############").en


@pytest.mark.parametrize(
    "password",
    ["1234567890", "qwerty123456", "Password123", "woaini1314520", "1qaz2wsx3edc", "a1234567890",
     "QHALL-DEMO", "Admin123456", "zxcvbnm123", "iloveyou1314"],
)  # fmt: skip
def test_a_common_password_is_refused_whatever_its_case(password):
    assert "common" in refusal(password).en


def test_the_common_list_ships_with_the_package_and_holds_the_favourites():
    listed = common_passwords()
    assert len(listed) > 2000
    assert {"123456", "password", "woaini1314", "5201314", "a123456", "88888888", "qhall-demo",
            "1qaz2wsx", "admin123"} <= listed  # fmt: skip
    assert all(p == p.lower() and not p.startswith("#") for p in listed)
