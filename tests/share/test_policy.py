"""Markings enforced on the way out, and every export in the audit log."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from tocsin.access import Principal, audit, users
from tocsin.access.principal import AccessDenied
from tocsin.errors import InputError
from tocsin.share.exchange import export
from tocsin.share.policy import ExportPolicy
from tocsin.store import Store

from .world import TAGS, fill, store_texts

SYSTEM = Principal.system()
MARKER = {m: f"zq{tag}0marker" for m, tag in TAGS.items()}


def _export(store: Store, fmt: str, principal: Principal = SYSTEM, **kw: Any) -> tuple[bytes, Any]:
    out = io.BytesIO()
    policy_kw = {k: kw.pop(k) for k in ("recipient", "ceiling", "datasets") if k in kw}
    policy_kw.setdefault("recipient", "ngo")
    result = export(store, out, fmt, principal=principal, policy=ExportPolicy(**policy_kw), **kw)
    return out.getvalue(), result


def _present(data: bytes) -> set[str]:
    return {m for m, marker in MARKER.items() if marker.encode() in data}


@pytest.mark.parametrize("fmt", ["stix", "misp", "ftm"])
def test_red_and_amber_strict_never_leave(store: Store, fmt: str) -> None:
    fill(store)
    data, result = _export(store, fmt, recipient="ngo")  # even to the owner itself
    assert _present(data) == {"clear", "green", "amber"}
    assert set(result.withheld_datasets) == {"ds-s", "ds-r"}
    assert "never leaves the organisation" in result.withheld_datasets["ds-r"]
    with pytest.raises(InputError, match="never leaves"):
        ExportPolicy(recipient="ngo", ceiling="red")


def test_amber_goes_only_to_named_partners(store: Store) -> None:
    fill(store)
    assert _present(_export(store, "stix", recipient="police")[0]) == {"clear", "green", "amber"}
    data, result = _export(store, "stix", recipient="bank")
    assert _present(data) == {"clear", "green"}
    assert "neither its owner nor a partner" in result.withheld_datasets["ds-a"]
    assert _present(_export(store, "stix", recipient="nobody-we-know")[0]) == {"clear", "green"}
    users.share_dataset(store.engine, "ds-a", "police", remove=True)
    assert _present(_export(store, "stix", recipient="police")[0]) == {"clear", "green"}


def test_ceiling(store: Store) -> None:
    fill(store)
    data, result = _export(store, "misp", ceiling="green")
    assert _present(data) == {"clear", "green"}
    assert "above --tlp green" in result.withheld_datasets["ds-a"]
    assert _present(_export(store, "misp", ceiling="clear")[0]) == {"clear"}


def test_a_user_exports_only_what_they_see(store: Store) -> None:
    fill(store)
    partner = users.create_user(
        store.engine, "an_police", "synthetic-password-123", org="police", role="analyst"
    )
    data, result = _export(store, "stix", principal=partner, recipient="police")
    assert _present(data) == {"clear", "green", "amber"}
    assert set(result.withheld_datasets) == set()  # ds-s and ds-r are invisible: not even named
    viewer = users.create_user(
        store.engine, "v_ngo", "synthetic-password-123", org="ngo", role="viewer"
    )
    with pytest.raises(AccessDenied):
        _export(store, "stix", principal=viewer)


def test_every_export_is_audited_with_what_and_to_whom(store: Store) -> None:
    fill(store)
    _export(store, "stix", recipient="police", target="police.stix.json")
    entry = [e for e in audit.entries(store.engine) if e.action == "export"][-1]
    assert (entry.target_kind, entry.target_id, entry.marking) == (
        "file",
        "police.stix.json",
        "amber",
    )
    assert entry.detail["to"] == "police" and entry.detail["format"] == "stix"
    assert entry.detail["documents"] == 6 and entry.detail["datasets"] == ["ds-a", "ds-c", "ds-g"]
    assert set(entry.detail["withheld_datasets"]) == {"ds-s", "ds-r"}
    assert audit.verify(store.engine).ok


def test_persons_only_when_named(store: Store) -> None:
    fill(store)
    from tocsin.store.ftm import StatementRow
    from tocsin.store.schema import statements

    now = datetime.now(UTC)
    rows = [
        StatementRow("p-victim", "Person", "name", "Synthetic Victim", "ds-g", None, "analyst",
                     "green", now, now),
        StatementRow("p-other", "Person", "name", "Synthetic Other", "ds-g", None, "analyst",
                     "green", now, now),
    ]  # fmt: skip
    with store.engine.begin() as conn:
        conn.execute(statements.insert(), [r.to_row() for r in rows])
    data, result = _export(store, "ftm")
    assert b"Synthetic Victim" not in data and result.withheld == {"Person": 2}
    data, _ = _export(store, "ftm", include_persons=["synthetic victim"])
    names = [json.loads(line)["id"] for line in data.splitlines()]
    assert "p-victim" in names and "p-other" not in names


def test_cluster_and_time_scope(store: Store) -> None:
    fill(store)
    ids = store_texts(
        store, "ds-g2", "green", ["SYNTHETIC lone ad, WhatsApp +855 12 777 888."], "ngo"
    )
    from tocsin.graph.clusters import ClusterOptions, find_clusters

    clustering = find_clusters(store.link_source(), ClusterOptions.from_settings())
    (lone,) = [c for c in clustering.clusters() if c.documents == tuple(ids)]
    data, result = _export(store, "stix", cluster=lone.id)
    assert result.documents == 1 and b"+85512777888" in data
    with pytest.raises(InputError, match="no cluster"):
        _export(store, "stix", cluster="c-000000000000")
    future = datetime(2999, 1, 1, tzinfo=UTC)
    assert _export(store, "stix", since=future)[1].documents == 0
