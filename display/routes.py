"""The display pages: thin views over the hall core."""

from display import bp  # noqa: F401
