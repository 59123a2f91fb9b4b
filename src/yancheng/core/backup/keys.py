"""The key files an archive carries (DATA_DIR/keys/* and every *_KEY_FILE / *_KEYS_FILE
setting) and where a restore puts them back, never silently replacing a different key."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from .errors import BackupError


def keys_dir() -> Path:
    return Path(settings.DATA_DIR) / "keys"


def key_file_settings() -> dict[str, Path]:
    """Settings that name a key file (…_KEY_FILE, …_KEYS_FILE), with their paths."""
    found: dict[str, Path] = {}
    for name in dir(settings):
        if not name.isupper() or not name.endswith(("_KEY_FILE", "_KEYS_FILE")):
            continue
        value = getattr(settings, name, None)
        if isinstance(value, str | Path) and str(value).strip():
            found[name] = Path(value)
    return found


@dataclass(frozen=True)
class KeyEntry:
    member: str
    source: Path
    setting: str = ""  # the setting naming it, if any
    relative: str = ""  # its path under DATA_DIR/keys, if it lives there


def key_entries() -> list[KeyEntry]:
    by_path: dict[Path, dict[str, str]] = {}
    root = keys_dir()
    if root.is_dir():
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                by_path.setdefault(path.resolve(), {})["relative"] = path.relative_to(root).as_posix()
    for name, path in sorted(key_file_settings().items()):
        if path.is_file():
            entry = by_path.setdefault(path.resolve(), {})
            entry.setdefault("setting", name)
    return [
        KeyEntry(member=f"keys/{n}", source=path, setting=info.get("setting", ""), relative=info.get("relative", ""))
        for n, (path, info) in enumerate(sorted(by_path.items()), start=1)
    ]


@dataclass(frozen=True)
class KeyPlan:
    member: str
    target: Path
    same: bool  # already there with the same content


def _key_target(entry: dict[str, str]) -> Path:
    configured = key_file_settings().get(entry.get("setting", ""))
    if configured is not None:
        return configured
    name = Path(entry.get("source", "")).name
    if name in {"", ".", ".."}:
        name = entry["member"].replace("/", "-")
    return keys_dir() / (entry.get("relative") or name)


def plan_keys(manifest: dict[str, Any], staging: Path, replace_keys: bool) -> tuple[list[KeyPlan], list[Path]]:
    plans: list[KeyPlan] = []
    conflicts: list[Path] = []
    for entry in manifest.get("keys", []):
        target = _key_target(entry)
        source = staging / entry["member"]
        same = target.is_file() and target.read_bytes() == source.read_bytes()
        if target.exists() and not same:
            conflicts.append(target)
        plans.append(KeyPlan(member=entry["member"], target=target, same=same))
    if conflicts and not replace_keys:
        raise BackupError(
            _("以下密钥文件已存在且与备份中的不同，未做任何恢复：%(paths)s。确认要以备份中的密钥替换时，使用 --replace-keys（原文件会改名保留）。")
            % {"paths": ", ".join(str(p) for p in conflicts)}
        )
    return plans, conflicts
