"""Unit profiles: how a unit's screens, spoken calls, kiosk and tickets address people.

Most halls are "standard": a chime before each call, the campaign's slogans and monthly
rankings on the screen, a welcome, the campaign's red and gold. The funeral home and the
cemeteries are "dignified": people come there grieving, so the call is quiet (no chime,
nothing added after the window), the screen shows only what a family needs to find its
way (no slogans, no rankings, no welcome), in subdued colours, and the ticket carries no
campaign line. This module is the one place that says what a profile changes; the screens,
the voice and the printer read the answers from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from qhall.errors import BadInput

Words = tuple[str, str]  # (Chinese, English)

# The campaign's own words, shown by a standard hall.
CAMPAIGN_BANNER: Words = (
    "文明服务我出彩　群众满意在窗口",
    "Civil service that shines, with the public satisfied at the window",
)


@dataclass(frozen=True)
class Profile:
    """What a unit's profile changes in what people see and hear."""

    code: str
    words: Words  # the profile's name, for the admin editor
    # The class on the hall screen's page, which picks its colours (display/static/display.css).
    css_class: str
    # A chime before each spoken call.
    chime: bool
    # Clips (qhall.voice.CLIPS) said after "请 A001 号到 3 号窗口".
    call_ends_with: tuple[str, ...]
    # Screen content kinds (qhall.screens.KINDS) the hall screen may rotate through.
    screen_kinds: frozenset[str]
    # Campaign lines on the kiosk and on tickets (config CIVILITY_LINES).
    campaign_lines: bool
    # The hall screen's words while no one is being called, the header first.
    idle: tuple[Words, Words]
    # The line along the hall screen's foot (and the content panel's title until it loads).
    banner: Words
    # The last line of a printed ticket.
    ticket_closing: Words
    # What the screen above a closed window says.
    window_closed_note: Words

    def shows(self, screen_kind: str) -> bool:
        """Tell whether the hall screen may show content of this kind."""
        return screen_kind in self.screen_kinds


# Every kind of screen content (qhall.screens.KINDS), by what it is.
INFORMATION_KINDS = frozenset({"service_items", "rules"})
CAMPAIGN_KINDS = frozenset({"commitment", "standards", "conduct", "values", "civility"})
RANKING_KINDS = frozenset({"model_window", "service_star"})

PROFILES: dict[str, Profile] = {
    "standard": Profile(
        code="standard",
        words=("标准", "Standard"),
        css_class="profile-standard",
        chime=True,
        call_ends_with=("banli",),
        screen_kinds=INFORMATION_KINDS | CAMPAIGN_KINDS | RANKING_KINDS,
        campaign_lines=True,
        idle=(
            ("欢迎光临", "Welcome"),
            (
                "请取号后留意叫号，谢谢",
                "Please take a ticket and listen for your number. Thank you.",
            ),
        ),
        banner=CAMPAIGN_BANNER,
        ticket_closing=(
            "请耐心等候叫号，谢谢！",
            "Please wait for your number to be called. Thank you!",
        ),
        window_closed_note=("欢迎您下次光临，谢谢", "Please come again. Thank you."),
    ),
    "dignified": Profile(
        code="dignified",
        words=("肃穆", "Dignified"),
        css_class="profile-dignified",
        chime=False,
        call_ends_with=(),
        # Only what a family needs to find its way: the campaign's commitments speak of
        # smiles and ratings, which do not belong in a place of mourning.
        screen_kinds=INFORMATION_KINDS,
        campaign_lines=False,
        idle=(
            ("请稍坐等候", "Please take a seat"),
            (
                "叫到您的号码时，请到所示窗口",
                "When your number is called, please come to the window shown",
            ),
        ),
        banner=("如需帮助，请告诉工作人员", "If you need any help, please tell a member of staff"),
        ticket_closing=("请稍坐等候叫号", "Please take a seat until your number is called"),
        # Never "come again" at a funeral home or a cemetery.
        window_closed_note=("本窗口今日服务已结束", "This window has closed for today"),
    ),
}
DEFAULT = "standard"


def profile_of(unit) -> Profile:
    """Return a unit's profile (a code no longer known reads as standard)."""
    return PROFILES.get(getattr(unit, "profile", DEFAULT) or DEFAULT, PROFILES[DEFAULT])


def check(code: str, zh: str = "单位类型", en: str = "Profile") -> str:
    """Return a profile's code, or BadInput naming the profiles there are."""
    if code not in PROFILES:
        names = "、".join(f"{p.code}（{p.words[0]}）" for p in PROFILES.values())
        raise BadInput(
            f"{zh}应为 {names} 之一。",
            f"{en} must be one of {', '.join(PROFILES)}.",
            allowed=list(PROFILES),
        )
    return code
