"""What the window's thermal printer prints: a case receipt (受理回执) and a missing-materials
notice (补正告知书), drawn as 1-bit images in Chinese then English, and queued on the
print spooler after the case's transaction has committed."""

from __future__ import annotations

from datetime import datetime

from PIL import Image, ImageDraw

from printer.fonts import cjk_font

FULL_WIDTH = 576  # 80 mm paper at 203 dpi; 58 mm paper has 384 dots
MARGIN = 14
MIN_TEXT = 17  # smaller type loses strokes on a thermal head


class Sheet:
    """A tall white page that left-aligned lines are written down, wrapped to its width."""

    def __init__(self, width: int = FULL_WIDTH) -> None:
        self.width = width
        self.scale = width / FULL_WIDTH
        self.image = Image.new("L", (width, 6000), 255)
        self.draw = ImageDraw.Draw(self.image)
        self.y = MARGIN

    def line(self, text: str, size: float = 24, *, bold=False, centre=False, indent=0) -> None:
        """Write text, wrapped; centred for titles."""
        font = cjk_font(max(MIN_TEXT, round(size * self.scale)), bold)
        left = MARGIN + round(indent * self.scale)
        for row in wrap(text, font, self.width - left - MARGIN):
            x0, top, x1, bottom = self.draw.textbbox((0, 0), row, font=font)
            x = (self.width - (x1 - x0)) // 2 - x0 if centre else left - x0
            self.draw.text((x, self.y - top), row, font=font, fill=0)
            self.y += bottom - top + round(6 * self.scale)

    def pair(self, zh: str, en: str, size: float = 24, **how) -> None:
        """Write Chinese and beneath it, smaller, English."""
        self.line(zh, size, **how)
        self.line(en, size * 0.7, **{k: v for k, v in how.items() if k != "bold"})
        self.space(4)

    def field(self, label_zh: str, label_en: str, value: str, size: float = 24, bold=False):
        """Write "标签 Label：" and the value under it, indented."""
        self.line(f"{label_zh} {label_en}:", size * 0.8)
        self.line(value, size, bold=bold, indent=16)
        self.space(4)

    def rule(self) -> None:
        self.space(6)
        dash = round(8 * self.scale)
        for x in range(MARGIN, self.width - MARGIN, dash * 2):
            self.draw.line((x, self.y, x + dash, self.y), fill=0, width=2)
        self.space(12)

    def space(self, dots: float) -> None:
        self.y += round(dots * self.scale)

    def finish(self) -> Image.Image:
        """Return the page cut to what was written, 1-bit, without dithering."""
        page = self.image.crop((0, 0, self.width, self.y + MARGIN))
        return page.point(lambda v: 255 if v >= 128 else 0).convert("1", dither=Image.Dither.NONE)


def wrap(text: str, font, width: int) -> list[str]:
    """Split text into lines no wider than width; Latin words stay whole where they fit."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for token in _tokens(paragraph):
            if line and font.getlength(line + token) > width:
                lines.append(line.rstrip())
                line = token.lstrip()
            else:
                line += token
        lines.append(line.rstrip())
    return lines


def _tokens(text: str) -> list[str]:
    tokens, word = [], ""
    for char in text:
        if char.isascii() and not char.isspace():
            word += char
            continue
        if word:
            tokens.append(word)
            word = ""
        tokens.append(char)
    return [*tokens, word] if word else tokens


def _materials(sheet: Sheet, items: list[dict]) -> None:
    if not items:
        sheet.line("（无 None）", 22, indent=16)
    for n, item in enumerate(items, 1):
        sheet.line(f"{n}. {item['name']} × {item['quantity']}", 22, indent=16)


def _heading(sheet: Sheet, data: dict, zh: str, en: str) -> None:
    sheet.pair(data["unit_name"], data["unit_name_en"], 24, centre=True)
    sheet.pair(zh, en, 36, bold=True, centre=True)
    sheet.rule()
    sheet.field("办件编号", "Case No.", data["number"], 30, bold=True)
    sheet.field("办理事项", "Service", f"{data['service_name']} {data['service_name_en']}")
    sheet.field("申请事由", "Matter", data["matter"])
    if data.get("visitor_name"):
        sheet.field("申请人", "Applicant", data["visitor_name"])


def _contact(sheet: Sheet, data: dict, phone: str) -> None:
    window = f"，{data['window']}号窗口 (Window {data['window']})" if data.get("window") else ""
    sheet.field("经办人", "Handled by", f"{data['staff_name']}（{data['employee_no']}）{window}")
    sheet.field("咨询电话", "Enquiries", phone, bold=True)


def render_receipt(data: dict, *, contact_phone: str, width: int = FULL_WIDTH) -> Image.Image:
    """Draw a case receipt: number, matter, materials received, promised date, whom to call."""
    sheet = Sheet(width)
    _heading(sheet, data, "受理回执", "Acceptance receipt")
    sheet.line("已收材料 Materials received:", 19)
    _materials(sheet, data["materials"])
    sheet.space(6)
    sheet.field("受理日期", "Accepted on", data["accepted_day"])
    sheet.field("承诺办结日期", "Promised by", data["due_day"], 30, bold=True)
    sheet.line(
        f"（{data['time_limit_days']}个工作日内 within {data['time_limit_days']} working days）",
        20,
        indent=16,
    )
    sheet.space(4)
    _contact(sheet, data, contact_phone)
    sheet.rule()
    sheet.pair(
        "请妥善保管本回执，凭回执查询办理进度、领取结果。感谢您的耐心，欢迎监督！",
        "Please keep this receipt to follow your case and collect the result. Thank you.",
        22,
        centre=True,
    )
    return sheet.finish()


def render_notice(data: dict, *, contact_phone: str, width: int = FULL_WIDTH) -> Image.Image:
    """Draw a missing-materials notice: what to bring, and that the clock waits meanwhile."""
    sheet = Sheet(width)
    _heading(sheet, data, "补正材料告知书", "Notice of missing materials")
    sheet.line("请您补齐以下材料 Please bring:", 22, bold=True)
    _materials(sheet, data["missing"])
    sheet.space(6)
    sheet.field("告知日期", "Date", data["notice_day"])
    sheet.pair(
        f"补正期间办理时限暂停计算；材料补齐后继续计算，剩余 {data['days_left']} 个工作日。",
        f"The time limit waits until the materials arrive; then {data['days_left']} "
        "working days remain.",
        22,
    )
    _contact(sheet, data, contact_phone)
    sheet.rule()
    sheet.pair(
        "一次告知，感谢您的理解与配合！",
        "This is everything still needed. Sorry for the trouble, and thank you.",
        22,
        centre=True,
    )
    return sheet.finish()


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

    render = render_receipt if data["kind"] == "case_receipt" else render_notice
    image = render(data, contact_phone=contact_phone, width=width)
    return spooler.enqueue(
        printer_name,
        image,
        kind=data["kind"],
        ref=data["number"],
        unit_code=data["unit"],
        now=now,
        request_key=f"{data['kind']}:{request_key}" if request_key else None,
    )
