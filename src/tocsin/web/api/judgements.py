"""``POST /api/v1/judgements``: an analyst confirms or rejects a link or a merge."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException

from tocsin.access import Principal
from tocsin.store import SqlLinkSource, Store
from tocsin.web.api.models import JudgementIn, JudgementOut, NodeIn
from tocsin.web.deps import StoreDep, require_role

__all__ = ["router"]

router = APIRouter(tags=["judgements"])


def _check_visible(store: Store, source: SqlLinkSource, node: NodeIn) -> None:
    if node.kind == "document":
        if not source.summaries([node.id]):
            raise HTTPException(404, f"no such document: {node.id}")
    elif store.selector(node.id) is None:
        raise HTTPException(404, f"no such selector: {node.id}")


@router.post(
    "/judgements",
    response_model=JudgementOut,
    status_code=201,
    summary="Confirm or reject a link or a merge",
    responses={
        403: {"description": "Needs the analyst role."},
        404: {"description": "A node the caller may not see, or that does not exist."},
    },
)
def judge(
    body: JudgementIn,
    store: StoreDep,
    principal: Principal = Depends(require_role("analyst")),  # noqa: B008 - FastAPI idiom
) -> JudgementOut:
    """Record a judgement: a rejected link stops joining clusters, a confirmed merge joins
    two nodes, a later decision replaces an earlier one. ``link`` judgements name one
    document and one selector. Both nodes must be visible to the caller."""
    if body.target == "link" and {body.a.kind, body.b.kind} != {"document", "selector"}:
        raise HTTPException(422, "a link judgement names one document and one selector")
    scoped = store.as_principal(principal)
    source = scoped.link_source()
    for node in (body.a, body.b):
        _check_visible(scoped, source, node)
    scoped.judge(
        body.target,
        (body.a.kind, body.a.id),
        (body.b.kind, body.b.id),
        body.decision,
        who=principal.username,
        why=body.why,
    )
    return JudgementOut(
        target=body.target, a=body.a, b=body.b, decision=body.decision, who=principal.username
    )
