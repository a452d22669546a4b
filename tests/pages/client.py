"""starlette's TestClient, imported without its import-time warning (the suite runs with
warnings as errors)."""

from __future__ import annotations

import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

__all__ = ["TestClient"]
