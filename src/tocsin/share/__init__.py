"""Sharing between organisations: STIX 2.1, MISP and FollowTheMoney exchange, privacy-preserving
selector matching, and instance-to-instance sync (docs/sharing.md).

- `tocsin.share.exchange`: `export` (markings enforced on the way out, audited) and
  `import_file` (STIX bundle, MISP event or FtM stream, recognised from its first bytes);
- `tocsin.share.stix`, `.misp`, `.ftm`: the format mappings, between a `Package` and a file;
- `tocsin.share.hashes`: keyed hashes of canonical selectors, community keys, hash-set files;
- `tocsin.share.policy`: which datasets may leave, to whom;
- `tocsin.share.sync`: pulling what a partner's Tocsin shares with us.
"""

from __future__ import annotations

from tocsin.share.exchange import FORMATS, ExportResult, detect_format, export, import_file
from tocsin.share.ingest import ImportReport
from tocsin.share.model import Package
from tocsin.share.policy import ExportPolicy

__all__ = [
    "FORMATS",
    "ExportPolicy",
    "ExportResult",
    "ImportReport",
    "Package",
    "detect_format",
    "export",
    "import_file",
]
