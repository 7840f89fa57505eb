"""A real PostgreSQL and a real Redis on 127.0.0.1, started for the scale-out tests.

Nothing is skipped: if either cannot be started, the tests fail and say why (set-up
installs both: config/debian-packages.txt)."""

from __future__ import annotations

import getpass
import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.servers import free_port


def _pg_bin() -> Path:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    if not found:
        pytest.fail("PostgreSQL is not installed (Debian package postgresql): run scripts/setup")
    return Path(found[-1]).parent


def _as_postgres_user(command: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; as root, run it as the postgres user.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _run(command: list[str], what: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        pytest.fail(f"{what} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """Start a throw-away PostgreSQL cluster on a free port; yield its URL."""
    bin_dir = _pg_bin()
    # Not under pytest's tmp folder: that is private to root, and postgres must enter it.
    home = Path(tempfile.mkdtemp(prefix="qhall-pg-"))
    data, port = home / "data", free_port()
    if os.geteuid() == 0:
        shutil.chown(home, "postgres", "postgres")
    user = "postgres" if os.geteuid() == 0 else getpass.getuser()
    try:
        _run(
            _as_postgres_user(
                [
                    str(bin_dir / "initdb"),
                    "-D",
                    str(data),
                    "-A",
                    "trust",
                    "-U",
                    user,
                    "-E",
                    "UTF8",
                    "--locale=C",
                ]
            ),
            "initdb",
        )
        options = (
            f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        )
        _run(
            _as_postgres_user(
                [
                    str(bin_dir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-o",
                    options,
                    "-l",
                    str(home / "postgres.log"),
                    "-w",
                    "-t",
                    "30",
                    "start",
                ]
            ),
            "starting PostgreSQL",
        )
        _run(
            [str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", user, "qhall"],
            "createdb",
        )
        yield f"postgresql://{user}@127.0.0.1:{port}/qhall"
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                _as_postgres_user(
                    [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]
                ),
                capture_output=True,
                timeout=60,
            )
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """Start a throw-away Redis on a free port; yield its URL."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail(
            "redis-server is not installed (Debian package redis-server): run scripts/setup"
        )
    port = free_port()
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                redis.Redis.from_url(url).ping()
                break
            except redis.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = (
                        process.stdout.read().decode(errors="replace") if process.stdout else ""
                    )
                    pytest.fail(f"Redis did not start on port {port}:\n{output}")
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
