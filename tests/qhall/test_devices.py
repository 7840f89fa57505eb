"""The registered rating tablets: read and checked from the settings (and the demo's), and
the one rule of which tablet a request's secret names."""

from __future__ import annotations

import tomllib

import pytest

from qhall.devices import DEMO_FILE, DeviceConfigError, Tablet, load_tablets, tablet_at
from qhall.errors import Forbidden, NotSignedIn

SECRET = "tablet-T1-secret-000001"


def test_tablets_are_read_and_checked():
    settings = {"TABLETS": [{"name": "t-1", "unit": "T", "window": 1, "token": SECRET}]}
    assert load_tablets(settings) == {"t-1": Tablet("t-1", "T", 1, SECRET)}
    for wrong in [
        {"name": "t-1", "unit": "T", "window": 1},  # no secret: anyone could rate as it
        {"name": "t-1", "unit": "T", "window": 1, "token": "short"},
        {"name": "t-1", "unit": "T", "window": "1", "token": SECRET},
        {"name": "t-1", "window": 1, "token": SECRET},
    ]:
        with pytest.raises(DeviceConfigError):
            load_tablets({"TABLETS": [wrong]})
    twice = [
        {"name": n, "unit": "T", "window": w, "token": SECRET} for n, w in [("a", 1), ("b", 2)]
    ]
    with pytest.raises(DeviceConfigError):
        load_tablets({"TABLETS": twice})  # one secret for two windows


def test_the_demo_has_a_tablet_at_every_window():
    tablets = load_tablets({"TABLETS": [], "DEMO_PRINTERS": True})
    assert tablets["mzj-tablet-3"] == Tablet("mzj-tablet-3", "MZJ", 3, "demo-tablet-mzj-3")
    bureau = tomllib.loads(DEMO_FILE.read_text("utf-8"))
    windows = {(unit["code"], c["window"]) for unit in bureau["unit"] for c in unit["counter"]}
    assert {("MZJ", 5), ("JZZ", 2), ("BYG", 2)} <= windows
    assert {(t.unit, t.window) for t in tablets.values()} == windows
    assert load_tablets({"TABLETS": []}) == {}


def test_a_secret_names_its_own_windows_tablet_only():
    tablets = [Tablet("t-1", "T", 1, SECRET), Tablet("u-1", "U", 1, "tablet-U1-secret-000003")]
    assert tablet_at("T", 1, SECRET, tablets).name == "t-1"
    for token in ["", "guess", SECRET + "x"]:
        with pytest.raises(NotSignedIn):
            tablet_at("T", 1, token, tablets)
    with pytest.raises(Forbidden):
        tablet_at("T", 2, SECRET, tablets)  # another window's
    with pytest.raises(Forbidden):
        tablet_at("T", 1, "tablet-U1-secret-000003", tablets)  # another hall's
