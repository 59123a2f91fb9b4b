import pytest

from yancheng.testing.inspections import InspectionWorld, build_inspection_world


@pytest.fixture
def iw(world) -> InspectionWorld:
    """The world plus registries, published items, caps, rules and codes (企业赋码保护)."""
    return build_inspection_world(world)
