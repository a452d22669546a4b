"""``POST /api/v1/scan``: screen one text, public and rate-limited; nothing is stored.

Scans that arrive together are scanned together: each request queues its document and the
queue is drained once the event loop has taken in the requests that are ready, in one
``Engine.scan_many`` call. Scoring the learned models for a batch costs little more than for one
document, so under many concurrent clients a scan costs about half the CPU it would alone
(docs/benchmarks.md). A lone request waits for nothing: the drain runs on the next loop turn.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Depends, Request, Response

from tocsin.detect.engine import Engine as ScanEngine
from tocsin.model import Document, Verdict
from tocsin.web.api.models import ScanRequest, VerdictOut, verdict_out
from tocsin.web.deps import ScannerDep, public_rate_limit

__all__ = ["ScanBatcher", "router"]

router = APIRouter(tags=["scan"])


class ScanBatcher:
    """Collects the documents of concurrent scan requests and scans them in one batch.

    The batch runs on the event loop itself, not in a thread: a scan is pure-Python CPU work,
    and under the GIL threads would only add switching to the queueing.
    """

    MAX_BATCH = 64

    def __init__(self, engine: ScanEngine) -> None:
        self.engine = engine
        self._pending: list[tuple[Document, asyncio.Future[Verdict]]] = []
        self._scheduled = False

    async def scan(self, document: Document) -> Verdict:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Verdict] = loop.create_future()
        self._pending.append((document, future))
        if not self._scheduled:
            self._scheduled = True
            loop.call_soon(self._drain)
        return await future

    def _drain(self) -> None:
        batch, self._pending = self._pending[: self.MAX_BATCH], self._pending[self.MAX_BATCH :]
        if self._pending:
            asyncio.get_running_loop().call_soon(self._drain)
        else:
            self._scheduled = False
        try:
            verdicts = list(self.engine.scan_many([d for d, _ in batch]))
        except Exception as exc:  # handed to every waiting request, answered as a 500
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for (_, future), verdict in zip(batch, verdicts, strict=True):
            if not future.done():
                future.set_result(verdict)


def _batcher(request: Request, engine: ScanEngine) -> ScanBatcher:
    batcher: ScanBatcher | None = getattr(request.app.state, "scan_batcher", None)
    if batcher is None or batcher.engine is not engine:
        batcher = request.app.state.scan_batcher = ScanBatcher(engine)
    return batcher


@router.post(
    "/scan",
    response_model=VerdictOut,
    summary="Screen a job offer or message",
    dependencies=[Depends(public_rate_limit)],
    responses={429: {"description": "Too many requests from this address (see Retry-After)."}},
)
async def scan(body: ScanRequest, request: Request, scanner: ScannerDep) -> Response:
    """The explainable verdict on one text: risk 0–100, level, the warning signs found with
    their evidence spans, the selectors (phones, accounts, wallets, …) and the learned models'
    opinion. The text is not stored (use ``POST /public/report`` to report it)."""
    document = Document(body.text, body.kind, language=body.language, country=body.country)
    verdict = verdict_out(await _batcher(request, scanner).scan(document))
    # Serialised here, once: returning the model would have FastAPI validate it again.
    return Response(verdict.model_dump_json(), media_type="application/json")
