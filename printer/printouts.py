"""What the window's thermal printer prints: a case receipt (受理回执), a missing-materials
notice (补正告知书) and a decision notice (办理结果告知书), drawn on the printed page
(printer.layout.Page) in Chinese then English, and queued on the print spooler after the
case's transaction has committed."""

from __future__ import annotations

from datetime import datetime

from PIL import Image

from printer.layout import FULL_WIDTH, Page, qr_image

# Receipts and notices are left-aligned documents; they keep a little more paper at the
# edges than tickets do.
RECEIPT_MARGIN = 14


def _page(width: int) -> Page:
    return Page(width, margin=RECEIPT_MARGIN)


def _pair(page: Page, zh: str, en: str, size: float = 24, *, bold=False, centre=False) -> None:
    """Write Chinese and beneath it, smaller, English."""
    page.pair(zh, en, size, bold=bold, centre=centre, english=0.7, gaps=(6, 6))
    page.space(4)


def _field(page: Page, label_zh: str, label_en: str, value: str, size=24, bold=False) -> None:
    """Write "标签 Label:" and the value under it, indented."""
    page.text(f"{label_zh} {label_en}:", size * 0.8, centre=False)
    page.text(value, size, bold=bold, centre=False, indent=16)
    page.space(4)


def _rule(page: Page) -> None:
    page.rule(above=6, below=12, weight=2)


def _materials(page: Page, items: list[dict]) -> None:
    if not items:
        page.text("（无 None）", 22, centre=False, indent=16)
    for n, item in enumerate(items, 1):
        page.text(f"{n}. {item['name']} × {item['quantity']}", 22, centre=False, indent=16)


def _heading(page: Page, data: dict, zh: str, en: str) -> None:
    _pair(page, data["unit_name"], data["unit_name_en"], 24, centre=True)
    _pair(page, zh, en, 36, bold=True, centre=True)
    _rule(page)
    _field(page, "办件编号", "Case No.", data["number"], 30, bold=True)
    _field(page, "办理事项", "Service", f"{data['service_name']} {data['service_name_en']}")
    _field(page, "申请事由", "Matter", data["matter"])
    if data.get("visitor_name"):
        _field(page, "申请人", "Applicant", data["visitor_name"])


def _contact(page: Page, data: dict, phone: str) -> None:
    window = f"，{data['window']}号窗口 (Window {data['window']})" if data.get("window") else ""
    _field(page, "经办人", "Handled by", f"{data['staff_name']}（{data['employee_no']}）{window}")
    _field(page, "咨询电话", "Enquiries", phone, bold=True)


def _lookup(page: Page, data: dict) -> None:
    """Write where the applicant follows the case, with a QR code to it: data's lookup_url,
    which the web layer adds (qhall.web.printing.case_lookup_url)."""
    url = data.get("lookup_url")
    if not url:
        return
    _rule(page)
    _pair(
        page,
        "凭办件编号和手机号码后四位查询办理进度：",
        "Follow your case with its number and the last four digits of your phone:",
        20,
    )
    page.text(url.split("?")[0], 20, centre=False, indent=16)
    page.space(6)
    page.picture(qr_image(url, page.px(180)))
    page.space(6)


def render_receipt(data: dict, *, contact_phone: str, width: int = FULL_WIDTH) -> Image.Image:
    """Draw a case receipt: number, matter, materials received, promised date, whom to call,
    and where to follow the case."""
    page = _page(width)
    _heading(page, data, "受理回执", "Acceptance receipt")
    page.text("已收材料 Materials received:", 19, centre=False)
    _materials(page, data["materials"])
    page.space(6)
    _field(page, "受理日期", "Accepted on", data["accepted_day"])
    _field(page, "承诺办结日期", "Promised by", data["due_day"], 30, bold=True)
    page.text(
        f"（{data['time_limit_days']}个工作日内 within {data['time_limit_days']} working days）",
        20,
        centre=False,
        indent=16,
    )
    page.space(4)
    _contact(page, data, contact_phone)
    _lookup(page, data)
    _rule(page)
    _pair(
        page,
        "请妥善保管本回执，凭回执查询办理进度、领取结果。感谢您的耐心，欢迎监督！",
        "Please keep this receipt to follow your case and collect the result. Thank you.",
        22,
        centre=True,
    )
    return page.finish()


def render_notice(data: dict, *, contact_phone: str, width: int = FULL_WIDTH) -> Image.Image:
    """Draw a missing-materials notice: what to bring, and that the clock waits meanwhile."""
    page = _page(width)
    _heading(page, data, "补正材料告知书", "Notice of missing materials")
    page.text("请您补齐以下材料 Please bring:", 22, bold=True, centre=False)
    _materials(page, data["missing"])
    page.space(6)
    _field(page, "告知日期", "Date", data["notice_day"])
    _pair(
        page,
        f"补正期间办理时限暂停计算；材料补齐后继续计算，剩余 {data['days_left']} 个工作日。",
        f"The time limit waits until the materials arrive; then {data['days_left']} "
        "working days remain.",
        22,
    )
    _contact(page, data, contact_phone)
    _lookup(page, data)
    _rule(page)
    _pair(
        page,
        "一次告知，感谢您的理解与配合！",
        "This is everything still needed. Sorry for the trouble, and thank you.",
        22,
        centre=True,
    )
    return page.finish()


def render_decision(data: dict, *, contact_phone: str, width: int = FULL_WIDTH) -> Image.Image:
    """Draw a decision notice: granted, or refused with the reason and the way to appeal."""
    page = _page(width)
    _heading(page, data, "办理结果告知书", "Notice of decision")
    granted = data["decision"] == "granted"
    _field(page, "办理结果", "Decision",
           "准予办理 Granted" if granted else "不予办理 Refused", 30, bold=True)  # fmt: skip
    if data["reason"]:
        _field(page, "结果说明" if granted else "不予办理理由",
               "Outcome" if granted else "Reason", data["reason"])  # fmt: skip
    _field(page, "告知日期", "Date", data["decision_day"])
    if not granted:  # a refusal gives its reason and the way to challenge it (行政许可法第38条)
        _pair(
            page,
            "如对本决定不服，可以依法申请行政复议或者提起行政诉讼。",
            "If you disagree, you may apply for administrative reconsideration or bring "
            "an administrative lawsuit, as the law provides.",
            22,
        )
    _contact(page, data, contact_phone)
    _rule(page)
    _pair(page, "感谢您的耐心，欢迎监督！", "Thank you for your patience.", 22, centre=True)
    return page.finish()


# Each printout's kind (qhall.case_papers) and how it is drawn.
RENDERERS = {
    "case_receipt": render_receipt,
    "missing_materials": render_notice,
    "case_decision": render_decision,
}


def queue_printout(
    printer_name: str | None,
    data: dict,
    *,
    contact_phone: str,
    width: int,
    now: datetime,
    request_key: str | None,
) -> int | None:
    """Render a receipt or notice and queue it on the window's printer; return the job id,
    or None when the window has no printer. Call only after the case's commit."""
    if not printer_name:
        return None
    from printer import spooler  # the spooler is optional where nothing prints

    image = RENDERERS[data["kind"]](data, contact_phone=contact_phone, width=width)
    return spooler.enqueue(
        printer_name,
        image,
        kind=data["kind"],
        ref=data["number"],
        unit_code=data["unit"],
        now=now,
        request_key=f"{data['kind']}:{request_key}" if request_key else None,
    )
