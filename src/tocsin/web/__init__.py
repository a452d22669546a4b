"""Tocsin on the web: the JSON API (``/api/v1``) and the server-rendered workspace, one app.

``tocsin serve`` runs it; `create_app` builds it for tests and for other ASGI servers.
"""

from __future__ import annotations

from tocsin.web.app import create_app

__all__ = ["create_app"]
