"""qhall: queue and self-service software for the service halls of a civil-affairs bureau."""

__version__ = "0.1.0"
