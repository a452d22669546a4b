"""Schemathesis fuzzes the API from its own OpenAPI schema, in-process (ASGI): whatever it
sends, as an admin of the synthetic world, to every operation of the schema (the cases and
sharing routers included), no answer is a server error and every answer matches
the schema's content types and response models. Bounded: a few examples per operation, so the
suite stays fast.

The operations are driven one by one with Hypothesis (schemathesis's pytest fixture loader does
not run under this pytest version), each failure named with its operation.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import product
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from tocsin.store import open_store

from .conftest import World, build_world, web_settings

EXAMPLES = {GenerationMode.POSITIVE: 3, GenerationMode.NEGATIVE: 2}


@pytest.fixture(scope="module")
def fuzz_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    path: Path = tmp_path_factory.mktemp("fuzz") / "tocsin.db"
    store = open_store(web_settings(f"sqlite:///{path}"))
    yield build_world(store)
    store.close()


def test_api_never_fails_on_any_input(fuzz_world: World) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_world.app)
    headers = {"Authorization": f"Bearer {fuzz_world.tokens['admin']}"}
    checks = [not_a_server_error, content_type_conformance, response_schema_conformance]
    failures: list[str] = []
    operations = 0
    for result, mode in product(schema.get_all_operations(), GenerationMode):
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES[mode],
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, checks=checks)

        try:
            run()
        except Unsatisfiable:
            # no parameters and no body: nothing can be sent that breaks the schema
            assert mode is GenerationMode.NEGATIVE, operation.label
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label} ({mode.value}): {exc}"[:3000])
    assert operations >= 60
    assert not failures, "\n\n".join(failures)
