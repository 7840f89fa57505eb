"""The hall's big screen and the small screen above each window (built on the hall core)."""
