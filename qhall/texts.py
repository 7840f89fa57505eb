"""Text messages to visitors: who is told what and when, in what words, how often, and not
at all once they said stop. Every message is a row of the outbox (qhall.outbox, channel
"sms") written in the transaction of the fact it reports, and sent after the commit to a
generic HTTP SMS gateway ([OUTBOX.CHANNELS.sms]) as {phone, template_id, params, sign_name,
text}; the template ids and the signature are the hall's settings ([SMS]).

Who is told what (write_texts, run just before each unit of work commits, qhall.db):
- A ticket whose holder left a phone (leave_phone), at the first call or cancellation in
  its line after which N or fewer visitors wait ahead of it (people_ahead, the figure its
  page shows; N = [SMS] NEAR_AHEAD, per hall in NEAR_AHEAD_UNITS): "前面还有 N 位", once.
  A visitor who leaves the phone already that near is not told it.
- That ticket, when a window calls it: "请到 2 号窗口办理（A012）", once a call.
- A case's applicant (the phone left on the case): ready (办结), paused for missing
  materials (补正, with the list) and extended (延期).
- A phone being confirmed (a booking, say): a one-time code (send_code, check_code).

Limits: at most [SMS] PER_PHONE_PER_HOUR messages a phone an hour; one more is recorded
as skipped (cancelled, with why) and never sent. A phone that said stop (stop_texts) gets
nothing more, of any kind, until it is left on a ticket again. Log lines carry phones
masked (138****1234), never whole.

WeChat subscription messages would take the same way, and are not built: a `wechat` channel in
[OUTBOX.CHANNELS] whose adapter (a class beside HttpChannel in qhall.outbox.ADAPTERS) turns
the same body into subscribeMessage.send's {touser, template_id, data}, once the hall keeps
a visitor's openid (its recipient) beside the phone.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from qhall import events as ev
from qhall import outbox
from qhall.db import before_commit, db, unit_of_work
from qhall.errors import BadInput, Conflict, HallError
from qhall.estimates import people_ahead
from qhall.lookups import find_ticket
from qhall.models import Case, Event, Service, Ticket, Unit
from qhall.outbox import OutboxMessage
from qhall.retention import mask_phone
from qhall.text_models import OptedOutPhone, TextCode, TicketPhone

log = logging.getLogger(__name__)

CHANNEL = "sms"
SKIPPED = "skipped: over the per-phone limit 已达每小时条数上限，未发送"
# A mainland mobile number, with or without +86: landlines cannot take a text.
MOBILE = re.compile(r"(?:\+?86)?(1\d{10})")

# Each message's words, zh first, by its kind; the gateway's template id for each kind is
# a setting ([SMS] TEMPLATE_IDS), the params are what fills the template.
WORDS = {
    "near": ("{hall}：您的 {number} 号前面还有 {ahead} 位，请您留意大厅叫号。",
             "{hall_en}: {ahead} people are ahead of {number}. Please listen for your number."),
    "called": ("{hall}：请到 {window} 号窗口办理（{number}）。",
               "{hall_en}: please go to window {window} now ({number})."),
    "case_ready": ("您的办件 {case} 已办理完毕，请您携带受理回执到{hall}领取结果。",
                   "Your case {case} is done. Please bring your receipt to {hall_en} for the result."),
    "case_paused": ("您的办件 {case} 需补正材料：{materials}。请您补齐后到{hall}提交，办理时限自补齐之日起继续计算。",
                    "Your case {case} needs: {materials}. Please bring them to {hall_en}; "
                    "the time limit runs on from then."),
    "case_extended": ("您的办件 {case} 办理时限延长 {days} 个工作日，办结后将短信告知您，感谢您的耐心。",
                      "Your case {case} has {days} more working days; we will text you when it "
                      "is done. Thank you for your patience."),
    "code": ("您的验证码为 {code}，{minutes} 分钟内有效，请勿告诉他人。",
             "Your code is {code}, valid for {minutes} minutes. Please do not share it."),
}  # fmt: skip


class TooManyTexts(HallError):
    status = 429
    code = "too_many_texts"
    zh = "该号码短信发送过于频繁，请一小时后再试，谢谢。"
    en = "Too many messages to this number. Please try again in an hour. Thank you."


@dataclass(frozen=True)
class Settings:
    """[SMS] and the sms channel's URL, as configure() found them."""

    enabled: bool = False  # a gateway is configured: without one nothing is written
    secret: str = ""  # the install's secret, for keyed hashes of phones and codes
    sign_name: str = ""
    per_phone_per_hour: int = 6
    near_ahead: int = 3
    near_ahead_units: dict = field(default_factory=dict)
    code_minutes: int = 10
    code_tries: int = 5
    template_ids: dict = field(default_factory=dict)

    def near_for(self, unit_code: str) -> int:
        return int(self.near_ahead_units.get(unit_code, self.near_ahead))


