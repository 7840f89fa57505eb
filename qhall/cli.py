"""The `qhall` command: init-db, demo, user add/token, serve."""

from __future__ import annotations

import os
import sys

import click

from qhall import demo_fakes
from qhall.app import create_app
from qhall.models import ROLES
from qhall.validate import BadConfig


def _app():
    try:
        return create_app()
    except BadConfig as error:  # the file, the entry and the field; no traceback
        raise click.ClickException(str(error)) from error


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
    """Seed the demo bureau (its main hall and ten units, their services, windows, staff
    and, unless DEMO_HISTORY is false, a past week played through three of the halls)."""
    app = _app()
    _init_db(app)
    _warn_of_demo_passwords(_seed_demo(app))


def _warn_of_demo_passwords(bureau: dict) -> None:
    """Say loudly that the demo's accounts open with a password printed in the README and
    here, and how real accounts get their own (the prompt keeps it out of shell history)."""
    logins = [p["login"] for p in bureau.get("admin", [])]
    logins += [p["login"] for unit in bureau["unit"] for p in unit.get("staff", [])][:2]
    rule = "!" * 88
    click.echo(
        f"\n{rule}\n"
        f"!! 警告：演示账号（{'、'.join(logins)} 等）使用公开的演示密码 “{bureau['password']}”，\n"
        "!!       任何人都知道。切勿用于真实大厅。请为每个真实账号设置自己的密码，\n"
        "!!       或用同一命令重设演示账号的密码：\n"
        f"!! WARNING: the demo accounts ({', '.join(logins)}, ...) use the published demo\n"
        f'!!          password "{bureau["password"]}", which anyone can read.\n'
        "!!          Never use them for a real hall. Give every real account its own password,\n"
        "!!          or reset the demo accounts' passwords with the same command:\n"
        "!!     qhall user add --login LOGIN --role ROLE --unit UNIT   (asks for the password)\n"
        f"{rule}"
    )


def _seed_demo(app) -> dict:
    from qhall.clock import utcnow
    from qhall.demo_history import seed_past_week
    from qhall.seed import load_bureau

    try:
        bureau = load_bureau()
    except BadConfig as error:
        raise click.ClickException(str(error)) from error
    click.echo("演示单位已就绪 Demo bureau ready: " + ", ".join(u["code"] for u in bureau["unit"]))
    if app.config["DEMO_HISTORY"]:
        click.echo("正在生成演示大厅上周的办件记录 Playing the demo halls' past week …")
        for code, tickets in seed_past_week(utcnow(), app.config).items():
            click.echo(f"  {code}: {tickets} 个号 tickets")
    return bureau


@main.group("user")
def user_group() -> None:
    """Manage staff accounts."""


