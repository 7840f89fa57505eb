"""The kiosk pages: thin views over the hall core."""

from kiosk import bp  # noqa: F401
