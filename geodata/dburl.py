"""PostgreSQL addresses: `postgresql://USER@HOST:PORT/DB?schema=NAME`, their password, and how they are shown.

A workspace or scenario may live in a schema of a PostgreSQL database instead of
a file. The password never has to be in the address: libpq reads `PGPASSWORD`
and `~/.pgpass` itself, and a `[connections.NAME]` entry of Streamlit's
`secrets.toml` naming the same host, port, database and user supplies one too.
Whatever the address holds, it is only ever shown with the password masked.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

SCHEMES = ("postgresql://", "postgres://")
DEFAULT_SCHEMA = "public"
MASK = "***"
# Where Streamlit looks for secrets: the project's folder first, then the user's.
SECRETS_FILES = (Path(".streamlit") / "secrets.toml", Path.home() / ".streamlit" / "secrets.toml")


def is_database_url(target: object) -> bool:
    return isinstance(target, str) and target.strip().lower().startswith(SCHEMES)


@dataclass(frozen=True)
class DatabaseAddress:
    """Where a workspace lives in PostgreSQL: the connection's parameters and the schema that holds its tables."""

    params: tuple[tuple[str, str], ...]  # libpq keywords and values, the password among them if one was found
    schema: str
    url: str = field(compare=False)  # as given, for connecting; never shown

    @property
    def connection(self) -> dict[str, str]:
        return dict(self.params)

    def __str__(self) -> str:
        return masked(self.url)

    @property
    def label(self) -> str:
        """A short name for messages: `DB.SCHEMA`."""
        return f"{self.connection.get('dbname', '')}.{self.schema}"


def masked(url: str) -> str:
    """The address with any password replaced by ***: the only form that is printed or shown."""
    parts = urlsplit(url)
    if parts.password is None:
        query = [(key, MASK if key == "password" else value) for key, value in parse_qsl(parts.query)]
        return parts._replace(query=urlencode(query, safe="/,:*")).geturl() if query else url
    user = f"{parts.username}:" if parts.username else ":"
    host = parts.netloc.rsplit("@", 1)[1]
    return parts._replace(netloc=f"{user}{MASK}@{host}").geturl()


def mask_text(text: str, url: str) -> str:
    """`text` (an error message, a log line) with the password of `url` masked wherever it appears."""
    secret = parse(url).connection.get("password")
    text = text.replace(url, masked(url))
    return text.replace(secret, MASK) if secret else text


def _secret_password(params: dict[str, str], files: tuple[Path, ...]) -> str | None:
    """The password of the first `[connections.*]` entry naming the same host, port, database and user."""
    wanted = (params.get("host", ""), str(params.get("port", "5432")), params.get("dbname", ""), params.get("user", ""))
    for path in files:
        try:
            secrets = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError):
            continue
        for entry in (secrets.get("connections") or {}).values():
            if not isinstance(entry, dict):
                continue
            if entry.get("url"):
                other = parse(str(entry["url"]), secrets_files=())
                fields = other.connection
                found = (fields.get("host", ""), str(fields.get("port", "5432")), fields.get("dbname", ""),
                         fields.get("user", ""))
                password = entry.get("password") or fields.get("password")
            else:
                found = (str(entry.get("host", "")), str(entry.get("port", "5432")), str(entry.get("database", "")),
                         str(entry.get("username", "")))
                password = entry.get("password")
            if found == wanted and password:
                return str(password)
    return None


def parse(url: str, secrets_files: tuple[Path, ...] = SECRETS_FILES) -> DatabaseAddress:
    """The address in `url`; ValueError when it is not a PostgreSQL URL."""
    url = url.strip()
    if not is_database_url(url):
        raise ValueError(f"{masked(url)}: not a postgresql:// address")
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    schema = query.pop("schema", DEFAULT_SCHEMA) or DEFAULT_SCHEMA
    params: dict[str, str] = {}
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"{masked(url)}: the port is not a number") from None
    if parts.hostname:
        params["host"] = unquote(parts.hostname) if "%" in (parts.hostname or "") else parts.hostname
    if port:
        params["port"] = str(port)
    if parts.path.strip("/"):
        params["dbname"] = unquote(parts.path.strip("/"))
    if parts.username:
        params["user"] = unquote(parts.username)
    if parts.password is not None:
        params["password"] = unquote(parts.password)
    # Other libpq keywords (sslmode, host for a socket folder, connect_timeout…) pass through as given.
    params.update({key: value for key, value in query.items() if re.fullmatch(r"[a-z_]+", key)})
    if "password" not in params and not os.environ.get("PGPASSWORD"):
        secret = _secret_password(params, secrets_files)
        if secret:
            params["password"] = secret
    return DatabaseAddress(tuple(sorted(params.items())), schema, url)
