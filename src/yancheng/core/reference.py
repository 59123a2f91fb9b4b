"""Loading reference data that ships with Yancheng (a city's division codes)."""

from __future__ import annotations

import csv
from pathlib import Path

from django.db import transaction

from yancheng.core.typing import Actor

from .models import Region
from .services import region_upsert

DATA_DIR = Path(__file__).resolve().parent / "data"


def regions_file_for(city_code: str) -> Path:
    return DATA_DIR / f"regions-{city_code}.csv"


def load_regions(path: Path, *, actor: Actor | None = None) -> list[Region]:
    """Load ``code,name,kind,parent`` rows (parents before children). Idempotent."""
    loaded: list[Region] = []
    with path.open(encoding="utf-8") as handle, transaction.atomic():
        for row in csv.DictReader(handle):
            parent = Region.objects.get(code=row["parent"]) if row.get("parent") else None
            loaded.append(
                region_upsert(code=row["code"], name=row["name"], kind=row["kind"], parent=parent, actor=actor)
            )
    return loaded
