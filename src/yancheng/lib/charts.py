"""Chart options for ECharts, built on the server so that the rules hold on every page:

- one value axis carries one unit ("个", "次", "%", "万元"): a count and a percentage are
  never read off the same scale; a second unit gets the second axis (at most two);
- an axis of counts steps by whole numbers (``minInterval: 1``): no "0.5 个项目".

The page embeds the option with ``json_script``; ``static/js/dashboard.js`` only adds the
tooltip (drawn on the canvas for the CSP) and draws it. The tables beside the charts stay
the page's truth: a chart is a picture of them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Axis:
    """A value axis: its unit as shown on it, and whether it counts whole things."""

    unit: object  # a text or a lazy translation: shown with str()
    whole: bool = False


@dataclass(frozen=True)
class Series:
    name: object  # a text or a lazy translation
    data: Sequence[Any]
    axis: int = 0  # index into the chart's axes
    stack: str = ""
    colour: str = ""


def _value(value: Any, whole: bool) -> Any:
    if value is None:
        return None
    if whole:
        if isinstance(value, float | Decimal) and value != int(value):
            raise ValueError(f"a count axis got a fraction: {value}")
        return int(value)
    return float(value) if isinstance(value, Decimal) else value


def bar_chart(labels: Sequence[object], axes: Sequence[Axis], series: Sequence[Series], *,
              horizontal: bool = False) -> dict[str, Any]:
    """A bar chart over ``labels`` with one or two value axes."""
    if not 1 <= len(axes) <= 2:
        raise ValueError("a chart has one or two value axes")
    if len({str(axis.unit) for axis in axes}) != len(axes):
        raise ValueError("two axes of the same unit: put the series on one axis")
    category: dict[str, Any] = {"type": "category", "data": [str(label) for label in labels],
                                "axisLabel": {"interval": 0, "rotate": 0 if horizontal else 30}}
    values: list[dict[str, Any]] = []
    for axis in axes:
        value: dict[str, Any] = {"type": "value", "name": str(axis.unit), "min": 0}
        if axis.whole:
            value["minInterval"] = 1
        values.append(value)
    drawn: list[dict[str, Any]] = []
    for item in series:
        axis = axes[item.axis]
        entry: dict[str, Any] = {"name": str(item.name), "type": "bar",
                                 "data": [_value(v, axis.whole) for v in item.data]}
        entry["xAxisIndex" if horizontal else "yAxisIndex"] = item.axis
        if item.stack:
            entry["stack"] = item.stack
        if item.colour:
            entry["itemStyle"] = {"color": item.colour}
        drawn.append(entry)
    return {
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 16, "bottom": 8, "top": 40, "containLabel": True},
        "xAxis": values if horizontal else category,
        "yAxis": [category] if horizontal else values,
        "series": drawn,
    }


def pie_chart(items: Sequence[tuple[object, int, str]]) -> dict[str, Any] | None:
    """A ring of (name, count, colour); None when every count is 0 (equal slices of nothing
    would look like data)."""
    if not any(count for _name, count, _colour in items):
        return None
    return {"series": [{"type": "pie", "radius": ["40%", "70%"], "data": [
        {"name": str(name), "value": int(count), "itemStyle": {"color": colour}} for name, count, colour in items
    ]}]}


def axes_of(option: dict[str, Any]) -> list[dict[str, Any]]:
    """The value axes of a bar chart's option (for checks)."""
    for key in ("yAxis", "xAxis"):
        axes = option.get(key)
        if isinstance(axes, list) and axes and axes[0].get("type") == "value":
            return axes
    return []


@dataclass(frozen=True)
class Tile:
    """One area on a tile map: its name, where it sits (column, row; north on top), its
    count and the list it opens."""

    name: str
    x: int
    y: int
    value: int
    url: str = ""


def tile_map(tiles: Sequence[Tile], unit: object) -> dict[str, Any] | None:
    """A map-style picture of counts by area without geographic data (which a government
    network may not reach): each area a square placed roughly where it lies, darker for
    more, its name and count written on it; a click opens its ``url`` (dashboard.js)."""
    if not tiles:
        return None
    columns = max(t.x for t in tiles) + 1
    rows = max(t.y for t in tiles) + 1
    top = max((t.value for t in tiles), default=0)
    return {
        "grid": {"left": 4, "right": 4, "top": 4, "bottom": 36, "containLabel": False},
        "xAxis": {"type": "category", "data": list(range(columns)), "show": False},
        "yAxis": {"type": "category", "data": list(range(rows)), "show": False, "inverse": True},
        "visualMap": {"min": 0, "max": max(top, 1), "calculable": False, "orient": "horizontal",
                      "left": "center", "bottom": 0, "itemHeight": 80, "text": ["", str(unit)],
                      "inRange": {"color": ["#e8f1fb", "#1a5fb4"]}},
        "series": [{
            "type": "heatmap",
            "label": {"show": True, "formatter": "{b}\n{@[2]}"},
            "itemStyle": {"borderColor": "#ffffff", "borderWidth": 3},
            "data": [{"name": t.name, "value": [t.x, t.y, t.value], "url": t.url} for t in tiles],
        }],
    }
