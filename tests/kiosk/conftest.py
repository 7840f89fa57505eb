"""Printing fixtures: the fake network printer."""

from tests.printer.fake_printer import fake_printer  # noqa: F401
