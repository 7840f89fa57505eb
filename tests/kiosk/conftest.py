"""Printing fixtures: the fake network printer."""

from tests.printer.conftest import fake_printer  # noqa: F401