_settings = Settings()


def configure(config: Mapping) -> None:
    """Take the app's settings ([SMS], [OUTBOX.CHANNELS.sms], SECRET_KEY); the kiosk's
    blueprint calls it as each app is made."""
    global _settings
    sms = config["SMS"]
    channel = config["OUTBOX"]["CHANNELS"].get(CHANNEL, {})
    _settings = Settings(
        enabled=bool(channel.get("URL")),
        secret=str(config["SECRET_KEY"]),
        sign_name=str(sms["SIGN_NAME"]),
        per_phone_per_hour=int(sms["PER_PHONE_PER_HOUR"]),
        near_ahead=int(sms["NEAR_AHEAD"]),
        near_ahead_units=dict(sms["NEAR_AHEAD_UNITS"]),
        code_minutes=int(sms["CODE_MINUTES"]),
        code_tries=int(sms["CODE_TRIES"]),
        template_ids=dict(sms["TEMPLATE_IDS"]),
    )


def is_enabled() -> bool:
    """Tell whether this server texts visitors (a gateway is configured)."""
    return _settings.enabled


# --- phones --------------------------------------------------------------------------


def mobile(value: str) -> str:
    """Return a mainland mobile number's 11 digits; BadInput if it is not one."""
    found = MOBILE.fullmatch((value or "").strip().replace(" ", "").replace("-", ""))
    if found is None:
        raise BadInput("请填写 11 位手机号码。", "Please enter an 11-digit mobile number.")
    return found.group(1)


def phone_key(phone: str) -> str:
    """Return a keyed hash of a phone: the same phone, the same key, and no way back."""
    return hmac.new(_settings.secret.encode(), phone.encode(), hashlib.sha256).hexdigest()


def is_opted_out(phone: str) -> bool:
    """Tell whether a phone asked for no more messages."""
    return OptedOutPhone.select().where(OptedOutPhone.phone_key == phone_key(phone)).exists()


# --- writing one message -------------------------------------------------------------


def post_text(phone: str, kind: str, params: dict, *, now: datetime, unit: Unit | None) -> str:
    """Write one message to a phone, inside the unit of work of what it reports; return
    "written", "opted_out" (nothing written) or "over_limit" (recorded as skipped)."""
    if is_opted_out(phone):
        log.info("text %s to %s not written: the phone opted out", kind, mask_phone(phone))
        return "opted_out"
    zh, en = WORDS[kind]
    body = {
        "phone": phone,
        "template_id": str(_settings.template_ids.get(kind, kind)),
        "params": params,
        "sign_name": _settings.sign_name,
        "text": f"{zh.format(**params)}\n{en.format(**params)}",
    }
    recent = (
        OutboxMessage.select()
        .where(
            OutboxMessage.channel == CHANNEL,
            OutboxMessage.recipient == phone,
            OutboxMessage.state != "cancelled",
            OutboxMessage.created_at > now - timedelta(hours=1),
        )
        .count()
    )
    message = outbox.post(CHANNEL, phone, body, now=now, unit=unit, personal=True)
    if recent >= _settings.per_phone_per_hour:
        OutboxMessage.update(state="cancelled", last_error=SKIPPED).where(
            OutboxMessage.id == message.id
        ).execute()
        log.warning("text %s to %s skipped: %s in the last hour", kind, mask_phone(phone), recent)
        return "over_limit"
    return "written"


def _hall(unit: Unit) -> dict:
    return {"hall": unit.name_zh, "hall_en": unit.name_en}


# --- what the hall's facts tell visitors (run before each commit) --------------------


@before_commit
def write_texts(uow) -> None:
    """Write the messages the unit of work's events call for. A failure here is logged and
    undone alone (a savepoint): a text must never stop the call it reports."""
    wanted = [event for event in uow.events if event["name"] in REACTIONS]
    if not _settings.enabled or not wanted:
        return
    try:
        with db.atomic():
            for event in wanted:
                now = datetime.fromisoformat(event["at"]).replace(tzinfo=None)
                REACTIONS[event["name"]](event, now)
    except Exception:
        log.exception("text messages for %s not written", [e["name"] for e in wanted])


def _event_ticket(event: dict) -> Ticket | None:
    """Return the ticket an event was recorded for (its row names it; the payload, public,
    does not)."""
    row = (
        Event.select(Event.ticket)
        .join(Unit)
        .where(Unit.code == event["unit"], Event.seq == event["seq"])
        .first()
    )
    return row.ticket if row and row.ticket_id else None


