"""The CJK font every printout uses: Noto Sans CJK from Debian's fonts-noto-cjk."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

FONT_DIR = Path("/usr/share/fonts/opentype/noto")
REGULAR = FONT_DIR / "NotoSansCJK-Regular.ttc"
BOLD = FONT_DIR / "NotoSansCJK-Bold.ttc"
# The .ttc holds JP, KR, SC, TC, HK faces in that order; index 2 is Simplified Chinese,
# whose glyph shapes are the ones a mainland reader expects.
SIMPLIFIED_CHINESE = 2


class FontMissing(RuntimeError):
    """The CJK font is not installed."""


@lru_cache(maxsize=64)
def cjk_font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """Return Noto Sans CJK SC at size pixels (bold if asked)."""
    path = BOLD if bold else REGULAR
    if not path.exists():
        raise FontMissing(
            f"{path} is missing: install Debian's fonts-noto-cjk package "
            "(config/debian-packages.txt; scripts/setup does it)"
        )
    return ImageFont.truetype(str(path), size, index=SIMPLIFIED_CHINESE)
