"""Printing fixtures: the fake network printer (printer.fake)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from printer.fake import FakePrinter


@pytest.fixture
def fake_printer() -> Iterator[FakePrinter]:
    """A fake network printer, online, on a free port of 127.0.0.1."""
    printer = FakePrinter().start()
    yield printer
    printer.stop()
