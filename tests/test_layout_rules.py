"""The layout's rules, checked on the source: the core has no web in it, and no file grows
past what a newcomer can read in one sitting."""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# Only the app factory and the web glue may speak Flask, Socket.IO or Werkzeug.
WEB_ALLOWED = {PROJECT_ROOT / "qhall" / "app.py", PROJECT_ROOT / "qhall" / "web"}
WEB_PACKAGES = ("flask", "flask_socketio", "flask_babel", "werkzeug", "socketio", "engineio")
CORE_FOLDERS = ("qhall", "printer", "config")
# Programs that build the application to run it: they may ask the factory for it (and so
# the web comes with it), but they speak no Flask themselves.
ENTRY_POINTS = {
    PROJECT_ROOT / "qhall" / "cli.py",
    PROJECT_ROOT / "qhall" / "wsgi.py",
    PROJECT_ROOT / "qhall" / "tools",
    PROJECT_ROOT / "config" / "deploy",
}
LONGEST_FILE = 600


def imported_packages(path: Path) -> set[str]:
    """Return every module a Python file imports when it runs
    (imports for type checkers only are left out)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            node.body = []
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def within(path: Path, places: set[Path]) -> bool:
    return any(path == place or place in path.parents for place in places)


def web_imports(path: Path) -> list[str]:
    """Return what a module imports of the web: a web framework, or (for the domain's own
    modules) qhall's web glue and app factory, which bring the framework with them."""
    glue = () if within(path, ENTRY_POINTS) else ("qhall.web", "qhall.app")
    return sorted(
        module
        for module in imported_packages(path)
        if module.split(".")[0] in WEB_PACKAGES
        # qhall.app and its submodules, not qhall.appointments
        or any(module == g or module.startswith(g + ".") for g in glue)
    )


def core_modules() -> list[Path]:
    modules = []
    for folder in CORE_FOLDERS:
        for path in sorted((PROJECT_ROOT / folder).rglob("*.py")):
            if not within(path, WEB_ALLOWED):
                modules.append(path)
    return modules


def test_the_core_imports_no_web_framework():
    speaking_web = {
        str(path.relative_to(PROJECT_ROOT)): web_imports(path) for path in core_modules()
    }
    assert {path: web for path, web in speaking_web.items() if web} == {}
    assert len(speaking_web) > 40  # the walk really saw the core


def tracked_text_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    return [
        PROJECT_ROOT / name
        for name in listed
        if Path(name).suffix in {".py", ".js", ".css", ".html", ".toml", ".md", ".sh", ".conf"}
    ]


def test_no_file_is_longer_than_a_newcomer_can_read():
    lengths = {
        str(path.relative_to(PROJECT_ROOT)): len(path.read_text(encoding="utf-8").splitlines())
        for path in tracked_text_files()
        if path.exists()
    }
    assert {name: n for name, n in lengths.items() if n > LONGEST_FILE} == {}
    assert "qhall/queue.py" in lengths
