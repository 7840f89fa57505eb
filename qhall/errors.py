"""Errors the hall reports to people: each has an HTTP status and a polite zh/en message."""

from __future__ import annotations


class HallError(Exception):
    """A request the hall cannot carry out; the message is shown to the person who asked."""

    status = 400
    code = "bad_request"
    zh = "请求有误，请检查后重试。"
    en = "The request is not valid. Please check it and try again."

    def __init__(self, zh: str | None = None, en: str | None = None, **details: object) -> None:
        self.zh = zh or self.zh
        self.en = en or self.en
        self.details = details
        super().__init__(self.en)

    def as_json(self) -> dict:
        """Return the error as the API's JSON body."""
        return {"error": self.code, "message": self.zh, "message_en": self.en, **self.details}


class BadInput(HallError):
    status = 400
    code = "bad_input"


class NotSignedIn(HallError):
    status = 401
    code = "not_signed_in"
    zh = "请先登录。"
    en = "Please sign in first."


class Forbidden(HallError):
    status = 403
    code = "forbidden"
    zh = "抱歉，您没有权限进行此操作。"
    en = "Sorry, you are not allowed to do this."


class NotFound(HallError):
    status = 404
    code = "not_found"
    zh = "抱歉，没有找到您要的内容。"
    en = "Sorry, that could not be found."


class Conflict(HallError):
    """The request is well formed but the hall's state does not allow it now."""

    status = 409
    code = "conflict"


class ServiceClosed(Conflict):
    code = "service_closed"
    zh = "抱歉，该业务当前不在办理时间。"
    en = "Sorry, this service is not open at this time."


class SoldOut(Conflict):
    code = "sold_out"
    zh = "抱歉，该业务今日号源已发放完毕，欢迎您下个工作日再来。"
    en = "Sorry, all of today's tickets for this service have been given out. Please come again on the next working day."


class CounterNotOpen(Conflict):
    code = "counter_not_open"
    zh = "本窗口尚未开放，请先开启窗口。"
    en = "This window is not open. Please open it first."


class WindowInUse(Conflict):
    """An open or paused window belongs to whoever opened it (qhall.access)."""

    code = "window_in_use"


class NoTicketInHand(Conflict):
    code = "no_ticket_in_hand"
    zh = "本窗口当前没有正在办理的号。"
    en = "This window has no ticket in hand."


class KeyReused(HallError):
    """An Idempotency-Key sent again with another request: neither replayed nor done."""

    status = 422
    code = "key_reused"
    zh = "该请求编号已用于另一请求，请换一个新的编号。"
    en = "This Idempotency-Key was used for a different request; please send a new key."


class TooManyAttempts(HallError):
    status = 429
    code = "too_many_attempts"
    zh = "密码错误次数过多，请15分钟后再试，或联系管理员。"
    en = "Too many wrong passwords. Please try again in 15 minutes or ask an administrator."


class RemoteTicketsClosed(HallError):
    status = 403
    code = "remote_tickets_closed"
    zh = "本大厅暂未开放网上取号，请到大厅自助取号机取号，谢谢。"
    en = "This hall does not give tickets online. Please take one at the hall's kiosk. Thank you."


class TooManyTickets(HallError):
    status = 429
    code = "too_many_tickets"
    zh = "取号过于频繁，请稍后再试；如需帮助，请咨询大厅工作人员。"
    en = "Too many tickets from here. Please try again later, or ask the staff for help."


class RemoteSoldOut(Conflict):
    code = "remote_sold_out"
    zh = "今日网上取号名额已满，请到大厅自助取号机取号，谢谢您的理解。"
    en = "Today's online tickets are all taken. Please take one at the hall's kiosk. Thank you."


class StorageFull(HallError):
    status = 503
    code = "storage_full"
    zh = "系统存储空间已满，暂时无法办理，请联系工作人员，谢谢您的谅解。"
    en = "The system's storage is full, so nothing can be recorded now. Please tell the staff. Thank you for your patience."


class Busy(HallError):
    status = 503
    code = "busy"
    zh = "系统繁忙，请稍后再试，谢谢您的耐心。"
    en = "The system is busy. Please try again in a moment. Thank you for your patience."
