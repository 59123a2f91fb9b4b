"""SQLite: a consistent copy through the online backup API while others write, its
checksums taken from the copy, and the copy put back on restore."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from django.db import connections

from .checksums import describe
from .files import private_dir

_SNAPSHOT_ALIAS = "yancheng_backup_snapshot"


@contextmanager
def extra_connection(name: str, settings_dict: dict[str, Any]) -> Iterator[str]:
    """A second connection (to the SQLite copy), usable with the ORM's ``using=``."""
    connections.settings[name] = settings_dict
    try:
        yield name
    finally:
        with suppress(Exception):
            connections[name].close()
        with suppress(AttributeError, KeyError):
            del connections[name]
        connections.settings.pop(name, None)


def snapshot_sqlite(using: str, target: Path) -> dict[str, Any]:
    connection = connections[using]
    connection.ensure_connection()
    raw = connection.connection
    dest = sqlite3.connect(target)
    try:
        raw.backup(dest)  # the online backup API: a consistent copy while others write
    finally:
        dest.close()
    copy_settings = dict(connection.settings_dict)
    copy_settings.update(NAME=str(target), OPTIONS={}, CONN_MAX_AGE=0, TEST={})
    with extra_connection(_SNAPSHOT_ALIAS, copy_settings) as alias:
        facts = describe(alias)
        facts["server_version"] = sqlite3.sqlite_version
    return facts


def sqlite_path(using: str) -> Path:
    return Path(connections[using].settings_dict["NAME"])


def in_memory(using: str) -> bool:
    check = getattr(connections[using], "is_in_memory_db", None)  # SQLite's wrapper only
    return bool(check()) if check else False


def sqlite_copy(source_path: Path, target: Path) -> None:
    """Copy a database through SQLite's backup API (WAL and all), creating ``target`` 0600."""
    private_dir(target.parent)
    if not target.exists():
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    source = sqlite3.connect(source_path)
    dest = sqlite3.connect(target)
    try:
        source.backup(dest)
    finally:
        dest.close()
        source.close()


def restore_sqlite(staging_db: Path, using: str) -> None:
    connections[using].close()
    sqlite_copy(staging_db, sqlite_path(using))
