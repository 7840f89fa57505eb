"""Printers and kiosks as the settings name them (PRINTERS, KIOSKS in config/default.toml)."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from config import CONFIG_DIR

KINDS = ("network", "usb", "serial", "file", "none")
DEMO_FILE = CONFIG_DIR / "demo.toml"


class PrinterConfigError(ValueError):
    """A printer or kiosk setting that cannot work."""


@dataclass(frozen=True)
class PrinterConfig:
    """One printer: how to reach it, its paper and its python-escpos profile."""

    name: str
    unit: str
    kind: str = "network"
    host: str = ""
    port: int = 9100
    timeout_s: float = 3.0
    vendor_id: int = 0  # USB
    product_id: int = 0
    device: str = ""  # serial device, or the file/device path of kind "file"
    baudrate: int = 9600
    width: int = 576  # dots: 576 for 80 mm paper, 384 for 58 mm
    profile: str = "TM-T20II"
    cut: bool = True

    @property
    def prints(self) -> bool:
        """Tell whether there is anything to send to (kind "none" prints nothing)."""
        return self.kind != "none"


@dataclass(frozen=True)
class KioskConfig:
    """One kiosk: its hall and the printer beside it (none: the ticket is shown only)."""

    name: str
    unit: str
    printer: str | None = None
    # The secret a registered kiosk shows with each ticket it asks for (X-Device-Token).
    token: str = ""
    # The ID card reader's bridge on the kiosk machine, as the kiosk's browser reaches it
    # (kiosk/id_card_bridge.py), e.g. "http://127.0.0.1:17321"; empty: no reader.
    id_card_bridge: str = ""


def _printer(spec: Mapping, instance_path: Path, unit: str | None = None) -> PrinterConfig:
    fields = {k: v for k, v in spec.items() if k in PrinterConfig.__dataclass_fields__}
    if unit:
        fields.setdefault("unit", unit)
    try:
        printer = PrinterConfig(**fields)
    except TypeError as error:
        raise PrinterConfigError(f"printer {spec.get('name')!r}: {error}") from error
    if printer.kind not in KINDS:
        raise PrinterConfigError(f"printer {printer.name!r}: kind must be one of {KINDS}")
    if printer.kind == "network" and not printer.host:
        raise PrinterConfigError(f"printer {printer.name!r}: a network printer needs a host")
    if printer.kind in ("serial", "file") and not printer.device:
        raise PrinterConfigError(f"printer {printer.name!r}: kind {printer.kind} needs a device")
    if printer.kind == "file" and not Path(printer.device).is_absolute():
        # A relative file (the demo's) lives in the instance folder.
        fields["device"] = str(instance_path / printer.device)
        printer = PrinterConfig(**fields)
    return printer


def _demo_specs() -> tuple[list[tuple[dict, str]], list[tuple[dict, str]]]:
    bureau = tomllib.loads(DEMO_FILE.read_text(encoding="utf-8"))
    printers = [(p, u["code"]) for u in bureau.get("unit", []) for p in u.get("printer", [])]
    kiosks = [(k, u["code"]) for u in bureau.get("unit", []) for k in u.get("kiosk", [])]
    return printers, kiosks


def load_printers(settings: Mapping, instance_path: Path) -> dict[str, PrinterConfig]:
    """Return the configured printers by name (PRINTERS, and the demo's if DEMO_PRINTERS)."""
    specs = [(spec, None) for spec in settings.get("PRINTERS", [])]
    if settings.get("DEMO_PRINTERS"):
        specs += _demo_specs()[0]
    printers: dict[str, PrinterConfig] = {}
    for spec, unit in specs:
        printer = _printer(spec, instance_path, unit)
        printers.setdefault(printer.name, printer)  # PRINTERS wins over the demo's
    return printers


def load_kiosks(settings: Mapping) -> dict[str, KioskConfig]:
    """Return the configured kiosks by name (KIOSKS, and the demo's if DEMO_PRINTERS)."""
    specs = [(spec, None) for spec in settings.get("KIOSKS", [])]
    if settings.get("DEMO_PRINTERS"):
        specs += _demo_specs()[1]
    kiosks: dict[str, KioskConfig] = {}
    for spec, unit in specs:
        kiosk = KioskConfig(
            name=spec["name"],
            unit=spec.get("unit", unit),
            printer=spec.get("printer") or None,
            token=spec.get("token", ""),
            id_card_bridge=_bridge_origin(spec.get("id_card_bridge", ""), spec["name"]),
        )
        kiosks.setdefault(kiosk.name, kiosk)
    return kiosks


def _bridge_origin(address: str, kiosk: str) -> str:
    # The page fetches from it and its pages' policy names it (connect-src): an origin only.
    if not address:
        return ""
    parts = urlsplit(address)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path.strip("/"):
        raise PrinterConfigError(
            f"kiosk {kiosk!r}: id_card_bridge must be an address such as http://127.0.0.1:17321"
        )
    return f"{parts.scheme}://{parts.netloc}"
