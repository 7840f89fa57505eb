"""The words people read for the codes qhall stores: roles, badges, configuration kinds,
audit actions and the states of tickets, cases, matters, rectification, notices and
printers, each in Chinese and English. Pages, exports and scripts show these, never the
code; a code no list knows (a newer one, a hall's own) shows as itself rather than vanish.
"""

from __future__ import annotations

from datetime import datetime

from qhall.clock import FALLBACK_ZONE, local, zone
from qhall.models import Unit
from qhall.profiles import PROFILES
from qhall.screens import BADGES as BADGE_WORDS
from qhall.screens import KINDS as SCREEN_KIND_WORDS

Words = dict[str, tuple[str, str]]

ROLES: Words = {
    "staff": ("窗口工作人员", "Counter staff"),
    "manager": ("大厅负责人", "Hall manager"),
    "admin": ("系统管理员", "Administrator"),
    "inspector": ("督查人员", "Inspector"),
}
BADGES: Words = dict(BADGE_WORDS)  # the editor's list (qhall.screens) holds the words too
SCREEN_KINDS: Words = dict(SCREEN_KIND_WORDS)
PROFILE_WORDS: Words = {code: profile.words for code, profile in PROFILES.items()}

# The configuration editor's kinds (qhall.configure.KINDS), one record of each.
CONFIG_KINDS: Words = {
    "units": ("服务大厅", "Hall"),
    "services": ("业务事项", "Service"),
    "windows": ("窗口", "Window"),
    "staff": ("工作人员", "Staff account"),
    "screens": ("屏幕内容", "Screen content"),
    "pause-reasons": ("暂停原因", "Pause reason"),
    "calendar": ("工作日历", "Working-day calendar"),
}

# Audit actions (qhall.audit) that are no configuration kind's create or update.
ACTIONS: Words = {
    "session.sign_in": ("登录", "Signed in"),
    "session.sign_in_failed": ("登录失败", "Sign-in failed"),
    "session.sign_out": ("退出登录", "Signed out"),
    "staff.role": ("角色变更", "Role changed"),
    "staff.password": ("密码重设", "Password reset"),
    "staff.deactivate": ("账号停用", "Account deactivated"),
    "token.issue": ("签发接口令牌", "API token issued"),
    "token.revoke": ("吊销接口令牌", "API token revoked"),
    "export": ("导出台账", "Exported"),
    "privacy.erase": ("清除个人信息", "Personal data erased"),
    "window.release": ("释放窗口", "Window released"),
    "ticket.transfer_override": (
        "负责人确认转往无人办理处",
        "Transfer to no open window confirmed",
    ),
    "ticket.matter_number": ("登记办件编号", "Matter number entered"),
    "selection.model_window": ("评定示范窗口", "Model window chosen"),
    "selection.service_star": ("评定服务标兵", "Service star chosen"),
}
# "services.update" reads 修改业务事项 / Service changed: the verb, then the kind.
VERBS = {"create": ("新增", "added"), "update": ("修改", "changed"), "delete": ("删除", "deleted")}