def _called(event: dict, now: datetime) -> None:
    ticket = _event_ticket(event)
    told = TicketPhone.get_or_none(TicketPhone.ticket == ticket.id) if ticket else None
    if told is not None:
        view = event["ticket_view"]
        params = {**_hall(ticket.unit), "number": view["number"], "window": view["window"]}
        post_text(told.phone, "called", params, now=now, unit=ticket.unit)
        TicketPhone.update(near_told=True).where(TicketPhone.id == told.id).execute()
    _line_moved(event, now)


def _line_moved(event: dict, now: datetime) -> None:
    """Tell each waiting ticket of the line that moved, once, when it comes near."""
    service = (event.get("ticket_view") or {}).get("service")
    waiting = (
        TicketPhone.select(TicketPhone, Ticket)
        .join(Ticket)
        .join(Service)
        .switch(Ticket)
        .join(Unit)
        .where(
            Unit.code == event["unit"],
            Service.code == service,
            Ticket.status == "waiting",
            TicketPhone.near_told == False,  # noqa: E712
        )
        # In the line's order (priority first, then the place in line), where the count
        # ahead only grows: the first one still far stops the look, so a call costs a
        # count or two however many phones wait.
        .order_by(Ticket.priority.is_null(), Ticket.queue_at, Ticket.id)
    )
    near = _settings.near_for(event["unit"])
    waiting = waiting.limit(near + 1)  # no more than that can be near at once
    for told in waiting:
        ahead = people_ahead(told.ticket)
        if ahead > near:
            break
        if ahead > 0:
            ticket = told.ticket
            params = {**_hall(ticket.unit), "number": ticket.number, "ahead": ahead}
            post_text(told.phone, "near", params, now=now, unit=ticket.unit)
            TicketPhone.update(near_told=True).where(TicketPhone.id == told.id).execute()


def _case_told(kind: str):
    def react(event: dict, now: datetime) -> None:
        case = (
            Case.select()
            .join(Unit)
            .where(Unit.code == event["unit"], Case.number == event["case"]["number"])
            .first()
        )
        found = MOBILE.fullmatch(case.visitor_phone or "") if case else None
        if found is None:  # no phone left, or a landline: nobody to text
            return
        params = {**_hall(case.unit), "case": case.number}
        if kind == "case_paused":
            missing = json.loads(case.missing_materials or "[]")
            params["materials"] = "、".join(f"{m['name']} {m['quantity']} 份" for m in missing)
        if kind == "case_extended":
            params["days"] = event.get("days")
        post_text(found.group(1), kind, params, now=now, unit=case.unit)

    return react


REACTIONS = {
    ev.TICKET_CALLED: _called,
    ev.TICKET_CANCELLED: _line_moved,
    ev.CASE_COMPLETED: _case_told("case_ready"),
    ev.CASE_SUSPENDED: _case_told("case_paused"),
    ev.CASE_EXTENDED: _case_told("case_extended"),
}


# --- the visitor's choice on the ticket's page ---------------------------------------


def leave_phone(token: str, phone: str, *, now: datetime) -> dict:
    """Keep the phone the ticket's holder wants texted (the ticket's token is the proof);
    leaving it is consent again, even from a phone that once said stop."""
    with unit_of_work():
        ticket = find_ticket(token)  # first: a stranger learns nothing, not even the rules
        if not _settings.enabled:
            raise Conflict("本大厅暂未开通短信提醒，请您留意大厅叫号或本页面，谢谢。",
                           "This hall does not send text messages yet. Please follow this page "
                           "or listen for your number. Thank you.")  # fmt: skip
        if ticket.status not in ("waiting", "called"):
            raise Conflict("此号已不在排队中，无需短信提醒。",
                           "This ticket is no longer in line: no messages are needed.",
                           status=ticket.status)  # fmt: skip
        phone = mobile(phone)
        _text_ticket(ticket, phone, now)
        OptedOutPhone.delete().where(OptedOutPhone.phone_key == phone_key(phone)).execute()
    return {"phone": mask_phone(phone), "near_ahead": _settings.near_for(ticket.unit.code)}


def text_booked_ticket(ticket: Ticket, phone: str, now: datetime) -> None:
    """Text the ticket a booking checked in at the kiosk at the phone it was booked with
    (inside the check-in's unit of work), unless the hall sends no texts or the phone has
    said stop."""
    if not _settings.enabled or not phone or MOBILE.fullmatch(phone) is None:
        return
    if not is_opted_out(mobile(phone)):
        _text_ticket(ticket, mobile(phone), now)


