import pytest

from yancheng.testing.chains import ChainWorld, build_chain_world


@pytest.fixture
def cw(world) -> ChainWorld:
    """The world plus two chains (有色金属 with its map, 电子信息), their offices and 链长, a
    county chain office that runs none, and a handler of the backing 发改委."""
    return build_chain_world(world)
