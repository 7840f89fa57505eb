"""Client addresses behind a proxy: X-Forwarded-For is believed from PROXY_HOPS proxies and
no further, so that limits per address count each client apart behind nginx, and a client
that writes the header itself gains nothing. The last test runs Debian's nginx with the
shipped configuration in front of a live qhall."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.factories import PASSWORD, assert_error
from tests.servers import PROJECT_ROOT, free_port, running_server

NGINX_CONF = PROJECT_ROOT / "config" / "deploy" / "nginx-qhall.conf"


@pytest.fixture
def one_proxy(monkeypatch):
    """Run the app as behind the shipped nginx (PROXY_HOPS = 1); ask for it before `app`."""
    monkeypatch.setenv("QHALL_PROXY_HOPS", "1")


def sign_in_via(client, forwarded_for: str, password: str = "guess", address="127.0.0.1"):
    """Try to sign in as the clerk from address, with an X-Forwarded-For header."""
    return client.post(
        "/api/session",
        json={"login": "clerk", "password": password},
        headers={"X-Forwarded-For": forwarded_for},
        environ_base={"REMOTE_ADDR": address},
    )


def test_without_a_proxy_a_client_cannot_escape_the_throttle_by_claiming_addresses(
    client, two_halls
):
    for n in range(5):
        assert_error(sign_in_via(client, f"198.51.100.{n}", address="203.0.113.7"), 401)
    answer = sign_in_via(client, "198.51.100.99", PASSWORD, address="203.0.113.7")
    assert_error(answer, 429)


@pytest.mark.usefixtures("one_proxy")
def test_behind_one_proxy_each_forwarded_client_counts_apart(client, two_halls):
    for _ in range(5):
        assert_error(sign_in_via(client, "198.51.100.1"), 401)
    assert_error(sign_in_via(client, "198.51.100.1", PASSWORD), 429)
    # nginx appends the address it saw to whatever the client wrote: only the last counts.
    assert_error(sign_in_via(client, "198.51.100.2, 198.51.100.1", PASSWORD), 429)
    assert sign_in_via(client, "198.51.100.2", PASSWORD).status_code == 200


# --- Debian's nginx in front of a live qhall ------------------------------------------------


def nginx_binary() -> str:
    """Return nginx's path, or skip: it comes from Debian (config/debian-packages.txt)."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        pytest.skip("nginx is not installed (scripts/setup installs it: apt-get install nginx)")
    return found


def site_for_test(conf: Path, tmp: Path, qhall_port: int, listens: dict[str, str]) -> str:
    """Return a shipped site file pointed at the one qhall server, listening on 127.0.0.1
    only (each shipped "listen X" of listens becomes the test's), logging in tmp."""
    site = conf.read_text()
    site = re.sub(r"^\s*server 127\.0\.0\.1:\d+;\n", "", site, flags=re.MULTILINE)
    site = site.replace("ip_hash;", f"ip_hash;\n    server 127.0.0.1:{qhall_port};")
    for shipped, test in listens.items():
        assert f"listen {shipped}" in site
        site = site.replace(f"listen {shipped}", f"listen 127.0.0.1:{test}")
    site = site.replace("/var/log/nginx/qhall.access.log", f"{tmp}/qhall.access.log")
    assert f"127.0.0.1:{qhall_port}" in site
    return site


def nginx_conf(tmp: Path, site: str) -> Path:
    """Write a whole nginx configuration around a site, with every file nginx writes in tmp."""
    temp = {name: tmp / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir(exist_ok=True)
    conf = tmp / "nginx.conf"
    conf.write_text(
        f"""daemon off;
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log {tmp}/access.log;
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
{site}
}}
"""
    )
    return conf


def post_from(source: str, port: int, path: str, body: dict, headers=None) -> tuple[int, dict]:
    """POST JSON to nginx on 127.0.0.1 from the loopback address source; return the status
    and the answer's JSON."""
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=15, source_address=(source, 0)
    )
    try:
        connection.request(
            "POST", path, json.dumps(body), {"Content-Type": "application/json", **(headers or {})}
        )
        answer = connection.getresponse()
        return answer.status, json.loads(answer.read() or b"{}")
    finally:
        connection.close()


def wait_for_nginx(process: subprocess.Popen, port: int, tmp: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"nginx exited: {(tmp / 'error.log').read_text(errors='replace')}")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.1)
    pytest.fail("nginx did not answer /healthz in 15 s")


@pytest.mark.live
def test_behind_the_shipped_nginx_two_clients_are_throttled_apart(tmp_path):
    nginx = nginx_binary()
    settings = {"PROXY_HOPS": "1", "TICKETS__REMOTE_PER_CLIENT": "2"}
    with running_server(tmp_path / "qhall", "--demo", **settings) as server:
        port = free_port()
        qhall_port = int(server.base_url.rsplit(":", 1)[1])
        site = site_for_test(NGINX_CONF, tmp_path, qhall_port, {"80;": f"{port};"})
        conf = nginx_conf(tmp_path, site)
        process = subprocess.Popen(
            [nginx, "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "error.log")],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_nginx(process, port, tmp_path)
            a, b = "127.0.0.2", "127.0.0.3"  # two machines, both seen by qhall as nginx
            wrong = {"login": "mzj-1", "password": "guess"}
            right = {"login": "mzj-1", "password": "qhall-demo"}
            assert [post_from(a, port, "/api/session", wrong)[0] for _ in range(5)] == [401] * 5
            assert post_from(a, port, "/api/session", right)[0] == 429
            # Writing the other's address in the header does not help: nginx adds its own.
            spoofed = {"X-Forwarded-For": b}
            assert post_from(a, port, "/api/session", right, spoofed)[0] == 429
            status, staff = post_from(b, port, "/api/session", right)
            assert (status, staff["login"]) == (200, "mzj-1")  # the real staff member

            ticket = ("/api/units/MZJ/tickets", {"service": "A"})
            assert [post_from(a, port, *ticket)[0] for _ in range(3)] == [201, 201, 429]
            status, issued = post_from(b, port, *ticket)
            assert status == 201  # another phone, its own limit
            # The ticket's page and a kiosk's first address carry secrets in the URL.
            for path in (
                f"/t/{issued['token']}",
                "/kiosk/MZJ?kiosk=mzj-kiosk-1&device=demo-kiosk-mzj",
            ):
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
                connection.request("GET", path)
                assert connection.getresponse().status < 500
                connection.close()
        finally:
            process.terminate()
            process.wait(timeout=10)
        log = (tmp_path / "qhall.access.log").read_text()
        assert "127.0.0.2" in log and "127.0.0.3" in log  # both reached nginx as themselves
        assert "/t/..." in log and "/kiosk/MZJ?..." in log  # the lines are there, cut
        assert issued["token"] not in log and "demo-kiosk-mzj" not in log