def _text_ticket(ticket: Ticket, phone: str, now: datetime) -> None:
    near = _settings.near_for(ticket.unit.code)
    already_near = ticket.status != "waiting" or people_ahead(ticket) <= near
    TicketPhone.insert(ticket=ticket.id, phone=phone, near_told=already_near,
                       created_at=now).on_conflict(
        conflict_target=[TicketPhone.ticket],
        update={TicketPhone.phone: phone, TicketPhone.near_told: already_near},
    ).execute()  # fmt: skip
    log.info("ticket %s will be texted at %s", ticket.number, mask_phone(phone))


def stop_texts(token: str, *, now: datetime) -> dict:
    """Stop the ticket's messages, and every later one to its phone, of any kind."""
    with unit_of_work():
        ticket = find_ticket(token)
        told = TicketPhone.get_or_none(TicketPhone.ticket == ticket.id)
        if told is not None:
            opt_out(told.phone, now=now)
            told.delete_instance()
    return {"phone": None, "stopped": True}


def opt_out(phone: str, *, now: datetime) -> None:
    """Record that a phone wants no more messages (inside the caller's unit of work)."""
    OptedOutPhone.insert(phone_key=phone_key(phone), at=now).on_conflict_ignore().execute()
    log.info("%s opted out of text messages", mask_phone(phone))


def ticket_phone(ticket: Ticket) -> dict:
    """Return what a ticket's page shows of its messages: whether the hall sends them and
    the phone they go to, masked."""
    told = TicketPhone.get_or_none(TicketPhone.ticket == ticket.id)
    return {"enabled": _settings.enabled, "phone": mask_phone(told.phone) if told else None}


# --- one-time codes ------------------------------------------------------------------


def _code_hash(phone: str, purpose: str, code: str) -> str:
    return phone_key(f"{purpose}:{phone}:{code}")


def send_code(phone: str, purpose: str, now: datetime, unit: Unit | None = None) -> int:
    """Text a one-time code that confirms a phone for a purpose ("booking"), and return the
    minutes it is good for; an earlier code for the same goes void. Conflict where the hall
    texts nobody (no code is asked there) or the phone opted out (so the page can say why
    no code comes); TooManyTexts over the phone's limit."""
    if not _settings.enabled:
        raise Conflict("本大厅暂未开通短信，无需验证码。",
                       "This hall sends no text messages: no code is needed.")  # fmt: skip
    phone = mobile(phone)
    code = f"{secrets.randbelow(10**6):06d}"
    with unit_of_work():
        key = phone_key(phone)
        TextCode.delete().where(TextCode.phone_key == key, TextCode.purpose == purpose).execute()
        TextCode.create(phone_key=key, purpose=purpose, code_hash=_code_hash(phone, purpose, code),
                        expires_at=now + timedelta(minutes=_settings.code_minutes))  # fmt: skip
        result = post_text(phone, "code", {"code": code, "minutes": _settings.code_minutes},
                           now=now, unit=unit)  # fmt: skip
    if result == "opted_out":
        raise Conflict("该号码已退订短信，无法发送验证码。请在取号后的页面重新留下号码，或咨询大厅工作人员。",
                       "This number asked for no more messages, so no code can be sent. Leave it "
                       "again on a ticket's page, or ask the hall staff.")  # fmt: skip
    if result == "over_limit":
        raise TooManyTexts()
    return _settings.code_minutes


def confirm_phone(phone: str, purpose: str, code: str | None, now: datetime) -> None:
    """Refuse (BadInput) a phone not confirmed by its texted code, where the hall texts;
    where it does not, no code is asked (the booking's code is shown on screen)."""
    if _settings.enabled and not check_code(phone, purpose, code or "", now):
        raise BadInput(
            "短信验证码不正确或已过期，请重新获取，谢谢。",
            "The code from the text message is not right or has expired. Please ask for a "
            "new one. Thank you.",
            field="phone_code",
        )


def check_code(phone: str, purpose: str, code: str, now: datetime) -> bool:
    """Tell whether code is the phone's live code for the purpose; a right code is used up,
    and after [SMS] CODE_TRIES wrong ones the code is void."""
    phone = mobile(phone)
    with unit_of_work():
        sent = TextCode.get_or_none(TextCode.phone_key == phone_key(phone),
                                    TextCode.purpose == purpose, TextCode.expires_at >= now)  # fmt: skip
        if sent is None or sent.tries >= _settings.code_tries:
            return False
        if hmac.compare_digest(sent.code_hash, _code_hash(phone, purpose, (code or "").strip())):
            sent.delete_instance()
            return True
        TextCode.update(tries=TextCode.tries + 1).where(TextCode.id == sent.id).execute()
        return False
