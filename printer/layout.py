"""What the printers print, laid out: the one page every printout is drawn on (Page), and
the paper ticket on it: plain values in, a 1-bit image as wide as the printer out. Case
receipts and missing-materials notices are drawn on the same page (printer.printouts).

Everything is drawn as an image (ESC/POS GS v 0 raster) so that Chinese prints the same on
every printer, whatever character sets its firmware has. Sizes are given for 80 mm paper
(576 dots) and scaled for narrower paper.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import qrcode
from PIL import Image, ImageDraw, ImageFont

from printer.fonts import cjk_font
from qhall.profiles import DEFAULT, PROFILES

FULL_WIDTH = 576  # dots across 80 mm paper at 203 dpi; 58 mm paper has 384
MARGIN = 12
# The canvas a page is drawn on before it is cut to length: room for a receipt listing
# many materials (75 cm of paper; a ticket takes about 15).
LONGEST = 6000
# The smallest type a thermal printer's dots keep legible (about 2 mm at 203 dpi).
MIN_TEXT = 17
# Words stay whole when a line wraps; each CJK character may stand alone.
TOKEN = re.compile(r"[A-Za-z0-9@#&'’.,:;!?%()\-/+]+\s*|\s+|.")


@dataclass(frozen=True)
class TicketContent:
    """What a paper ticket says, in both languages where people read it."""

    unit_name: str
    unit_name_en: str
    service_name: str
    service_name_en: str
    number: str
    ahead: int
    estimated_wait_s: int | None  # None: no open window serves the service
    issued_local: datetime  # wall-clock time in the hall's zone
    qr_url: str
    time_limit_days: int
    civility: tuple[str, str] | None  # (zh, en), the campaign line; None: the unit has none
    priority: tuple[str, str] | None = None  # (zh, en) label of the priority class
    # (zh, en), the last line: its unit's profile's (qhall.profiles).
    closing: tuple[str, str] = PROFILES[DEFAULT].ticket_closing


def wait_text(seconds: int | None) -> tuple[str, str]:
    """Return the estimated wait as people read it (the same rule as QHall.formatWait)."""
    if seconds is None:  # no open window serves the service (qhall.estimates)
        return "暂无窗口办理", "No window open"
    minutes = max(0, round(seconds / 60))
    if minutes < 1:
        return "即将办理", "Very soon"
    return f"约 {minutes} 分钟", f"About {minutes} min"


def time_limit_text(days: int) -> tuple[str, str]:
    """Return the service's promised time limit (限时办结) as people read it."""
    if days <= 0:
        return "即来即办，当场办结", "Done on the spot"
    return f"承诺 {days} 个工作日内办结", f"Completed within {days} working days"


