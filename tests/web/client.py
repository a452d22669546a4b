"""starlette's TestClient, imported once without its import-time warning.

It warns that it prefers the httpx2 fork; the suite runs with warnings as errors, and plain
httpx is what the project ships.
"""

from __future__ import annotations

import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

__all__ = ["TestClient"]
