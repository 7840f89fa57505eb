"""The counter pages: thin views over the hall core."""

from counter import bp  # noqa: F401
