import pytest

from yancheng.testing.petitions import PetitionWorld, build_petition_world


@pytest.fixture
def pw(world) -> PetitionWorld:
    """The world plus the 信访局 of the city and of 祁东县, the handling organs and their people."""
    return build_petition_world(world)
