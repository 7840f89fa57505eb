"""The rating tablets (评价器) registered in the hall's settings: one faces the visitor at a
window, and only it may rate the visits that window serves (TABLETS in config/default.toml,
and the demo bureau's [[unit.tablet]] in config/demo.toml).

A tablet is a device like a registered kiosk: it is given its secret once, in its address,
and shows it with every request as X-Device-Token. A staff session is not a device."""

from __future__ import annotations

import hmac
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from config import CONFIG_DIR
from qhall.errors import Forbidden, NotSignedIn

DEMO_FILE = CONFIG_DIR / "demo.toml"


class DeviceConfigError(ValueError):
    """A tablet setting that cannot work."""


@dataclass(frozen=True)
class Tablet:
    """One rating tablet: its name, the hall and window it faces the visitor at, its secret."""

    name: str
    unit: str
    window: int
    token: str


def load_tablets(settings: Mapping) -> dict[str, Tablet]:
    """Return the registered tablets by name (TABLETS, and the demo's if DEMO_PRINTERS)."""
    specs = [(spec, None) for spec in settings.get("TABLETS", [])]
    if settings.get("DEMO_PRINTERS"):  # the demo's devices: its printers, kiosks and tablets
        bureau = tomllib.loads(DEMO_FILE.read_text(encoding="utf-8"))
        specs += [(t, u["code"]) for u in bureau.get("unit", []) for t in u.get("tablet", [])]
    tablets: dict[str, Tablet] = {}
    secrets: set[str] = set()
    for spec, unit in specs:
        tablet = _tablet(spec, unit)
        if tablet.name in tablets:
            continue  # TABLETS wins over the demo's
        if tablet.token in secrets:
            # One secret, two tablets: a rating could not say which window it came from.
            raise DeviceConfigError(f"tablet {tablet.name!r}: its token is another tablet's")
        tablets[tablet.name] = tablet
        secrets.add(tablet.token)
    return tablets


def _tablet(spec: Mapping, unit: str | None) -> Tablet:
    name = spec.get("name")
    window = spec.get("window")
    token = spec.get("token")
    unit = spec.get("unit", unit)
    if not isinstance(name, str) or not name:
        raise DeviceConfigError(f"tablet {spec!r}: it needs a name")
    if not isinstance(unit, str) or not unit:
        raise DeviceConfigError(f"tablet {name!r}: it needs the unit it stands in")
    if not isinstance(window, int) or isinstance(window, bool) or window < 1:
        raise DeviceConfigError(f"tablet {name!r}: window must be a window's number")
    if not isinstance(token, str) or len(token) < 16:
        # A short secret is guessed; without one anyone could rate as this tablet.
        raise DeviceConfigError(f"tablet {name!r}: token must be a secret of 16 characters or more")
    return Tablet(name=name, unit=unit, window=window, token=token)


def shows_secret(secret: str | None, shown: str | None) -> bool:
    """Tell whether a request shows a registered device's secret (a kiosk's or a tablet's):
    compared in constant time, so how long a refusal takes tells nothing, and as bytes,
    since a header may carry characters beyond ASCII. A device without a secret is no
    one's: anyone could name it."""
    return bool(secret and shown) and hmac.compare_digest(secret.encode(), shown.encode())


def tablet_at(unit_code: str, window: int, device_token: str, tablets: Iterable[Tablet]) -> Tablet:
    """Return the registered tablet whose secret a request shows, if it is the tablet of this
    hall's window: 401 without a secret or with an unknown one, 403 for the secret of a
    tablet at another window or in another hall."""
    tablet = None
    for candidate in tablets:  # every one compared: the time taken tells nothing either
        if shows_secret(candidate.token, device_token):
            tablet = candidate
    if tablet is None:
        raise NotSignedIn(
            "本评价器尚未登记，无法评价。请联系大厅管理员，谢谢。",
            "This rating tablet is not registered, so it cannot rate. Please ask the hall's "
            "administrator. Thank you.",
        )
    if tablet.unit != unit_code or tablet.window != window:
        raise Forbidden(
            "这台评价器不属于本窗口，只能评价它所在窗口的服务。",
            "This rating tablet belongs to another window; it rates only the visits of its own.",
        )
    return tablet