@user_group.command("add")
@click.option("--login", required=True)
@click.option("--password", required=True, prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", type=click.Choice(ROLES), default="staff")
@click.option(
    "--unit",
    "unit_code",
    default=None,
    help="The unit code, for staff and managers (admins and inspectors serve the whole bureau).",
)
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
@click.option("--name", default="", help="What the token is for, e.g. hall-report-script.")
@click.option("--days", default=90, show_default=True, type=int, help="How long it lives.")
@click.option("--list", "listing", is_flag=True, help="List the account's tokens instead.")
@click.option(
    "--revoke", "revoke_id", type=int, default=None, help="Revoke the token with this number."
)
def user_token(login, name, days, listing, revoke_id) -> None:
    """Issue a bearer token for a staff member's program (shown once), list the account's
    tokens, or revoke one. A password reset or deactivation revokes them all."""
    from qhall.auth import issue_api_token, list_api_tokens, revoke_api_token
    from qhall.clock import utcnow
    from qhall.errors import HallError

    _app()
    now = utcnow()
    try:
        if listing:
            for token in list_api_tokens(login, now):
                expires = (
                    token["expires_at"].isoformat(" ", "minutes") if token["expires_at"] else "-"
                )
                click.echo(f"{token['id']:>5}  {token['state']:<8} {expires}  {token['name']}")
        elif revoke_id is not None:
            revoke_api_token(login, revoke_id, now)
            click.echo(f"已吊销令牌 Revoked token {revoke_id} of {login}")
        else:
            click.echo(issue_api_token(login, now, name=name, days=days))
    except HallError as error:
        raise click.ClickException(f"{error.zh} {error.en}") from error


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--demo", is_flag=True, help="Seed the demo bureau first and print its logins.")
@click.option("--dev", is_flag=True, help="Flask's development server instead of gunicorn.")
def serve(host: str, port: int, demo: bool, dev: bool) -> None:
    """Run the server: gunicorn with one gevent worker (see README for why one)."""
    if demo:
        # The demo halls' printers write into the instance folder (config/demo.toml).
        os.environ["QHALL_DEMO_PRINTERS"] = "true"
    app = _app()
    _init_db(app)
    bureau = _seed_demo(app) if demo else None
    _print_welcome(app, host, port, bureau)
    if demo:
        fakes = demo_fakes.start(app.config["DEMO_FAKE_PORTS"], _origins(host, port))
        for zh, en, address in fakes:
            click.echo(f"  {zh} {en}: {address}")
        app = _app() if fakes else app  # the outbox's channels now point at the fakes
    if dev:
        from qhall.web.background import start
        from qhall.web.realtime import socketio

        start(app)
        socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True)
        return
    # A fresh process, so that gevent patches the standard library before qhall is
    # imported, and the worker builds the app from the same environment.
    os.environ["QHALL_ASYNC_MODE"] = "gevent"
    from config import CONFIG_DIR

    args = [
        sys.executable, "-m", "gunicorn",
        "--config", str(CONFIG_DIR / "deploy" / "gunicorn.conf.py"),
        "--bind", f"{host}:{port}",
        "qhall.wsgi:app",
    ]  # fmt: skip
    os.execv(sys.executable, args)


def _origins(host: str, port: int) -> list[str]:
    """Return the addresses a kiosk page of this server may be opened at."""
    names = {host, "127.0.0.1", "localhost"} - {"0.0.0.0", "::"}
    return [f"http://{name}:{port}" for name in sorted(names)]


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
        _warn_of_demo_passwords(bureau)
        click.echo("\n登记的自助取号机 Registered demo kiosks (their tickets are not limited):")
        for kiosk in app.extensions["printing"].kiosks.values():
            if kiosk.token:
                click.echo(f"  {base}/kiosk/{kiosk.unit}?kiosk={kiosk.name}&device={kiosk.token}")
        click.echo("\n登记的评价器 Registered demo rating tablets (only they rate at a window):")
        for tablet in app.extensions["tablets"].values():
            click.echo(f"  {base}/counter/rate/{tablet.unit}/{tablet.window}?device={tablet.token}")
    click.echo("")


