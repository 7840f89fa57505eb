"""The password policy for staff accounts: long enough, not the login, not one character
repeated, and not among the passwords that guessers try first (qhall/data/common_passwords.txt,
compared in lower case). Sign-in is throttled (qhall.auth), but a password from the top of a
guesser's list falls within the tries that the throttle allows."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from qhall.errors import BadInput

MIN_PASSWORD_CHARS = 10
# A login this short ("li", "wu") is part of too many good passwords to forbid it inside one;
# a password that is the login itself is refused whatever its length.
MIN_LOGIN_CHARS_TO_FORBID_INSIDE = 3


@cache
def common_passwords() -> frozenset[str]:
    """Return the common passwords, in lower case (read once from the package's data)."""
    text = files("qhall").joinpath("data/common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


def check_password(password: str, login: str = "") -> None:
    """Refuse a password that a guesser would soon find, saying why in both languages."""
    lowered, login = password.lower(), login.strip().lower()
    if len(password) < MIN_PASSWORD_CHARS:
        raise BadInput(
            f"密码至少需要 {MIN_PASSWORD_CHARS} 个字符。",
            f"The password must be at least {MIN_PASSWORD_CHARS} characters long.",
        )
    if login and (
        lowered == login or (len(login) >= MIN_LOGIN_CHARS_TO_FORBID_INSIDE and login in lowered)
    ):
        raise BadInput("密码不能包含登录名。", "The password must not contain the login name.")
    if len(set(password)) == 1:
        raise BadInput(
            "密码不能由同一个字符重复组成。", "The password must not be one character repeated."
        )
    if lowered in common_passwords():
        raise BadInput(
            "该密码过于常见，容易被猜中，请换一个。",
            "This password is too common and easily guessed. Please choose another.",
        )
