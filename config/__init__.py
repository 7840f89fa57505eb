"""Settings, the demo bureau, screen content and deployment files that ship with qhall."""

from pathlib import Path

CONFIG_DIR = Path(__file__).resolve().parent