@main.command(
    "id-card-bridge", context_settings={"ignore_unknown_options": True, "help_option_names": []}
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def id_card_bridge(args) -> None:
    """Run the kiosk machine's ID card reader bridge (--port, --origin, --simulate; --help)."""
    from kiosk import id_card_bridge as bridge

    bridge.main(list(args))


@main.group("bench", invoke_without_command=True)
@click.option(
    "--seconds", default=10, show_default=True,
    help="How long kiosks issue tickets (and the longest windows call).",
)  # fmt: skip
@click.option("--clients", default=16, show_default=True, help="Concurrent kiosk clients.")
@click.option("--sockets", default=1000, show_default=True, help="Connected Socket.IO clients.")
@click.option("--calls", default=30, show_default=True, help="Calls measured to every client.")
@click.option(
    "--print-jobs", default=200, show_default=True, help="Tickets sent to the fake printer."
)
@click.option("--call-tickets", default=2000, show_default=True, help="Tickets eight windows call.")
@click.option(
    "--steps", default="issue,call,screens,print,outbox", show_default=True,
    help="The measurements to run, a comma list.",
)  # fmt: skip
@click.option("--against", default=None, help="Instead: issue against qhall and this URL in turn.")
@click.option(
    "--against-body", default=None, help="The body POSTed to --against (without it: GET)."
)
@click.option("--against-header", multiple=True, help="A header sent to --against, 'Name: value'.")
@click.option(
    "--b-setting", multiple=True,
    help="Instead: issue on qhall as it is (A) and with QHALL_ KEY=VALUE (B) in turn.",
)  # fmt: skip
@click.option(
    "--rounds", default=2, show_default=True, type=click.IntRange(1, 50),
    help="Rounds of --against or --b-setting.",
)  # fmt: skip
@click.option("--database-url", default="", help="PostgreSQL URL (default: SQLite).")
@click.option("--message-queue", default="", help="Redis URL for Socket.IO.")
@click.option("--json", "json_path", default=None, help="Also write the JSON report here.")
@click.option("--abuse", is_flag=True, help="Instead: /healthz latency under attack (issue 13).")
@click.pass_context
def bench(
    ctx, seconds, clients, sockets, calls, print_jobs, call_tickets, steps, against,
    against_body, against_header, b_setting, rounds, database_url, message_queue, json_path,
    abuse,
) -> None:  # fmt: skip
    """Measure qhall as it runs in production, on 127.0.0.1, and print the figures
    (`qhall bench estimates`: how true the wait estimates are)."""
    if ctx.invoked_subcommand:
        return
    if abuse:
        from qhall.tools import bench_abuse

        bench_abuse.main(["--seconds", str(seconds)] + (["--json", json_path] if json_path else []))
        return
    from qhall.tools import bench as benchmark

    settings = {
        k: v for k, v in {"DATABASE_URL": database_url, "MESSAGE_QUEUE": message_queue}.items() if v
    }
    try:
        chosen = benchmark.parse_steps(steps)
        headers = dict(benchmark.parse_header(line) for line in against_header)
        b_settings = dict(benchmark.parse_setting(text) for text in b_setting)
        if against:
            benchmark.check_local(against)
    except ValueError as error:
        raise click.BadParameter(str(error)) from error
    if against and b_settings:
        raise click.UsageError(
            "--against 与 --b-setting 请分开运行。 Please run --against and --b-setting apart."
        )
    if against:
        report = benchmark.run_against(
            against, against_body, headers, rounds, seconds, clients, settings
        )
    elif b_settings:
        report = benchmark.run_ab(b_settings, rounds, seconds, clients, settings)
    else:
        report = benchmark.run(
            seconds, clients, sockets, calls, print_jobs, settings, chosen, call_tickets
        )
    text = benchmark.main_json(report)
    click.echo(text)
    click.echo("")
    click.echo(benchmark.comparison_table(report) if "mode" in report else benchmark.table(report))
    if json_path:
        with open(json_path, "w", encoding="utf-8") as out:
            out.write(text)


@bench.command("estimates", context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def bench_estimates_command(args) -> None:
    """Replay simulated hall days and print how far the wait estimates were from the waits
    (options: --days, --tickets-per-day, --seed, --quick, --json; see --help)."""
    from qhall.tools import bench_estimates

    bench_estimates.main(list(args))


@main.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
def backup_command(path) -> None:
    """Write a consistent copy of the database to PATH while the server runs (SQLite)."""
    from qhall.backup import backup_to
    from qhall.errors import HallError

    _app()
    try:
        pages = backup_to(path)
    except HallError as error:
        raise click.ClickException(f"{error.zh}\n{error.en}") from error
    click.echo(f"备份完成 Backup written: {path} ({pages} pages)")


@main.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(path, yes) -> None:
    """Replace the database with a backup (stop the server first)."""
    from qhall.backup import restore_from
    from qhall.errors import HallError

    app = _app()
    if not yes:
        click.confirm(
            f"用 {path} 替换 {app.config['DATABASE_URL']} 的全部数据？ Replace all data?",
            abort=True,
        )
    try:
        restore_from(path)
    except HallError as error:
        raise click.ClickException(f"{error.zh}\n{error.en}") from error
    click.echo(f"已恢复 Restored from {path}")


@main.command("migrate")
def migrate_command() -> None:
    """Apply the schema migrations the database has not had yet (run once per city)."""
    from qhall.schema import migrate, status

    _app()
    applied = migrate()
    for name, done in status():
        click.echo(f"  {'✓' if done else ' '} {name}{'  (applied now)' if name in applied else ''}")
