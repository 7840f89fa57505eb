"""The hall screen's spoken calls: which clips, in which order, and where each clip is.

A call is announced as a chime and one Mandarin reading ("请 A幺幺七 号 到 3 号窗口 办理"),
about six seconds, so that a busy hall's voice keeps up with its calls. A hall may ask for
a second Mandarin reading and an English one ([voice] in config/screen_content.toml).
Ticket numbers are read digit by digit, with 1 as 幺 (yāo) as halls and phones say it, so
that A011 and A017 do not blur ([VOICE] ONE = "yi" for 一); window numbers are read as
numbers (三号, 十一号窗口), where 1 stays 一. The screen joins the clips in the browser and
drops a call it could not start in time (display/static/announcer.js); this module is the
one place that decides what is said. A unit of the dignified profile (qhall.profiles: the
funeral home, the cemeteries) calls without the chime or the closing 办理. A clip an
operator drops into config/voice/ (any of CLIP_SUFFIXES) replaces the one generated at set-up.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from config import CONFIG_DIR
from qhall.lookups import find_unit
from qhall.profiles import DEFAULT, PROFILES, Profile, profile_of
from qhall.screens import CONTENT_FILE, read_content_file, speaks_english

OPERATOR_DIR = CONFIG_DIR / "voice"
GENERATED_DIR = Path(__file__).resolve().parent.parent / "display" / "voice-generated"
CLIP_SUFFIXES = (".wav", ".ogg", ".mp3")

DIGITS_ZH = "零一二三四五六七八九"
DIGITS_EN = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
TEENS_EN = ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
            "seventeen", "eighteen", "nineteen")  # fmt: skip
TENS_EN = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# Every clip: name -> (espeak-ng voice, text). "tone" clips are made by the generator, not
# spoken. Chinese characters need the pinyin voice: Debian's plain "cmn" voice reads the
# pinyin it looks up with English rules. Letters need "cmn", which names them as Mandarin
# speakers do ("A" as "ei").
CLIPS: dict[str, tuple[str, str]] = {
    "chime": ("tone", "chime"),
    "pause": ("tone", "silence"),
    "qing": ("cmn-latn-pinyin", "请"),
    "hao": ("cmn-latn-pinyin", "号"),
    "dao": ("cmn-latn-pinyin", "到"),
    "hao_chuangkou": ("cmn-latn-pinyin", "号窗口"),
    "banli": ("cmn-latn-pinyin", "办理"),
    "shi": ("cmn-latn-pinyin", "十"),
    "yao": ("cmn-latn-pinyin", "幺"),  # 1 read digit by digit
    **{str(d): ("cmn-latn-pinyin", DIGITS_ZH[d]) for d in range(10)},
    **{letter: ("cmn", letter) for letter in LETTERS},
    "en_number": ("en", "Number"),
    "en_please_go_to_window": ("en", "please go to window"),
    **{f"en_{d}": ("en", DIGITS_EN[d]) for d in range(10)},
    **{f"en_{10 + i}": ("en", word) for i, word in enumerate(TEENS_EN)},
    **{f"en_{t * 10}": ("en", TENS_EN[t]) for t in range(2, 10)},
    **{f"en_{letter}": ("en", letter) for letter in LETTERS},
}


def announcement_clips(
    number: str,
    window: int,
    *,
    readings: int = 1,
    english: bool = False,
    one: str = "yao",
    profile: Profile = PROFILES[DEFAULT],
) -> list[str]:
    """Return the clips that announce a call, in order: a chime (unless the unit's profile
    is a quiet one), Mandarin once (or twice), then English once if asked for."""
    digits_zh = {"1": "yao"} if one == "yao" else {}
    mandarin = [
        "qing",
        *(digits_zh.get(clip, clip) for clip in _spell(number, "")),
        "hao",
        "dao",
        *_window_zh(window, digits_zh),
        "hao_chuangkou",
        *profile.call_ends_with,
    ]
    clips = ["chime", *mandarin] if profile.chime else list(mandarin)
    for _ in range(readings - 1):
        clips += ["pause", *mandarin]
    if english:
        spoken = ["en_number", *_spell(number, "en_"), "en_please_go_to_window"]
        clips += ["pause", *spoken, *_window_en(window)]
    return clips


def announcement(unit_code: str, number: str, window: int, settings: Mapping) -> dict:
    """Return what a hall's screen plays and shows for a call: the clips and captions.
    settings is the [VOICE] table."""
    unit = find_unit(unit_code)
    english = speaks_english(unit.code)
    twice = read_content_file(CONTENT_FILE).get("voice", {}).get("twice", [])
    readings = 2 if unit.code in twice else 1
    profile = profile_of(unit)
    text, text_en = announcement_text(number.upper(), window, profile)
    clips = announcement_clips(
        number, window, readings=readings, english=english, one=settings["ONE"], profile=profile
    )
    return {"clips": clips, "text": text, "text_en": text_en, "english": english}


def announcement_text(
    number: str, window: int, profile: Profile = PROFILES[DEFAULT]
) -> tuple[str, str]:
    """Return what the announcement says, in Chinese and English, for captions."""
    ending = "".join(CLIPS[clip][1] for clip in profile.call_ends_with)
    return (
        f"请 {number} 号到 {window} 号窗口{ending}",
        f"Number {number}, please go to window {window}",
    )


def _spell(number: str, prefix: str) -> list[str]:
    """Read a ticket number character by character ("A007": A, 0, 0, 7)."""
    return [prefix + char for char in number.upper() if char.isdigit() or char in LETTERS]


def _window_zh(window: int, digits: dict[str, str]) -> list[str]:
    """Read a window number as Mandarin says it: 3 三, 10 十, 12 十二, 20 二十, 35 三十五;
    past 99 digit by digit, as a room number (101 幺零幺)."""
    if not 0 < window < 100:
        return [digits.get(clip, clip) for clip in _spell(str(window), "")]
    tens, ones = divmod(window, 10)
    said = [] if tens == 0 else (["shi"] if tens == 1 else [str(tens), "shi"])
    return said + ([str(ones)] if ones or not said else [])


def _window_en(window: int) -> list[str]:
    """Read a window number as English says it: 3, 12, 20, 35 as "thirty five"."""
    if not 0 < window < 100:
        return _spell(str(window), "en_")
    if window < 20:
        return [f"en_{window}"]
    tens, ones = divmod(window, 10)
    return [f"en_{tens * 10}"] + ([f"en_{ones}"] if ones else [])


def clip_file(name: str) -> Path | None:
    """Return the file to play for a clip: the operator's recording if there is one, else
    the generated one; None for an unknown or missing clip."""
    if name not in CLIPS:
        return None
    for folder in (OPERATOR_DIR, GENERATED_DIR):
        for suffix in CLIP_SUFFIXES:
            path = folder / f"{name}{suffix}"
            if path.is_file():
                return path
    return None
