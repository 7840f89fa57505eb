"""The rules a hall's configuration must follow, each in one place: the admin editor
(qhall.configure) and the files read at start-up (qhall.seed, qhall.workdays) both call them.
Each rule returns the cleaned value or raises BadInput naming the field, in both languages.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path
from zoneinfo import available_timezones

from qhall.clock import FALLBACK_ZONE
from qhall.errors import BadInput

_HALL_CODE = re.compile(r"[A-Z][A-Z0-9]{0,15}")
_SERVICE_CODE = re.compile(r"[A-Z]")
# 事项编码 and 办件编号: the codes other systems give, as their scanners type them.
_OUTSIDE_CODE = re.compile(r"[A-Za-z0-9-]{0,40}")
_CLOCK = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
# The calendar and screen dates a hall can mean; a typo like 0226 or 20266 is refused.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)


class BadConfig(Exception):
    """A configuration file qhall cannot start with; the message names the file, the entry
    and the field, in both languages."""

    def __init__(self, file: object, entry: str, zh: str, en: str) -> None:
        self.zh = f"配置文件 {file} 有误（{entry}）：{zh}"
        self.en = f"Configuration file {file} is wrong ({entry}): {en}"
        super().__init__(f"{self.zh}\n{self.en}")


def read_toml(path: Path) -> dict:
    """Return a TOML file's contents; BadConfig, naming the line, if it cannot be read."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise BadConfig(path, "TOML", f"格式错误：{error}", f"not valid TOML: {error}") from error
    except (OSError, UnicodeDecodeError) as error:
        raise BadConfig(path, "TOML", f"无法读取：{error}", f"cannot be read: {error}") from error


def timezone(text: str, zh: str = "时区", en: str = "Time zone") -> str:
    """Return an IANA time zone name (empty: Asia/Shanghai); refuse one zoneinfo lacks."""
    if not text:
        return FALLBACK_ZONE
    # The list, not ZoneInfo(text): that also opens directories ("Asia") and, on a
    # case-blind disk, "asia/shanghai", which another server would then fail to read.
    if text not in _zones():
        raise BadInput(f"{zh}“{text}”不存在，请填写如 Asia/Shanghai 的时区名称。",
                       f"{en} “{text}” does not exist; write a zone name such as Asia/Shanghai.")  # fmt: skip
    return text


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def hall_code(text: str, zh: str = "代码", en: str = "Code") -> str:
    """Return a hall's code: 1 to 16 upper-case letters and digits, a letter first."""
    if not _HALL_CODE.fullmatch(text):
        raise BadInput(f"{zh}应为 1 到 16 位大写字母或数字，以字母开头，如 MZJ。",
                       f"{en} must be 1 to 16 capital letters or digits, starting with a letter, e.g. MZJ.")  # fmt: skip
    return text


def service_code(text: str, zh: str = "字母", en: str = "Letter") -> str:
    """Return a service's letter: one capital letter, which starts its ticket numbers."""
    if not _SERVICE_CODE.fullmatch(text):
        raise BadInput(f"{zh}应为一个大写字母，如 A。", f"{en} must be one capital letter, e.g. A.")
    return text


def outside_code(text: str, zh: str = "事项编码", en: str = "Item code") -> str:
    """Return a code another system gave (事项编码, 办件编号): letters, digits and '-', at
    most 40, or empty."""
    text = text.strip()
    if not _OUTSIDE_CODE.fullmatch(text):
        raise BadInput(f"{zh}只能由字母、数字和“-”组成，最多 40 位，如 000120001000-0001。",
                       f"{en} may hold only letters, digits and '-', at most 40, "
                       "e.g. 000120001000-0001.")  # fmt: skip
    return text


def clock_time(text: str, zh: str = "时间", en: str = "Time") -> str:
    """Return a wall-clock time "HH:MM" from 00:00 to 23:59 ("8:30" becomes "08:30")."""
    text = text.strip().zfill(5)
    if not _CLOCK.fullmatch(text):
        raise BadInput(f"{zh}应为 00:00 到 23:59 的时间，如 08:30。",
                       f"{en} must be a time from 00:00 to 23:59, e.g. 08:30.")  # fmt: skip
    return text


def hours(text: str, zh: str = "办理时间", en: str = "Hours") -> str:
    """Return opening hours "08:30-12:00,13:30-17:30": each range ends after it starts
    (24:00 may end one), and the ranges come in order without overlapping. Empty is kept:
    no hours at all."""
    refusal = BadInput(
        f"{zh}格式应为 08:30-12:00,13:30-17:30：每段先开始后结束，按时间先后排列、互不重叠。",
        f"{en} look like 08:30-12:00,13:30-17:30: each range ends after it starts, "
        "and the ranges come in order without overlapping.",
    )
    ranges: list[tuple[str, str]] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        start, dash, end = part.partition("-")
        start, end = start.strip().zfill(5), end.strip().zfill(5)
        if not dash or not _CLOCK.fullmatch(start) or not (_CLOCK.fullmatch(end) or end == "24:00"):
            raise refusal
        if not start < end or (ranges and start < ranges[-1][1]):
            raise refusal
        ranges.append((start, end))
    return ",".join(f"{start}-{end}" for start, end in ranges)


def weekdays(text: str, zh: str = "办理日", en: str = "Weekdays") -> str:
    """Return ISO weekdays "12345" (1 = Monday): at least one, each once, in order."""
    if not text or not set(text) <= set("1234567") or len(set(text)) != len(text):
        raise BadInput(f"{zh}应为 1 到 7 的数字，每天一次，如 12345。",
                       f"{en} are digits 1 to 7, each day once, e.g. 12345.")  # fmt: skip
    return "".join(sorted(text))


def day(value: date | None, zh: str = "日期", en: str = "Day") -> date | None:
    """Return a calendar day between 2000 and 2099 (None, for "no day", passes)."""
    if value is not None and not FIRST_DAY <= value <= LAST_DAY:
        raise BadInput(f"{zh}应在 2000 年到 2099 年之间。", f"{en} must be between 2000 and 2099.")
    return value


def between(low: int, high: int) -> Callable[..., int | None]:
    """Return a rule for a whole number from low to high (None, for "no limit", passes)."""

    def rule(value: int | None, zh: str, en: str) -> int | None:
        if value is not None and not low <= value <= high:
            raise BadInput(
                f"{zh}应在 {low} 到 {high} 之间。", f"{en} must be from {low} to {high}."
            )
        return value

    return rule


def pool_size(value: object, setting: str = "DATABASE_POOL_SIZE") -> int:
    """Return a connection pool's size: a whole number from 1 to 1000."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1000:
        raise BadConfig(f"qhall.toml / QHALL_{setting}", setting,
                        f"应为 1 到 1000 的整数（现为 {value!r}）。",
                        f"must be a whole number from 1 to 1000 (now {value!r}).")  # fmt: skip
    return value
