"""Configuration changes from the admin pages: halls, services, windows, staff, screen
content, pause reasons and the working-day calendar. Each save is one transaction that
checks who may make it (qhall.access) and writes the audit log (who, what, before, after).

Each kind of record is described once in KINDS: its model, which unit it belongs to, and
its editable fields with their type and bilingual label. The pages, the API and the
checks all read the same description.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from peewee import IntegrityError

from qhall import notices, profiles, validate, workdays
from qhall.access import HALL_ROLES, check_manage, check_role_unit, grantable_roles
from qhall.audit import record_account_changes, record_change
from qhall.auth import end_everything, set_password
from qhall.db import unit_of_work
from qhall.errors import BadInput, Conflict, NotFound
from qhall.events import Outcome
from qhall.inputs import strip_unseen
from qhall.lookups import find_unit
from qhall.models import (
    ROLES,
    CalendarDay,
    Case,
    Counter,
    CounterService,
    PauseReason,
    ScreenItem,
    Service,
    Staff,
    Unit,
)
from qhall.screens import BADGES
from qhall.screens import KINDS as SCREEN_KINDS
from qhall.supervision_models import SELECTION_KINDS
from qhall.words import choices

# Field types: text, longtext, int, int? (may be empty), bool, date?, hours, weekdays,
# clock ("HH:MM"), choice (with options), codes (a window's services in order), badges,
# password, json (an object or its text; the field's check makes it the stored text).
Field = tuple[str, str, str]  # (type, Chinese label, English label)


@dataclass(frozen=True)
class Kind:
    """A kind of configuration record."""

    model: type
    title: tuple[str, str]
    fields: dict[str, Field]
    # "unit": belongs to one unit (its manager may change it); "bureau": the bureau's own
    # (admins only); "hall": the unit record itself; "screen": a unit's or every hall's.
    belongs: str
    label: Callable[[object], str]
    order: tuple = ()
    options: dict[str, tuple] | None = None
    # A field's own rule beyond its type (qhall.validate): value, zh, en -> cleaned value.
    checks: dict[str, Callable] | None = None


KINDS: dict[str, Kind] = {
    "units": Kind(
        Unit,
        ("服务大厅", "Halls"),
        {
            "code": ("text", "代码", "Code"),
            "name_zh": ("text", "中文名称", "Name (Chinese)"),
            "name_en": ("text", "英文名称", "Name (English)"),
            "timezone": ("text", "时区", "Time zone"),
            "priority_streak_limit": ("int", "优先连续呼叫上限", "Priority calls in a row"),
            "no_show_grace_s": ("int", "过号保留(秒)", "No-show grace (s)"),
            "day_starts_at": ("clock", "开放日切换时间", "Day starts at"),
            "round_the_clock": ("bool", "24小时开放", "Open round the clock"),
            "profile": ("choice", "单位类型", "Profile"),
        },
        "hall",
        lambda u: u.code,
        options={"profile": tuple(profiles.PROFILES)},
        checks={
            "code": validate.hall_code,
            "profile": profiles.check,
            "timezone": validate.timezone,
            "priority_streak_limit": validate.between(0, 100),
            "no_show_grace_s": validate.between(0, 86_400),
        },
    ),
    "services": Kind(
        Service,
        ("业务事项", "Services"),
        {
            "code": ("text", "字母", "Letter"),
            "name_zh": ("text", "中文名称", "Name (Chinese)"),
            "name_en": ("text", "英文名称", "Name (English)"),
            "hours": ("hours", "办理时间", "Hours"),
            "weekdays": ("weekdays", "办理日(1=周一)", "Weekdays (1 = Monday)"),
            "time_limit_days": (
                "int",
                "承诺时限(工作日,0=即办)",
                "Time limit (working days, 0 = on the spot)",
            ),
            "expected_service_s": ("int", "预计办理(秒)", "Expected length (s)"),
            "daily_limit": ("int?", "每日号源上限", "Daily ticket limit"),
            "guide_zh": ("longtext", "办事指南(中文)", "Guide (Chinese)"),
            "guide_en": ("longtext", "办事指南(英文)", "Guide (English)"),
            "told_once": ("json", "一次性告知(JSON)", "Told-once notice (JSON)"),
            "item_code": ("text", "事项编码(好差评)", "Item code (haocha platform)"),
            "active": ("bool", "启用", "Active"),
        },
        "unit",
        lambda s: s.code,
        ("code",),
        checks={
            "code": validate.service_code,
            "item_code": validate.outside_code,
            "time_limit_days": validate.between(0, 365),
            "expected_service_s": validate.between(1, 86_400),
            "daily_limit": validate.between(0, 9_999),
            "told_once": notices.clean,
        },
    ),
    "windows": Kind(
        Counter,
        ("窗口", "Windows"),
        {
            "window": ("int", "窗口号", "Window number"),
            "name_zh": ("text", "中文名称", "Name (Chinese)"),
            "name_en": ("text", "英文名称", "Name (English)"),
            "services": (
                "codes",
                "办理业务(按顺序,逗号分隔)",
                "Services, in order (comma-separated)",
            ),
            "printer": ("text", "窗口打印机", "Window printer"),
        },
        "unit",
        lambda c: f"window {c.window}",
        ("window",),
        checks={"window": validate.between(1, 999)},
    ),
    "staff": Kind(
        Staff,
        ("工作人员", "Staff"),
        {
            "login": ("text", "登录名", "Login"),
            "name": ("text", "姓名", "Name"),
            "employee_no": ("text", "工号", "Employee no."),
            "role": ("choice", "角色", "Role"),
            "badges": ("badges", "示范岗", "Model-post badges"),
            "active": ("bool", "在岗", "Active"),
            "password": ("password", "新密码(留空不改)", "New password (blank: unchanged)"),
        },
        "unit",
        lambda s: s.login,
        ("login",),
        {"role": ROLES, "badges": tuple(BADGES)},
    ),
    "screens": Kind(
        ScreenItem,
        ("屏幕内容", "Screen content"),
        {
            "key": ("text", "标识", "Key"),
            "kind": ("choice", "类别", "Kind"),
            "title_zh": ("text", "标题(中文)", "Title (Chinese)"),
            "title_en": ("text", "标题(英文)", "Title (English)"),
            "body_zh": ("longtext", "正文(中文)", "Text (Chinese)"),
            "body_en": ("longtext", "正文(英文)", "Text (English)"),
            "image": ("text", "图片地址", "Image address"),
            "position": ("int", "顺序", "Position"),
            "seconds": ("int", "显示秒数", "Seconds shown"),
            "starts_on": ("date?", "开始日期", "First day"),
            "ends_on": ("date?", "结束日期", "Last day"),
            "hours": ("hours", "显示时段", "Hours"),
            "weekdays": ("weekdays", "显示日", "Weekdays"),
            "active": ("bool", "启用", "Active"),
        },
        "screen",
        lambda i: i.key,
        ("position", "id"),
        # Model windows and service stars come only from confirmed rankings (qhall.rankings).
        {"kind": tuple(k for k in SCREEN_KINDS if k not in SELECTION_KINDS)},
        checks={
            "seconds": validate.between(1, 3_600),
            "starts_on": validate.day,
            "ends_on": validate.day,
        },
    ),
    "pause-reasons": Kind(
        PauseReason,
        ("暂停原因", "Pause reasons"),
        {
            "code": ("text", "代码", "Code"),
            "name_zh": ("text", "中文名称", "Name (Chinese)"),
            "name_en": ("text", "英文名称", "Name (English)"),
            "notice_zh": ("longtext", "窗口屏提示(中文)", "Window notice (Chinese)"),
            "notice_en": ("longtext", "窗口屏提示(英文)", "Window notice (English)"),
        },
        "bureau",
        lambda r: r.code,
        ("id",),
    ),
    "calendar": Kind(
        CalendarDay,
        ("工作日历调整", "Working-day calendar"),
        {
            "day": ("date", "日期", "Day"),
            "workday": ("bool", "上班(不勾选=休息)", "Worked (unticked: a day off)"),
            "note": ("text", "说明", "Note"),
        },
        "bureau",
        lambda d: d.day.isoformat(),
        ("day",),
        checks={"day": validate.day},
    ),
}


def kind_of(name: str) -> Kind:
    """Return the description of a kind of configuration record, or raise NotFound."""
    if name not in KINDS:
        raise NotFound("没有该类配置。", "No such kind of configuration.", allowed=list(KINDS))
    return KINDS[name]


def _unit_of(kind: Kind, record) -> Unit | None:
    """Return the unit a record belongs to (None: the bureau's own)."""
    if kind.belongs == "hall":
        return record
    if kind.belongs == "unit":
        return record.unit
    if kind.belongs == "screen":
        return Unit.get_or_none(Unit.code == record.unit_code) if record.unit_code else None
    return None


def records(kind_name: str, unit_code: str | None, viewer: Staff) -> list[dict]:
    """Return the records of a kind that belong to a unit (or the bureau's), as the
    editor shows them; only for someone who may change them."""
    kind = kind_of(kind_name)
    unit = find_unit(unit_code) if unit_code else None
    check_manage(viewer, None if kind.belongs == "bureau" else unit)
    query = kind.model.select()
    if kind.belongs == "hall":
        query = query.where(Unit.id == unit.id) if unit else query
    elif kind.model is Staff and unit is None:
        query = query.where(Staff.unit.is_null())  # the bureau's admins and inspectors
    elif kind.belongs == "unit":
        if unit is None:
            raise BadInput("请先选择单位。", "Choose a unit first.")
        query = query.where(kind.model.unit == unit.id)
    elif kind.belongs == "screen":
        query = query.where(
            (ScreenItem.unit_code == unit.code) if unit else ScreenItem.unit_code.is_null(),
            ScreenItem.kind.not_in(SELECTION_KINDS),
        )
    order = [getattr(kind.model, name) for name in kind.order or ("id",)]
    return [snapshot(kind, record) | {"id": record.id} for record in query.order_by(*order)]


def snapshot(kind: Kind, record) -> dict:
    """Return a record's editable fields as plain values (never a password)."""
    values = {}
    for name, (type_, _zh, _en) in kind.fields.items():
        if type_ == "password":
            continue
        if type_ == "codes":
            links = record.service_links.order_by(CounterService.position)
            values[name] = ",".join(link.service.code for link in links)
        elif type_ == "badges":
            values[name] = [code for code in record.badges.split(",") if code]
        else:
            value = getattr(record, name)
            values[name] = value.isoformat() if isinstance(value, date) else value
    return values


def save(
    kind_name: str,
    unit_code: str | None,
    record_id: int | None,
    values: dict,
    *,
    staff_id: int,
    now: datetime,
    request_key: str | None = None,
) -> Outcome:
    """Create (record_id None) or change a configuration record, and log the change."""
    kind = kind_of(kind_name)
    if not isinstance(values, dict):
        raise BadInput("字段应为对象。", "The fields must be an object.")
    unknown = set(values) - set(kind.fields)
    if unknown:
        raise BadInput("有未知字段。", "Unknown fields.", fields=sorted(unknown))
    try:
        with unit_of_work(request_key, f"config:{kind_name}:{staff_id}", now) as uow:
            if uow.replayed:
                return uow.outcome
            viewer = Staff.get_by_id(staff_id)
            unit = find_unit(unit_code) if unit_code else None
            if record_id is None:
                record = _new_record(kind, unit, viewer)
                before = None
            else:
                record = kind.model.get_or_none(kind.model.id == record_id)
                if record is None or _from_rankings(record):
                    raise NotFound("没有找到该记录。", "No such record.")
                check_manage(viewer, _unit_of(kind, record))
                before = snapshot(kind, record)
            links = _apply(kind, record, values, viewer, creating=before is None)
            record.save()
            if links is not None:
                _link_services(record, links)
            after = snapshot(kind, record)
            if "password" in values and values["password"]:
                after["password"] = "（已重设）"
            owner = _unit_of(kind, record)
            check_manage(viewer, owner if kind.belongs != "bureau" else None)
            entry = record_change(
                staff_id=staff_id,
                unit_id=owner.id if owner else None,
                action=f"{kind_name}.{'create' if before is None else 'update'}",
                target=f"{owner.code + '/' if owner and kind.belongs != 'hall' else ''}{kind.label(record)}",
                before=before,
                after=after,
                now=now,
            )
            record_account_changes(entry)  # a role given, a password set: entries of their own
            return uow.finish(after | {"id": record.id})
    except IntegrityError as error:
        raise Conflict("与已有记录重复，请检查代码或编号。",
                       "This duplicates an existing record; please check the code or number.") from error  # fmt: skip


def _from_rankings(record) -> bool:
    """Tell whether a record is a model window or service star, which only a confirmed
    selection writes (qhall.rankings); the editor neither lists nor changes them."""
    return isinstance(record, ScreenItem) and record.kind in SELECTION_KINDS


def _new_record(kind: Kind, unit: Unit | None, viewer: Staff):
    """Return an unsaved record of the kind, in the unit if it belongs to one."""
    if kind.belongs == "hall":
        check_manage(viewer, None)  # only the bureau opens a new hall
        return Unit()
    if kind.model is Staff:
        # The bureau's admins and inspectors belong to no unit: only the bureau adds them.
        check_manage(viewer, unit)
        return Staff(unit=unit, password_hash="!")  # no sign-in until a password is set
    if kind.belongs == "unit":
        if unit is None:
            raise BadInput("请先选择单位。", "Choose a unit first.")
        check_manage(viewer, unit)
        return kind.model(unit=unit)
    if kind.belongs == "screen":
        check_manage(viewer, unit)
        return ScreenItem(unit_code=unit.code if unit else None)
    check_manage(viewer, None)
    return kind.model()


def _apply(kind: Kind, record, values: dict, viewer: Staff, *, creating: bool):
    """Set the record's fields from values; return a window's service letters if given."""
    if creating:
        check_required(kind, record, values)
    links = None
    for name, raw in values.items():
        type_, zh, en = kind.fields[name]
        value = clean(kind, name, raw)
        if type_ == "choice" and value not in (kind.options or {}).get(name, ()):
            raise BadInput(f"{zh}无效。", f"Unknown {en}.", allowed=list(kind.options[name]))
        if type_ == "codes":
            links = value
        elif type_ == "badges":
            bad = [code for code in value if code not in BADGES]
            if bad:
                raise BadInput("示范岗无效。", "Unknown badge.", allowed=list(BADGES))
            record.badges = ",".join(value)
        elif type_ == "password":
            if value:
                set_password(record, value)  # checked; ends the account's sessions and tokens
        else:
            setattr(record, name, value)
    if kind.model is Staff:
        _check_account(record, viewer)
    return links


def _check_account(staff: Staff, viewer: Staff) -> None:
    """Refuse a role the viewer may not give, or a role and unit that do not go together;
    a deactivated account loses its sessions and tokens at once."""
    # A unit manager hires for their own unit, and only staff and managers.
    if staff.role not in grantable_roles(viewer):
        raise BadInput(
            "单位负责人只能设置工作人员或负责人角色。",
            "A unit manager may give only the staff or manager role.",
        )
    if staff.role not in HALL_ROLES:
        staff.unit = None  # made an admin or inspector: bureau-wide, no hall's any more
    check_role_unit(staff.role, staff.unit)
    if not staff.active:
        end_everything(staff)


def check_required(kind: Kind, record, values: dict) -> None:
    """Refuse a new record that leaves a required field empty (the model has no default)."""
    missing = [
        name
        for name, (type_, _zh, _en) in kind.fields.items()
        if type_ in ("text", "date", "int") and name not in values
        and getattr(record, name, None) in (None, "") and name not in _OPTIONAL_TEXT
    ]  # fmt: skip
    if missing:
        raise BadInput("请填写必填项。", "Please fill in the required fields.", fields=missing)


def clean(kind: Kind, name: str, raw):
    """Return a field's value from its JSON or TOML form, by its type and its own rule;
    BadInput naming the field if it does not fit. The editor and the files read at
    start-up (qhall.seed) both come here."""
    if name not in kind.fields:
        raise BadInput(f"没有“{name}”这一项。", f"There is no field “{name}”.",
                       allowed=list(kind.fields))  # fmt: skip
    type_, zh, en = kind.fields[name]
    value = _parse(type_, raw, zh, en)
    check = (kind.checks or {}).get(name)
    return check(value, zh, en) if check else value


# Text fields that may be left empty on creation.
_OPTIONAL_TEXT = {"employee_no", "image", "printer", "note", "title_en", "name_en", "timezone",
                  "item_code"}  # fmt: skip


def _parse(type_: str, raw, zh: str, en: str):
    """Return a field's value from its JSON form; BadInput if it does not fit the type."""
    if type_ in ("text", "longtext", "password"):
        if not isinstance(raw, str):
            raise BadInput(f"{zh}应为文字。", f"{en} must be text.")
        # A password is kept as typed; other text loses control and bidi characters
        # (qhall.inputs), and a one-line field its line breaks too.
        text = raw if type_ == "password" else strip_unseen(raw, one_line=type_ == "text")
        text = text.strip()
        if len(text) > (4000 if type_ == "longtext" else 200):
            raise BadInput(f"{zh}过长。", f"{en} is too long.")
        return text
    if type_ in ("int", "int?"):
        if raw in (None, "") and type_ == "int?":
            return None
        if isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
            raw = int(raw)
        if not isinstance(raw, int) or isinstance(raw, bool) or not -1 <= raw <= 10_000_000:
            raise BadInput(f"{zh}应为整数。", f"{en} must be a whole number.")
        return raw
    if type_ == "bool":
        if not isinstance(raw, bool):
            raise BadInput(f"{zh}应为是或否。", f"{en} must be true or false.")
        return raw
    if type_ in ("date", "date?"):
        if raw in (None, "") and type_ == "date?":
            return None
        try:
            return date.fromisoformat(str(raw))
        except ValueError as error:
            raise BadInput(f"{zh}应为日期。", f"{en} must be a date like 2026-10-01.") from error
    if type_ == "hours":
        return validate.hours(_parse("text", raw, zh, en), zh, en)
    if type_ == "weekdays":
        return validate.weekdays(_parse("text", raw, zh, en), zh, en)
    if type_ == "clock":
        return validate.clock_time(_parse("text", raw, zh, en), zh, en)
    if type_ == "choice":
        return _parse("text", raw, zh, en)
    if type_ == "json":
        return raw  # its check (qhall.notices.clean) reads it and gives the stored text
    if type_ in ("codes", "badges"):
        items = raw.split(",") if isinstance(raw, str) else raw
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise BadInput(f"{zh}应为列表。", f"{en} must be a list.")
        return [item.strip() for item in items if item.strip()]
    raise ValueError(type_)


def _link_services(counter: Counter, letters: list[str]) -> None:
    """Make a window serve these services of its unit, in this order."""
    services = {s.code: s for s in Service.select().where(Service.unit == counter.unit_id)}
    unknown = [code for code in letters if code not in services]
    if unknown:
        raise BadInput("本单位没有这些业务。", "No such services in this unit.", services=unknown)
    CounterService.delete().where(CounterService.counter == counter.id).execute()
    for position, code in enumerate(dict.fromkeys(letters)):
        CounterService.create(counter=counter, service=services[code], position=position)


# Which words (qhall.words) name a choice field's codes.
CHOICE_WORDS = {"role": "role", "badges": "badge", "kind": "screen_kind", "profile": "profile"}


def describe(kind_name: str) -> dict:
    """Return a kind's fields for the editor: name, type, labels and choices."""
    kind = kind_of(kind_name)
    return {
        "kind": kind_name,
        "title": kind.title[0],
        "title_en": kind.title[1],
        "belongs": kind.belongs,
        "fields": [
            {
                "name": name,
                "type": type_,
                "label": zh,
                "label_en": en,
                # The code is what is saved; the words are what the editor shows.
                "options": choices(CHOICE_WORDS.get(name, ""), (kind.options or {}).get(name, ())),
            }
            for name, (type_, zh, en) in kind.fields.items()
        ],  # fmt: skip
    }


def save_calendar_days(
    text: str, *, staff_id: int, now: datetime, request_key: str | None = None
) -> Outcome:
    """Set many days of the working-day calendar at once (a year's holidays as the State
    Council publishes them; qhall.workdays.parse_days reads the lines), each logged as the
    editor logs one day; all or none."""
    if not isinstance(text, str):
        raise BadInput("日期应为文字。", "The days must be text.")
    days = workdays.parse_days(strip_unseen(text, one_line=False))
    kind = KINDS["calendar"]
    with unit_of_work(request_key, f"config:calendar-days:{staff_id}", now) as uow:
        if uow.replayed:
            return uow.outcome
        check_manage(Staff.get_by_id(staff_id), None)
        for day, worked, note in days:
            record = CalendarDay.get_or_none(CalendarDay.day == day)
            before = snapshot(kind, record) if record else None
            record = record or CalendarDay(day=day)
            record.workday, record.note = worked, note
            record.save()
            record_change(
                staff_id=staff_id,
                unit_id=None,
                action=f"calendar.{'create' if before is None else 'update'}",
                target=kind.label(record),
                before=before,
                after=snapshot(kind, record),
                now=now,
            )
        # Running cases counted through these days before they were known keep the deadline
        # they were given: name them, for someone to check by hand.
        entered = [day for day, _, _ in days]
        running = Case.select().where(
            Case.status.in_(("open", "suspended")),
            Case.accepted_day < entered[-1],
            Case.due_day >= entered[0],
        )
        counted = [c.number for c in running.order_by(Case.due_day, Case.id)
                   if any(c.accepted_day < day <= c.due_day for day in entered)]  # fmt: skip
        years = sorted({day.year for day in entered})
        return uow.finish({"saved": len(days), "years": years, "cases_to_check": counted})
