"""A throwaway PostgreSQL cluster with PostGIS, for the tests and the benchmarks: started in a temporary
folder, stopped and removed after.

Debian's packages put the server in /usr/lib/postgresql/VERSION/bin; no system
service is assumed. initdb refuses to run as root, so as root the cluster belongs
to the `postgres` user. Two roles: `postgres` (trusted from this machine) and
`analyst`, who needs a password (PASSWORD), for the tests of where passwords come from.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from urllib.parse import parse_qsl, urlencode, urlsplit
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg

PASSWORD = "s3cret-analyst"
DATABASE = "footprint"


def server_binaries() -> Path | None:
    """The folder of initdb and pg_ctl: on PATH, or Debian's newest /usr/lib/postgresql/*/bin."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    folders = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
    return Path(folders[-1]) if folders and (Path(folders[-1]) / "initdb").exists() else None


@dataclass(frozen=True)
class Cluster:
    port: int
    folder: Path

    def url(self, schema: str = "public", user: str = "postgres") -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{DATABASE}?schema={schema}"

    def connect(self, **options) -> psycopg.Connection:
        return psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=DATABASE, **options)

    def cpu_seconds(self) -> float:
        """CPU time the server has used: the postmaster, its live backends, and those that have ended."""
        pid = int((self.folder / "data" / "postmaster.pid").read_text().split()[0])
        total = _cpu(pid, with_ended_children=True)
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                total += _cpu(int(stat.parent.name))
        return total

    def fresh_url(self, user: str = "postgres") -> str:
        """The address of a schema no test has used."""
        return self.url(f"t_{uuid.uuid4().hex[:10]}", user)


def _cpu(pid: int, with_ended_children: bool = False) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12]) + ((int(fields[13]) + int(fields[14])) if with_ended_children else 0)
    return ticks / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_owner(command: list[str], owner: str | None) -> list[str]:
    return ["runuser", "-u", owner, "--", *command] if owner else command


@contextlib.contextmanager
def cluster(settings: dict[str, str] | None = None) -> Iterator[Cluster]:
    """A running cluster with the database `footprint`; `settings` are postgresql.conf values."""
    binaries = server_binaries()
    if binaries is None:
        raise RuntimeError("PostgreSQL server binaries not found: apt-get install postgresql postgis")
    owner = "postgres" if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="footprint-pg-"))
    if owner:
        shutil.chown(folder, owner)
    data, port = folder / "data", _free_port()
    run = {"check": True, "capture_output": True, "cwd": folder}
    try:
        subprocess.run(_as_owner([str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                                  "--no-sync", "-E", "UTF8"], owner), **run)
        hba = data / "pg_hba.conf"
        hba.write_text("host all analyst 127.0.0.1/32 scram-sha-256\nhost all all 127.0.0.1/32 trust\n"
                       "local all all trust\n")
        options = (f"-c port={port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={folder} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 "
                   + " ".join(f"-c {name}={value}" for name, value in (settings or {}).items()))
        subprocess.run(_as_owner([str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l",
                                  str(folder / "server.log"), "-w", "start"], owner), **run)
        with psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {DATABASE}")
            conn.execute(f"CREATE ROLE analyst LOGIN PASSWORD '{PASSWORD}'")
        with psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname=DATABASE,
                             autocommit=True) as conn:
            conn.execute("CREATE EXTENSION postgis")
            conn.execute(f"GRANT ALL ON DATABASE {DATABASE} TO analyst")
            conn.execute("GRANT ALL ON SCHEMA public TO analyst")
        yield Cluster(port, folder)
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(_as_owner([str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], owner),
                           capture_output=True, cwd=folder)
        shutil.rmtree(folder, ignore_errors=True)



# For benchmarks: room to cache a ten-million-row table, as a server of a team would have.
BENCH_SETTINGS = {"shared_buffers": "1GB", "effective_cache_size": "4GB", "maintenance_work_mem": "512MB"}


@dataclass(frozen=True)
class Schemas:
    """Where a benchmark puts its workspaces: `url(name)` is a schema's address; `cpu_seconds` counts the
    server's CPU when it runs on this machine for the benchmark (else None)."""

    url: Callable[[str], str]
    cpu_seconds: Callable[[], float] | None


@contextlib.contextmanager
def schemas(database: str | None = None) -> Iterator[Schemas]:
    """Schemas in `database` (a postgresql:// address), or in a throwaway cluster started for the benchmark."""
    if database:
        parts = urlsplit(database)
        query = [(key, value) for key, value in parse_qsl(parts.query) if key != "schema"]
        yield Schemas(lambda name: parts._replace(query=urlencode([*query, ("schema", name)], safe="/")).geturl(),
                      None)
        return
    with cluster(BENCH_SETTINGS) as running:
        yield Schemas(running.url, running.cpu_seconds)
