"""The hash-set actions as a user runs them, from the REST API or the workspace pages.

`our_hashes` writes the keyed hashes of the selectors the caller may share with a community;
`match_ours` tells the caller which of the selectors it sees are in another party's hash set.
Both are audited with the channel they came through (``api`` or ``workspace``); the CLI runs
`tocsin.share.hashes` directly as the system principal.
"""

from __future__ import annotations

from typing import IO, Literal

from tocsin.access import Principal, audit, visible_dataset_pks
from tocsin.errors import InputError
from tocsin.settings import Settings
from tocsin.share.hashes import (
    HashSetHeader,
    KeyRing,
    MatchResult,
    keyring_path,
    keys_directory,
    load_keyring,
    match_hashset,
    write_hashset,
)
from tocsin.share.keys import exportable_selector_keys, selector_keys
from tocsin.share.policy import Eligible, ExportPolicy, exportable_datasets
from tocsin.store import Store

__all__ = ["NoCommunityKey", "communities", "community_ring", "match_ours", "our_hashes"]

Channel = Literal["api", "workspace"]


class NoCommunityKey(InputError):
    """No key file of that community is installed on this server."""

    http_status = 404


def communities(settings: Settings) -> list[str]:
    """The communities whose key file is installed on this server, by name."""
    directory = keys_directory(settings)
    if not directory.is_dir():
        return []
    return sorted(p.stem for p in directory.glob("*.key") if p.is_file())


def community_ring(settings: Settings, community: str) -> KeyRing:
    """The community's key ring installed on this server."""
    path = keyring_path(keys_directory(settings), community)
    if not path.exists():
        raise NoCommunityKey(
            f"no key of community {community!r} on this server",
            field="community",
            hint="an admin installs it with `tocsin share keys import`",
        )
    return load_keyring(path)


def our_hashes(
    store: Store,
    settings: Settings,
    principal: Principal,
    out: IO[bytes],
    *,
    community: str,
    tlp: str = "green",
    to: str | None = None,
    channel: Channel = "api",
) -> HashSetHeader:
    """Write the hash-set file of what ``principal`` may share with ``community`` (audited).

    AMBER selectors go only to a partner a dataset names, so ``tlp="amber"`` needs ``to``.
    """
    principal.require("export")
    if tlp not in ("clear", "green", "amber"):
        raise InputError(f"{tlp!r} selectors never leave (clear, green or amber)", field="tlp")
    if tlp == "amber" and to is None:
        raise InputError("AMBER selectors go only to partners a dataset names", field="to")
    ring = community_ring(settings, community)
    policy = ExportPolicy(recipient=to or principal.org or settings.organisation, ceiling=tlp)
    with store.engine.connect() as conn:
        eligible = exportable_datasets(conn, principal, policy)
    header = write_hashset(
        out,
        exportable_selector_keys(store.engine, eligible),
        ring,
        organisation=principal.org or settings.organisation,
    )
    audit.append(
        store.engine,
        principal,
        "share.hashes",
        channel,
        community,
        tlp,
        {"community": community, "selectors": header.count, "to": to or community,
         "datasets": eligible.names},
    )  # fmt: skip
    return header


def match_ours(
    store: Store,
    settings: Settings,
    principal: Principal,
    stream: IO[bytes],
    *,
    community: str,
    source: str,
    channel: Channel = "api",
) -> MatchResult:
    """Which selectors ``principal`` sees are in the hash set read from ``stream`` (audited).

    Runs here; nothing is sent anywhere, and only the caller learns the intersection.
    """
    principal.require("export")
    ring = community_ring(settings, community)
    with store.engine.connect() as conn:
        visible = visible_dataset_pks(conn, principal)
    if visible is None:
        keys = selector_keys(store.engine)
    else:
        scope = Eligible(datasets={pk: ("", "") for pk in visible})
        keys = exportable_selector_keys(store.engine, scope)
    result = match_hashset(stream, keys, ring, source=source)
    audit.append(
        store.engine,
        principal,
        "share.match",
        channel,
        community,
        None,
        {"community": community, "their_organisation": result.header.organisation,
         "ours": result.ours, "theirs": result.theirs, "matched": len(result.matched)},
    )  # fmt: skip
    return result
