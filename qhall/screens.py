"""What the hall screens show besides the queue: the rotating campaign content, the
model-post badges, and which halls also speak English.

The content lives in the ScreenItem table, seeded from config/screen_content.toml (and
later edited on the admin pages); each item shows only within its schedule, judged by the
hall's own clock.
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from config import CONFIG_DIR
from qhall.clock import local
from qhall.db import unit_of_work
from qhall.hours import parse_hours
from qhall.lookups import find_unit
from qhall.models import ScreenItem
from qhall.profiles import profile_of
from qhall.supervision_models import SELECTION_KINDS

CONTENT_FILE = CONFIG_DIR / "screen_content.toml"

# Kinds of content, in the campaign's words: code -> (Chinese, English).
KINDS = {
    "commitment": ("服务承诺", "Our service commitments"),
    "rules": ("规章制度", "Rules and regulations"),
    "service_items": ("服务项目", "Services we offer"),
    "standards": ("服务标准", "Service standards"),
    "conduct": ("行业守则", "Code of conduct"),
    "values": ("社会主义核心价值观", "Core socialist values"),
    "civility": ("讲文明树新风", "Civility and new customs"),
    "model_window": ("示范窗口", "Model windows"),
    "service_star": ("文明优质服务标兵", "Service stars"),
}
# Model windows and service stars reach the screens only from a month's confirmed selection
# (qhall.rankings), as items whose key starts with this, showing the ranking's own figures.
SELECTION_KEY_PREFIX = "selection-"

# Model-post badges on staff (争先进位): code -> (Chinese, English).
BADGES = {
    "party_member": ("党员示范岗", "Party member model post"),
    "lei_feng": ("学雷锋示范岗", "Lei Feng model post"),
    "women": ("巾帼示范岗", "Women's model post"),
}

ITEM_FIELDS = (
    "unit_code", "kind", "title_zh", "title_en", "body_zh", "body_en", "image", "position",
    "seconds", "starts_on", "ends_on", "hours", "weekdays", "active",
)  # fmt: skip


def seed_screen_content(path: Path = CONTENT_FILE) -> int:
    """Add the content file's items that are not in the database yet; return how many.

    Items already there are left alone: a manager may have edited them since. A model
    window or service star that no confirmed selection wrote (an older content file had
    some with invented figures) is switched off."""
    items = read_content_file(path).get("item", [])
    with unit_of_work():
        known = {key for (key,) in ScreenItem.select(ScreenItem.key).tuples()}
        added = [item for item in items if item["key"] not in known]
        for position, item in enumerate(added):
            unknown = set(item) - {"key", *ITEM_FIELDS}
            if unknown or item.get("kind") not in KINDS:
                raise ValueError(f"screen item {item['key']}: bad kind or fields {unknown}")
            if item["kind"] in SELECTION_KINDS:  # only a confirmed selection writes these
                raise ValueError(f"screen item {item['key']}: {item['kind']} is not seeded")
            ScreenItem.create(position=item.get("position", position), **item)
        ScreenItem.update(active=False).where(
            ScreenItem.kind.in_(SELECTION_KINDS),
            ~ScreenItem.key.startswith(SELECTION_KEY_PREFIX),
            ScreenItem.active == True,  # noqa: E712
        ).execute()
    return len(added)


def items_showing(unit_code: str, now: datetime) -> list[ScreenItem]:
    """Return the hall's content items whose schedule includes this moment, in order."""
    unit = find_unit(unit_code)
    wall = local(now, unit.timezone)
    candidates = (
        ScreenItem.select()
        .where(
            ScreenItem.active == True,  # noqa: E712
            ScreenItem.unit_code.is_null() | (ScreenItem.unit_code == unit.code),
        )
        .order_by(ScreenItem.position, ScreenItem.id)
    )
    return [item for item in candidates if is_scheduled(item, wall)]


def is_scheduled(item: ScreenItem, wall: datetime) -> bool:
    """Tell whether an item's days, weekdays and hours include this wall-clock moment."""
    day = wall.date()
    if item.starts_on and day < _as_date(item.starts_on):
        return False
    if item.ends_on and day > _as_date(item.ends_on):
        return False
    if item.weekdays and str(wall.isoweekday()) not in item.weekdays:
        return False
    minute = wall.strftime("%H:%M")
    return not item.hours or any(s <= minute < e for s, e in parse_hours(item.hours))


def content_view(unit_code: str, now: datetime) -> list[dict]:
    """Return the content a hall screen rotates through now, in both languages: the kinds
    its unit's profile shows (qhall.profiles)."""
    shows = profile_of(find_unit(unit_code)).shows
    return [
        {
            "key": item.key,
            "kind": item.kind,
            "kind_name": KINDS[item.kind][0],
            "kind_name_en": KINDS[item.kind][1],
            "title": item.title_zh,
            "title_en": item.title_en,
            "body": item.body_zh,
            "body_en": item.body_en,
            "image": item.image or None,
            "seconds": item.seconds,
        }
        for item in items_showing(unit_code, now)
        if item.kind in KINDS and shows(item.kind)
    ]


def speaks_english(unit_code: str) -> bool:
    """Tell whether a hall's calls are also announced in English (config [voice] english)."""
    return unit_code in read_content_file(CONTENT_FILE).get("voice", {}).get("english", [])


def read_content_file(path: Path) -> dict:
    """Return the content file's settings, read again only when the file changes."""
    return _read_toml(path, path.stat().st_mtime_ns if path.exists() else 0)


@lru_cache(maxsize=4)
def _read_toml(path: Path, _mtime_ns: int) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
