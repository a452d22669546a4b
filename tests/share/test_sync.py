"""Sync between two Tocsin instances over HTTP on loopback: two uvicorn servers, a partner
pulling pages by cursor, markings on both sides, and a connection cut mid-transfer."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

from tocsin.access import audit, tokens, users
from tocsin.settings import Settings
from tocsin.share.sync import SyncError, changes, pull
from tocsin.store import Store, open_store
from tocsin.store.schema import documents

from .world import TAGS, fill, store_texts, texts

PASSWORD = "synthetic-password-123"


def _app(store: Store) -> FastAPI:
    from tocsin.web.api import sync as sync_api
    from tocsin.web.app import create_app

    app = create_app(store.settings, store)
    if not any(getattr(r, "path", "") == "/api/v1/sync/changes" for r in app.routes):
        app.include_router(sync_api.router, prefix="/api/v1")  # until web/api includes it
    return app


class Server:
    """A uvicorn server in a thread, on a free loopback port."""

    def __init__(self, app: FastAPI) -> None:
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=0, log_level="error", lifespan="off")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    @property
    def port(self) -> int:
        return int(self.server.servers[0].sockets[0].getsockname()[1])

    def __exit__(self, *_exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


class CuttingProxy:
    """Forwards TCP to a server; once ``cut_at`` responses have started, it sends 200 bytes of
    the next one and drops the connection — and every later one — until healed."""

    def __init__(self, upstream: int, cut_at: int) -> None:
        self.upstream = upstream
        self.cut_at = cut_at
        self.responses = 0
        self.broken = False
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def heal(self) -> None:
        self.broken = False
        self.cut_at = 10**9

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.broken:
                self._drop(client)
                continue
            upstream = socket.create_connection(("127.0.0.1", self.upstream))
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._back, args=(upstream, client), daemon=True).start()

    @staticmethod
    def _drop(*sockets: socket.socket) -> None:
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)  # FIN now, and wake the thread reading it
            sock.close()

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            self._drop(src, dst)

    def _back(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                starts = data.count(b"HTTP/1.1 ")
                if self.responses + starts > self.cut_at:
                    self.broken = True
                    dst.sendall(data[: data.index(b"HTTP/1.1 ") + 200])
                    break
                self.responses += starts
                dst.sendall(data)
        except OSError:
            pass
        finally:
            self._drop(src, dst)

    def close(self) -> None:
        self.listener.close()


@dataclass
class Instances:
    ngo: Store
    police: Store
    police_token: str
    bank_token: str
    tmp: Path


def _settings(tmp: Path, name: str) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp / (name + '.db')}", organisation=name)


@pytest.fixture
def instances(tmp_path: Path) -> Iterator[Instances]:
    ngo = open_store(_settings(tmp_path, "ngo"))
    police = open_store(_settings(tmp_path, "police"))
    fill(ngo, per_dataset=3)  # police is named partner of every dataset of ngo
    users.create_user(ngo.engine, "police_puller", PASSWORD, org="police", role="analyst")
    users.create_user(ngo.engine, "bank_puller", PASSWORD, org="bank", role="analyst")
    police_token, _ = tokens.create_token(ngo.engine, "police_puller", "sync")
    bank_token, _ = tokens.create_token(ngo.engine, "bank_puller", "sync")
    yield Instances(ngo, police, police_token, bank_token, tmp_path)
    ngo.close()
    police.close()


def _texts(store: Store) -> list[str]:
    with store.engine.connect() as conn:
        return sorted(
            r[0] for r in conn.execute(documents.select().with_only_columns(documents.c.text))
        )


def _markers(store: Store) -> set[str]:
    found = set()
    for text in _texts(store):
        for marking, tag in TAGS.items():
            if f"zq{tag}" in text:
                found.add(marking)
    return found


def test_two_instances_pull_cut_resume(instances: Instances) -> None:
    state = instances.tmp / "state.json"
    with Server(_app(instances.ngo)) as ngo_server, Server(_app(instances.police)) as police_srv:
        assert police_srv.port != ngo_server.port  # both instances serve on loopback
        proxy = CuttingProxy(ngo_server.port, cut_at=2)
        url = f"http://127.0.0.1:{proxy.port}/api/v1"
        with pytest.raises(SyncError, match="run the same command again"):
            pull(instances.police, url, instances.police_token, dataset="from-ngo",
                 state_file=state, limit=2)  # fmt: skip
        saved = json.loads(state.read_text())
        assert saved["cursor"] != "0"  # two pages were stored before the cut
        assert len(_texts(instances.police)) == 4
        proxy.heal()
        result = pull(instances.police, url, instances.police_token, dataset="from-ngo",
                      state_file=state, limit=2)  # fmt: skip
        assert result.documents_new == 5 and result.problems == []
        assert result.remote == "ngo"
        # the partner gets CLEAR, GREEN and AMBER (it is named); RED and AMBER+STRICT never
        assert _markers(instances.police) == {"clear", "green", "amber"}
        assert len(_texts(instances.police)) == 9  # exactly a clean pull: nothing twice
        clean = open_store(_settings(instances.tmp, "clean"))
        direct = f"http://127.0.0.1:{ngo_server.port}/api/v1"
        pull(clean, direct, instances.police_token, dataset="from-ngo",
             state_file=instances.tmp / "clean.json", limit=2)  # fmt: skip
        assert _texts(clean) == _texts(instances.police)
        clean.close()
        # incremental: only what is new since the cursor
        store_texts(instances.ngo, "ds-g", "green", texts("n", 2), "ngo")
        again = pull(instances.police, url, instances.police_token, dataset="from-ngo",
                     state_file=state, limit=2)  # fmt: skip
        # a full page (2 of 2) asks once more and finds the end
        assert (again.documents_new, again.documents_known, again.pages) == (2, 0, 2)
        # idempotent from the start
        replay = pull(instances.police, url, instances.police_token, dataset="from-ngo",
                      state_file=state, from_start=True)  # fmt: skip
        assert replay.documents_new == 0 and replay.documents_known == 11
        proxy.close()
    served = [e for e in audit.entries(instances.ngo.engine) if e.target_kind == "sync"]
    assert served and all(e.detail["to"] == "police" for e in served)


def test_markings_on_both_sides(instances: Instances) -> None:
    with Server(_app(instances.ngo)) as server:
        url = f"http://127.0.0.1:{server.port}/api/v1"
        bank = open_store(_settings(instances.tmp, "bank"))
        pull(bank, url, instances.bank_token, dataset="from-ngo",
             state_file=instances.tmp / "b.json")  # fmt: skip
        assert _markers(bank) == {"clear", "green"}  # not named on AMBER: not sent
        bank.close()
        # our side: a GREEN dataset refuses AMBER material rather than lowering it
        result = pull(instances.police, url, instances.police_token, dataset="green-only",
                      marking="green", state_file=instances.tmp / "g.json")  # fmt: skip
        assert _markers(instances.police) == {"clear", "green"}
        assert len(result.problems) == 3 and all("TLP:AMBER" in p for p in result.problems)
        with pytest.raises(SyncError, match="refused the token"):
            pull(instances.police, url, "tcn_wrong_token", dataset="x",
                 state_file=instances.tmp / "x.json")  # fmt: skip


def test_changes_page_by_cursor(instances: Instances) -> None:
    from tocsin.access.tokens import token_principal

    principal = token_principal(instances.ngo.engine, instances.police_token)
    assert principal is not None
    first = changes(instances.ngo.engine, principal, 0, 4, organisation="ngo")
    assert len(first.items) == 4 and first.more
    second = changes(instances.ngo.engine, principal, first.next_cursor, 100, organisation="ngo")
    assert len(second.items) == 5 and not second.more
    cursors = [int(i["cursor"]) for i in first.items + second.items]
    assert cursors == sorted(cursors) and len(set(cursors)) == 9
    assert (
        changes(instances.ngo.engine, principal, second.next_cursor, 10, organisation="ngo").items
        == []
    )


def test_changes_on_both_backends(store: Store) -> None:
    """On PostgreSQL the page is read under a SHARE lock on documents (waits for writers in
    flight); on both backends the cursor pages through exactly what the partner may receive."""
    fill(store)
    partner = users.create_user(store.engine, "p_an", PASSWORD, org="police", role="analyst")
    seen: list[str] = []
    cursor = 0
    while True:
        page = changes(store.engine, partner, cursor, 2, organisation="ngo")
        seen += [i["document"]["text"] for i in page.items]
        cursor = page.next_cursor
        if not page.more:
            break
    assert len(seen) == 6 and all("zqr" not in t and "zqs" not in t for t in seen)
