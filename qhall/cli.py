"""The `qhall` command: init-db, demo, user add/token, serve."""

from __future__ import annotations

import os
import sys

import click

from qhall.app import create_app


def _app():
    return create_app()


def _init_db(app) -> None:
    from qhall.seed import init_db

    init_db(app.config["PAUSE_REASONS"])


@click.group()
def main() -> None:
    """qhall: queue and self-service for civil-affairs service halls."""


@main.command("init-db")
def init_db_command() -> None:
    """Create the database tables and the default pause reasons."""
    app = _app()
    _init_db(app)
    click.echo(f"数据库已就绪 Database ready: {app.config['DATABASE_URL']}")


@main.command("demo")
def demo_command() -> None:
    """Seed the demo bureau (three halls, their services, windows and staff)."""
    app = _app()
    _init_db(app)
    _seed_demo()


def _seed_demo() -> dict:
    from qhall.seed import load_bureau

    bureau = load_bureau()
    click.echo("演示单位已就绪 Demo bureau ready: " + ", ".join(u["code"] for u in bureau["unit"]))
    return bureau


@main.group("user")
def user_group() -> None:
    """Manage staff accounts."""


@user_group.command("add")
@click.option("--login", required=True)
@click.option("--password", required=True, prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", type=click.Choice(["staff", "manager", "admin"]), default="staff")
@click.option("--unit", "unit_code", default=None, help="The unit code, for staff and managers.")
@click.option("--name", default=None)
@click.option("--employee-no", default="")
def user_add(login, password, role, unit_code, name, employee_no) -> None:
    """Create a staff account (or reset its password and role)."""
    from qhall.auth import add_staff
    from qhall.errors import HallError

    app = _app()
    _init_db(app)
    try:
        staff = add_staff(
            login, password, role=role, name=name, employee_no=employee_no, unit_code=unit_code
        )
    except HallError as error:
        raise click.ClickException(f"{error.zh} {error.en}") from error
    click.echo(f"已保存账号 Saved account: {staff.login} ({staff.role})")


@user_group.command("token")
@click.argument("login")
def user_token(login) -> None:
    """Print a new bearer token for a staff member's program (shown once)."""
    from qhall.auth import issue_api_token
    from qhall.clock import utcnow
    from qhall.errors import HallError

    _app()
    try:
        click.echo(issue_api_token(login, utcnow()))
    except HallError as error:
        raise click.ClickException(f"{error.zh} {error.en}") from error


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--demo", is_flag=True, help="Seed the demo bureau first and print its logins.")
@click.option("--dev", is_flag=True, help="Flask's development server instead of gunicorn.")
def serve(host: str, port: int, demo: bool, dev: bool) -> None:
    """Run the server: gunicorn with one gevent worker (see README for why one)."""
    app = _app()
    _init_db(app)
    bureau = _seed_demo() if demo else None
    _print_welcome(app, host, port, bureau)
    if dev:
        from qhall.realtime import socketio

        socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True)
        return
    # A fresh process, so that gevent patches the standard library before qhall is
    # imported, and the worker builds the app from the same environment.
    os.environ["QHALL_ASYNC_MODE"] = "gevent"
    args = [
        sys.executable, "-m", "gunicorn",
        "--worker-class", "gevent", "--workers", "1",
        "--worker-connections", "4000",
        "--bind", f"{host}:{port}",
        "--graceful-timeout", "5",
        # Several qhall servers may share a host; gunicorn's control socket path would clash.
        "--no-control-socket",
        "--access-logfile", "-",
        "qhall.wsgi:app",
    ]  # fmt: skip
    os.execv(sys.executable, args)


def _print_welcome(app, host: str, port: int, bureau: dict | None) -> None:
    from qhall.models import Unit
    from qhall.pages import SITE_PAGES, unit_pages

    base = f"http://{host}:{port}"
    click.echo(f"\nqhall 正在启动 is starting on {base}  (database: {app.config['DATABASE_URL']})")
    for zh, en, path in SITE_PAGES:
        click.echo(f"  {zh} {en}: {base}{path}")
    for unit in Unit.select().order_by(Unit.code):
        for zh, en, path in unit_pages(unit.code):
            click.echo(f"  {unit.code} {zh} {en}: {base}{path}")
    if bureau:
        click.echo(f"\n演示账号 Demo logins (password / 密码: {bureau['password']}):")
        for unit in bureau["unit"]:
            for person in unit.get("staff", []):
                click.echo(
                    f"  {person['login']:<14} {person['role']:<8} {unit['code']}  {person['name']}"
                )
        for person in bureau.get("admin", []):
            click.echo(f"  {person['login']:<14} {person['role']:<8} *    {person['name']}")
    click.echo("")
