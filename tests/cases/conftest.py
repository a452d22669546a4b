"""Fixtures of the case tests: a synthetic world on each store backend."""

from __future__ import annotations

import pytest

from cases.world import World, build
from tocsin.store import Store


@pytest.fixture
def world(store: Store) -> World:
    return build(store)
