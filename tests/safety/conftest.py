import pytest

from yancheng.testing.safety import SafetyWorld, build_safety_world


@pytest.fixture
def sw(world) -> SafetyWorld:
    """The world plus the 安委办 of the city and of 祁东县, the fire brigade, 祁东县's 应急管理局,
    their safety staff, a grid person, and the 工贸 and 消防 systems."""
    return build_safety_world(world)