class Page:
    """A tall white canvas that text, rules and pictures are stacked on, top to bottom.

    Sizes are given for 80 mm paper and scaled to the page's width. Tickets, case receipts
    and missing-materials notices are all drawn on it.

    The canvas is 1-bit: each line of text is drawn once in grey (anti-aliased) and cut to
    black and white at half grey (inked()), then stamped on. Lines never overlap (each
    moves down by its box and a gap of at least one dot), so this is the same picture as
    drawing everything in grey and cutting the whole page at the end; and the lines every
    ticket repeats (hall, service, footers) are drawn only once.
    """

    def __init__(self, width: int = FULL_WIDTH, *, margin: int = MARGIN) -> None:
        self.width = width
        self.margin = margin
        self.scale = width / FULL_WIDTH
        self.image = Image.new("1", (width, LONGEST), 255)
        self.draw = ImageDraw.Draw(self.image)
        self.y = margin

    def px(self, size: float) -> int:
        """Return a size given for 80 mm paper in this paper's dots, at least one."""
        return max(1, round(size * self.scale))

    def text(
        self,
        text: str,
        size: float,
        *,
        bold: bool = False,
        centre: bool = True,
        indent: float = 0,
        gap: float = 6,
    ) -> None:
        """Write text wrapped to the paper's width: centred, or from the margin plus indent."""
        font_size = max(MIN_TEXT, self.px(size))
        left = self.margin + (self.px(indent) if indent else 0)
        for line in wrapped(text, font_size, bold, self.width - left - self.margin):
            ink, (x0, top, x1, bottom) = inked(line, font_size, bold)
            x = (self.width - (x1 - x0)) // 2 - x0 if centre else left - x0
            if ink is not None:
                self.image.paste(0, (x + x0 - INK_PAD, self.y - INK_PAD), ink)
            self.y += bottom - top + self.px(gap)

    def pair(
        self,
        zh: str,
        en: str,
        size: float,
        *,
        bold: bool = False,
        centre: bool = True,
        english: float = 0.62,
        gaps: tuple[float, float] = (4, 10),
    ) -> None:
        """Write Chinese and, beneath it and smaller (english times its size), English;
        gaps are the space under each."""
        self.text(zh, size, bold=bold, centre=centre, gap=gaps[0])
        self.text(en, size * english, centre=centre, gap=gaps[1])

    def boxed(self, zh: str, en: str, size: float) -> None:
        """Write a line in white on black, for what the counter must notice (priority)."""
        top = self.y
        self.space(6)
        self.pair(zh, en, size, bold=True)
        box = (self.margin, top, self.width - self.margin, self.y)
        # Invert the band: what was drawn black becomes white on a black box.
        band = self.image.crop(box).convert("L").point(lambda v: 255 - v)
        self.image.paste(band.convert("1", dither=Image.Dither.NONE), box[:2])

    def rule(self, *, above: float = 4, below: float = 10, weight: int | None = None) -> None:
        """Draw a dashed line across, weight dots thick (by default 2, scaled to the paper)."""
        self.space(above)
        dash = self.px(8)
        weight = self.px(2) if weight is None else weight
        for x in range(self.margin, self.width - self.margin, dash * 2):
            self.draw.line((x, self.y, x + dash, self.y), fill=0, width=weight)
        self.space(below)

    def picture(self, picture: Image.Image) -> None:
        """Paste a picture, centred (cut to black and white at half grey)."""
        if picture.mode != "1":
            picture = one_bit(picture.convert("L"))
        self.image.paste(picture, ((self.width - picture.width) // 2, self.y))
        self.y += picture.height

    def space(self, size: float) -> None:
        """Move down by size (scaled, and at least one dot, as px() rounds)."""
        self.y += self.px(size)

    def finish(self) -> Image.Image:
        """Return the page cut to what was drawn, as a 1-bit image."""
        return self.image.crop((0, 0, self.width, self.y + self.margin))


def one_bit(image: Image.Image) -> Image.Image:
    """Return a grey image in black and white, cut at half grey, without dithering."""
    return image.point(lambda v: 255 if v >= 128 else 0).convert("1", dither=Image.Dither.NONE)


# White dots kept around a line's box when it is drawn alone, in case a glyph's ink
# reaches past the box its metrics give.
INK_PAD = 4


@lru_cache(maxsize=1024)
def wrapped(text: str, size: int, bold: bool, width: int) -> tuple[str, ...]:
    """Return text's lines in the CJK font at size (wrap(), remembered)."""
    return tuple(wrap(text, cjk_font(size, bold), width))


# A remembered line is at most a page wide and a few dozen dots high (some 20 kB; the
# ticket's number about 50): room for every fixed line of a hall's tickets and receipts
# in ten megabytes or so; the lines that change each time push out only each other.
@lru_cache(maxsize=512)
def inked(line: str, size: int, bold: bool) -> tuple[Image.Image | None, tuple[int, int, int, int]]:
    """Return one line of text in the CJK font at size as it prints, and its box (what
    ImageDraw.textbbox gives at the origin): a 1-bit mask, set where the dot is black, whose
    top left is the box's, less INK_PAD each way; None if no dot is black."""
    font = cjk_font(size, bold)
    canvas = Image.new("L", (1, 1), 255)
    x0, top, x1, bottom = box = ImageDraw.Draw(canvas).textbbox((0, 0), line, font=font)
    canvas = Image.new("L", (x1 - x0 + 2 * INK_PAD, bottom - top + 2 * INK_PAD), 255)
    ImageDraw.Draw(canvas).text((INK_PAD - x0, INK_PAD - top), line, font=font, fill=0)
    # Black where the grey is darker than half: the same cut as one_bit().
    ink = canvas.point(lambda v: 255 if v < 128 else 0).convert("1", dither=Image.Dither.NONE)
    return (ink if ink.getbbox() else None), box


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Split text into lines no wider than width: at its own line breaks, then between
    tokens (a Latin word stays whole; each CJK character may stand alone). Blank lines
    inside the text are kept; blank text gives no lines."""
    lines: list[str] = []
    for paragraph in text.splitlines():
        rows, line = [], ""
        for token in TOKEN.findall(paragraph):
            if line and font.getlength(line + token) > width:
                rows.append(line.rstrip())
                line = token.lstrip()
            else:
                line += token
        if line.strip():
            rows.append(line.rstrip())
        lines += rows or [""]
    return lines if text.strip() else []


def qr_image(url: str, size: int) -> Image.Image:
    """Return the QR code of url as a 1-bit image, about size dots square, with whole dots
    per module and the quiet zone of four modules that scanners need around it."""
    # A fixed mask: searching all eight for the "best" one takes most of a ticket's
    # drawing time, and any mask reads; the standard makes the search an optimisation.
    code = qrcode.QRCode(
        border=4, box_size=1, error_correction=qrcode.constants.ERROR_CORRECT_M, mask_pattern=2
    )
    code.add_data(url)
    code.make(fit=True)
    module = max(2, size // code.modules_count)
    # The modules straight into an image: qrcode's own image draws them one by one.
    rows = code.get_matrix()  # the quiet zone included
    dots = bytes(0 if dark else 255 for row in rows for dark in row)
    matrix = Image.frombytes("L", (len(rows), len(rows)), dots).convert("1")
    return matrix.resize((matrix.width * module,) * 2, Image.Resampling.NEAREST)


def render_ticket(ticket: TicketContent, width: int = FULL_WIDTH) -> Image.Image:
    """Draw the paper ticket as a 1-bit image exactly `width` dots wide."""
    page = Page(width)
    page.pair(ticket.unit_name, ticket.unit_name_en, 34, bold=True)
    page.pair(ticket.service_name, ticket.service_name_en, 30)
    page.rule()
    page.text("您的号码 Your number", 24)
    page.text(ticket.number, 150, bold=True, gap=12)
    if ticket.priority:
        zh, en = ticket.priority
        page.boxed(f"优先办理：{zh}", f"Priority: {en}", 30)
        page.space(8)
    wait_zh, wait_en = wait_text(ticket.estimated_wait_s)
    page.pair(
        f"前面还有 {ticket.ahead} 人 · 预计等候{wait_zh}",
        f"{ticket.ahead} ahead of you · wait: {wait_en}",
        28,
    )
    limit_zh, limit_en = time_limit_text(ticket.time_limit_days)
    page.pair(f"办理时限：{limit_zh}", f"Time limit: {limit_en}", 26)
    page.rule()
    page.space(-10)  # the QR code's own quiet zone is the space above it
    page.picture(qr_image(ticket.qr_url, page.px(220)))
    page.pair("扫码在手机上查看排队进度", "Scan to follow your place on your phone", 24)
    page.text(ticket.issued_local.strftime("%Y-%m-%d %H:%M"), 24)
    page.rule()
    if ticket.civility:
        page.pair(*ticket.civility, 26, bold=True)
    page.pair(*ticket.closing, 28)
    return page.finish()


def png_bytes(image: Image.Image) -> bytes:
    """Return an image as PNG bytes (a 1-bit ticket is a few kilobytes)."""
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()
