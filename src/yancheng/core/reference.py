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


def tile_layout_for(city_code: str) -> dict[str, tuple[int, int]]:
    """Where each district or county of the city sits on its tile map (column, row; north
    on top), from ``data/tile-map-<city code>.json``; empty when the city has no file (the
    charts then lay the tiles out in rows)."""
    import json

    path = DATA_DIR / f"tile-map-{city_code}.json"
    if not path.exists():
        return {}
    tiles = json.loads(path.read_text(encoding="utf-8")).get("tiles", {})
    return {str(code): (int(xy[0]), int(xy[1])) for code, xy in tiles.items()}


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