TICKET_STATES: Words = {
    "waiting": ("等候中", "Waiting"),
    "called": ("已呼叫", "Called"),
    "serving": ("办理中", "Being served"),
    "finished": ("已办结", "Finished"),
    "no_show": ("过号", "No-show"),
    "cancelled": ("已取消", "Cancelled"),
    "closed": ("日终未办", "Not served by closing"),
}
CASE_STATES: Words = {
    "open": ("办理中", "In progress"),
    "suspended": ("补正中（停止计时）", "Awaiting materials (clock stopped)"),
    "completed": ("已办结", "Completed"),
}
CASE_DECISIONS: Words = {"granted": ("准予", "Granted"), "refused": ("不予", "Refused")}
INQUIRY_STATES: Words = {
    "open": ("办理中", "Open"),
    "referred": ("已转办", "Referred"),
    "resolved": ("已办结", "Resolved"),
}
TASK_STATES: Words = {"pending": ("办理中", "In progress"), "done": ("已办结", "Done")}
EXTENSION_STATES: Words = {
    "pending": ("待审批", "Awaiting approval"),
    "approved": ("已批准", "Approved"),
    "refused": ("未批准", "Refused"),
}
RECTIFICATION_STATES: Words = {
    "open": ("待说明整改", "Awaiting explanation"),
    "rectified": ("待核实", "Awaiting verification"),
    "verified": ("已核实待回访", "Verified, awaiting call-back"),
    "called_back": ("已回访待结案", "Called back, awaiting closing"),
    "closed": ("已结案", "Closed"),
    "appeal_accepted": ("申诉成立", "Appeal upheld"),
}
NOTICE_STATES: Words = {
    "published": ("待整改", "Awaiting rectification"),
    "responded": ("待审核", "Awaiting review"),
    "closed": ("已办结", "Closed"),
}
INSPECTION_KINDS: Words = {
    "scheduled": ("定期检查", "Scheduled"),
    "unannounced": ("暗访", "Unannounced"),
}
WINDOW_STATES: Words = {
    "open": ("办理中", "Open"),
    "paused": ("暂停", "Paused"),
    "closed": ("已关闭", "Closed"),
}
PRINTER_STATES: Words = {
    "unknown": ("状态未知", "Status unknown"),
    "online": ("正常", "Ready"),
    "paper_near_end": ("纸将用完", "Paper low"),
    "paper_out": ("缺纸", "Out of paper"),
    "offline": ("离线", "Offline"),
}
PRINT_JOB_STATES: Words = {
    "pending": ("待打印", "Waiting to print"),
    "printed": ("已打印", "Printed"),
    "expired": ("未打印（已过期）", "Not printed (expired)"),
    "dropped": ("未打印（来访人已不在等候或已过时）", "Not printed (no longer wanted)"),
}

# Every list by the name pages and scripts ask for.
LISTS: dict[str, Words] = {
    "role": ROLES,
    "badge": BADGES,
    "screen_kind": SCREEN_KINDS,
    "profile": PROFILE_WORDS,
    "config_kind": CONFIG_KINDS,
    "ticket": TICKET_STATES,
    "case": CASE_STATES,
    "decision": CASE_DECISIONS,
    "inquiry": INQUIRY_STATES,
    "task": TASK_STATES,
    "extension": EXTENSION_STATES,
    "rectification": RECTIFICATION_STATES,
    "notice": NOTICE_STATES,
    "inspection": INSPECTION_KINDS,
    "window": WINDOW_STATES,
    "printer": PRINTER_STATES,
    "print_job": PRINT_JOB_STATES,
}


def word(kind: str, code: str | None) -> tuple[str, str]:
    """Return the Chinese and English words for a code of a kind ("role", "ticket", ...,
    "action"); an unknown code, as itself in both."""
    if kind == "action":
        return action_words(code or "")
    text = "" if code is None else str(code)
    return LISTS.get(kind, {}).get(text, (text, text))


def action_words(action: str) -> tuple[str, str]:
    """Return the words for an audit action: "services.update" -> 修改业务事项 / Service
    changed; unknown, the action itself."""
    if action in ACTIONS:
        return ACTIONS[action]
    kind, _, verb = action.rpartition(".")
    if kind in CONFIG_KINDS and verb in VERBS:
        (noun_zh, noun_en), (verb_zh, verb_en) = CONFIG_KINDS[kind], VERBS[verb]
        return f"{verb_zh}{noun_zh}", f"{noun_en} {verb_en}"
    return action, action


def choices(kind: str, codes) -> list[dict]:
    """Return codes as the choices an editor offers: the code as the value, the words as
    the label."""
    return [{"value": code, "zh": word(kind, code)[0], "en": word(kind, code)[1]} for code in codes]


# --- times as people read them ------------------------------------------------------------


def bureau_timezone() -> str:
    """Return the zone of the bureau-wide views: the first hall's, or Asia/Shanghai before
    there is a hall."""
    first = Unit.select(Unit.timezone).order_by(Unit.id).first()
    return first.timezone if first and first.timezone else FALLBACK_ZONE


def unit_timezone(unit: Unit | None) -> str:
    """Return a hall's zone, or the bureau's for no hall."""
    return unit.timezone if unit is not None and unit.timezone else bureau_timezone()


def stamp(moment: datetime | None, timezone: str, *, named: bool = False) -> str:
    """Return a stored (naive UTC) moment as the hall's wall-clock time, "2026-12-01 01:30",
    and the zone after it when named: "2026-12-01 01:30 (Asia/Shanghai)"."""
    if moment is None:
        return ""
    text = local(moment, timezone).strftime("%Y-%m-%d %H:%M")
    return f"{text} ({zone(timezone).key})" if named else text
