"""Export and import, end to end: what the CLI, the web workspace and the API call.

`export` decides what may leave (`tocsin.share.policy`), reads it (`tocsin.share.collect`),
writes it in the chosen format and records in the audit log what left, to whom, under which
markings and what was withheld. `import_file` recognises the format, reads the file into a
dataset through `tocsin.share.ingest.ImportWriter` and records the import.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any, Final

from tocsin.access import Principal, audit
from tocsin.detect.engine import Engine as ScanEngine
from tocsin.errors import InputError
from tocsin.settings import Settings, get_settings
from tocsin.share.collect import Scope, cluster_documents, collect
from tocsin.share.ftm import import_entities, iter_export_entities
from tocsin.share.ingest import ImportReport, ImportWriter
from tocsin.share.misp import import_events, write_event
from tocsin.share.model import Package, most_restrictive
from tocsin.share.policy import ExportPolicy, exportable_datasets
from tocsin.share.stix import write_bundle
from tocsin.share.stix_import import import_bundle
from tocsin.store import Store

__all__ = ["FORMATS", "ExportResult", "detect_format", "export", "import_file"]

FORMATS: Final = ("stix", "misp", "ftm")
SNIFF_BYTES: Final = 64 * 1024


@dataclass
class ExportResult:
    """What an export wrote, to whom, and what it held back."""

    format: str
    recipient: str
    documents: int = 0
    selectors: int = 0
    clusters: int = 0
    compounds: int = 0
    objects: dict[str, int] = field(default_factory=dict)
    datasets: list[str] = field(default_factory=list)
    withheld_datasets: dict[str, str] = field(default_factory=dict)
    withheld: dict[str, int] = field(default_factory=dict)
    marking: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "to": self.recipient,
            "documents": self.documents,
            "selectors": self.selectors,
            "clusters": self.clusters,
            "compounds": self.compounds,
            "objects": dict(sorted(self.objects.items())),
            "datasets": self.datasets,
            "withheld_datasets": self.withheld_datasets,
            "withheld": self.withheld,
            "marking": self.marking,
        }


def _actor_detail(principal: Principal) -> dict[str, str]:
    if not principal.system:
        return {}
    try:
        return {"os_user": getpass.getuser()}
    except (OSError, KeyError):  # no login name in a container
        return {}


def export(
    store: Store,
    out: IO[bytes],
    fmt: str,
    *,
    principal: Principal,
    policy: ExportPolicy,
    since: datetime | None = None,
    until: datetime | None = None,
    cluster: str | None = None,
    include_persons: Sequence[str] = (),
    target: str = "-",
    settings: Settings | None = None,
) -> ExportResult:
    """Write what ``principal`` may send to ``policy.recipient`` as ``fmt`` to ``out``."""
    if fmt not in FORMATS:
        raise InputError(f"unknown export format {fmt!r} (one of {', '.join(FORMATS)})")
    principal.require("export")
    settings = settings or get_settings()
    documents = None
    if cluster is not None:
        documents = cluster_documents(store.engine, cluster, principal)
        if documents is None:
            raise InputError(
                f"no cluster {cluster!r}", hint="cluster ids are listed by `tocsin clusters`"
            )
    with store.engine.connect() as conn:
        eligible = exportable_datasets(conn, principal, policy)
    organisation = principal.org or settings.organisation
    scope = Scope(since=since, until=until, documents=documents, clusters=fmt != "ftm")
    package = collect(store.engine, eligible, organisation, scope)
    result = ExportResult(
        format=fmt,
        recipient=policy.recipient,
        documents=len(package.documents),
        selectors=len(package.selectors),
        clusters=len(package.clusters),
        compounds=len(package.compounds),
        datasets=eligible.names,
        withheld_datasets=dict(eligible.withheld),
    )
    if fmt == "stix":
        result.objects = write_bundle(package, out)
    elif fmt == "misp":
        result.objects = write_event(package, out)
    else:
        scoped = since is not None or until is not None or cluster is not None
        result.objects = _write_ftm(
            store, out, eligible, package if scoped else None, include_persons, result.withheld
        )
    without_country = sum(1 for c in package.compounds if not c.country)
    if fmt != "ftm" and without_country:
        result.withheld["compound without a country"] = without_country
    result.marking = most_restrictive(package.markings) if package.markings else None
    detail = {
        **result.to_dict(),
        "scope": {
            "since": since.isoformat() if since else None,
            "until": until.isoformat() if until else None,
            "cluster": cluster,
            "datasets": list(policy.datasets),
            "tlp": policy.ceiling,
        },
        "persons": list(include_persons),
        **_actor_detail(principal),
    }
    audit.append(store.engine, principal, "export", "file", target, result.marking, detail)
    return result


def _write_ftm(
    store: Store,
    out: IO[bytes],
    eligible: Any,
    package: Package | None,
    include_persons: Sequence[str],
    withheld: dict[str, int],
) -> dict[str, int]:
    counts: dict[str, int] = {}
    for entity in iter_export_entities(store.engine, eligible, package, include_persons, withheld):
        out.write(json.dumps(entity, ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n")
        counts[entity["schema"]] = counts.get(entity["schema"], 0) + 1
    return counts


def detect_format(head: bytes) -> str | None:
    """``stix``, ``misp`` or ``ftm`` from the first bytes of a file, or None."""
    text = head.decode("utf-8-sig", errors="replace").lstrip()
    if not text:
        return None
    first_line = text.split("\n", 1)[0]
    if text.startswith("{"):
        try:
            data = json.loads(first_line)
        except json.JSONDecodeError:
            data = None
        if isinstance(data, dict) and "schema" in data and "properties" in data:
            return "ftm"
        if isinstance(data, dict) and data.get("type") == "bundle":
            return "stix"
        if isinstance(data, dict) and ("Event" in data or "response" in data):
            return "misp"
        compact = "".join(text[:SNIFF_BYTES].split())
        if '"type":"bundle"' in compact or compact.startswith('{"objects":['):
            return "stix"
        if compact.startswith(('{"Event":', '{"response":')):
            return "misp"
        if '"spec_version":"2.' in compact and '"objects":' in compact:
            return "stix"
    if text.startswith("[") and '"Event"' in text[:SNIFF_BYTES]:
        return "misp"
    return None


def _head(stream: IO[bytes]) -> bytes:
    """The first bytes of a stream, left unread (peeked, or read and sought back)."""
    peek = getattr(stream, "peek", None)
    if peek is not None:
        return bytes(peek(SNIFF_BYTES)[:SNIFF_BYTES])
    if stream.seekable():
        start = stream.tell()
        head = stream.read(SNIFF_BYTES)
        stream.seek(start)
        return head
    return b""


def import_file(
    store: Store,
    stream: IO[bytes],
    *,
    dataset: str,
    source: str,
    fmt: str | None = None,
    marking: str | None = None,
    principal: Principal,
    settings: Settings | None = None,
    scanner: ScanEngine | None = None,
) -> ImportReport:
    """Import a STIX bundle, MISP events or an FtM entity stream into ``dataset``."""
    principal.require("ingest")
    settings = settings or get_settings()
    if fmt is None:
        fmt = detect_format(_head(stream))
        if fmt is None:
            raise InputError(
                "cannot tell the format (not a STIX bundle, MISP event or FtM entity stream)",
                source=source,
                hint="give the format: stix, misp or ftm",
            )
    if fmt not in FORMATS:
        raise InputError(f"unknown import format {fmt!r} (one of {', '.join(FORMATS)})")
    report = ImportReport(source=source, format=fmt, dataset=dataset)
    writer = ImportWriter(
        store,
        dataset,
        report,
        marking=marking,
        scanner=scanner,
        extracted_statements=fmt != "ftm",
    )
    if fmt == "stix":
        import_bundle(stream, writer, max_object_bytes=settings.import_max_object_bytes)
    elif fmt == "misp":
        import_events(stream, writer, max_bytes=settings.import_max_bytes)
    else:
        import_entities(stream, writer, max_line_bytes=settings.import_max_object_bytes)
    audit.append(
        store.engine,
        principal,
        "import",
        "dataset",
        dataset,
        writer.marking,
        {**report.to_dict(), **_actor_detail(principal)},
    )
    return report
