"""lib.charts.tile_map: a map-style chart of counts by area without geographic data."""

from yancheng.lib.charts import Tile, tile_map


def test_no_area_no_chart():
    assert tile_map([], "件") is None


def test_each_area_is_a_cell_where_it_lies_with_its_count_and_link():
    option = tile_map([Tile("祁东县", 0, 1, 3, "/petitions/?region=9"), Tile("衡山县", 3, 0, 7)], "件")
    assert option is not None
    assert option["xAxis"]["data"] == [0, 1, 2, 3] and option["yAxis"]["data"] == [0, 1]
    assert option["yAxis"]["inverse"] is True  # north on top
    assert option["visualMap"]["max"] == 7  # the darkest is the area with most
    data = option["series"][0]["data"]
    assert data[0] == {"name": "祁东县", "value": [0, 1, 3], "url": "/petitions/?region=9"}
    assert data[1]["value"] == [3, 0, 7]


def test_all_zero_still_has_a_scale():
    option = tile_map([Tile("南岳区", 0, 0, 0)], "件")
    assert option is not None and option["visualMap"]["max"] == 1
