"""Footprint for a team on one machine: N dashboard processes on one database, HAProxy in front.

    python tools/team.py --data "postgresql://USER@HOST:5432/DB?schema=NAME" --processes 3 --port 8500

then open http://THIS-MACHINE:8500. Every process opens the same PostgreSQL workspace, so a change saved
in any session shows in all of them; HAProxy keeps each browser on the process it first reached (a
cookie) and skips a process that stops answering. Ctrl-C stops everything. The password comes from
PGPASSWORD, ~/.pgpass or .streamlit/secrets.toml, never from the command line (which `ps` shows).
The proxy's configuration is tools/haproxy.cfg with one server line per process.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "tools" / "haproxy.cfg"
HAPROXY = os.environ.get("FOOTPRINT_HAPROXY", "/usr/sbin/haproxy")


@dataclass
class Team:
    url: str  # the proxy's address
    processes: list[subprocess.Popen]  # the dashboards, in server order d1, d2, …
    proxy: subprocess.Popen
    logs: Path


def proxy_config(port: int, ports: list[int], address: str = "*") -> str:
    """tools/haproxy.cfg listening on `address:port`, with one server line per dashboard port."""
    text = CONFIG.read_text()
    text = re.sub(r"^(\s*)bind \S+$", rf"\g<1>bind {address}:{port}", text, count=1, flags=re.M)
    servers = "".join(f"    server d{n} 127.0.0.1:{p} check cookie d{n}\n" for n, p in enumerate(ports, 1))
    return re.sub(r"(    # servers\n)(    server .*\n)+", lambda m: m.group(1) + servers, text)


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False


def _wait(url: str, process: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not _healthy(url):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@contextlib.contextmanager
def team(data: str, processes: int = 3, port: int = 8500, first_port: int = 8501, address: str = "*",
         env: dict | None = None, timeout: float = 180) -> Iterator[Team]:
    """The dashboards and the proxy, running until the block ends."""
    logs = Path(tempfile.mkdtemp(prefix="footprint-team-"))
    ports = [first_port + n for n in range(processes)]
    started: list[subprocess.Popen] = []
    try:
        for number, dashboard_port in enumerate(ports, 1):
            log = logs / f"d{number}.log"
            command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"),
                       "--server.port", str(dashboard_port), "--server.address", "127.0.0.1",
                       "--server.headless", "true", "--browser.gatherUsageStats", "false", "--", "--data", data]
            started.append(subprocess.Popen(command, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT,
                                            env={**os.environ, **(env or {})}))
        for number, (dashboard_port, process) in enumerate(zip(ports, started, strict=True), 1):
            _wait(f"http://127.0.0.1:{dashboard_port}", process, logs / f"d{number}.log", timeout)
        config = logs / "haproxy.cfg"
        config.write_text(proxy_config(port, ports, address))
        proxy = subprocess.Popen([HAPROXY, "-f", str(config), "-db"], stdout=(logs / "haproxy.log").open("w"),
                                 stderr=subprocess.STDOUT)
        started.append(proxy)
        url = f"http://127.0.0.1:{port}"
        _wait(url, proxy, logs / "haproxy.log", 30)
        yield Team(url, started[:-1], proxy, logs)
    finally:
        _stop(started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True, help="postgresql://USER@HOST:PORT/DB?schema=NAME")
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--port", type=int, default=8500, help="where the proxy listens")
    parser.add_argument("--first-port", type=int, default=8501, help="the dashboards listen here and above")
    parser.add_argument("--address", default="*", help="the proxy's address (default: all)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from geodata import ScenarioError, load_scenario
    from geodata.dburl import is_database_url, masked

    if not is_database_url(args.data):
        print("--data must be a postgresql:// address: processes share a database, not a file")
        return 2
    try:
        scenario = load_scenario(args.data)  # say now, not in every process, when it cannot be opened
    except ScenarioError as err:
        print("\n".join([f"{masked(args.data)} cannot be opened:", *err.problems.lines()]))
        return 1
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    with team(args.data, args.processes, args.port, args.first_port, args.address) as running:
        print(f"Footprint for a team: {scenario.meta.title}\n  open http://<this machine>:{args.port} "
              f"({args.processes} dashboard processes on {masked(args.data)}; logs in {running.logs})\n"
              "  Ctrl-C stops them all.", flush=True)
        try:
            while not stop and all(p.poll() is None for p in [*running.processes, running.proxy]):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
