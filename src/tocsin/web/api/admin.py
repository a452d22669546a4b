"""``/api/v1/admin``: an admin manages their own organisation — users, roles, API tokens,
datasets' markings, partners and readers — and reads its audit trail. The deployment's
public settings (hotlines) are edited by admins of the deployment's organisation.

Users, tokens and datasets of other organisations answer 404, as if they did not exist.
Every change is written to the audit log by `tocsin.access`.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response

from tocsin.access import Principal, audit, tokens, users
from tocsin.access.tokens import TokenInfo
from tocsin.access.users import UserInfo
from tocsin.store import Store
from tocsin.store.schema import datasets, organisations
from tocsin.web.api.documents import aware
from tocsin.web.api.models import (
    AuditEntryOut,
    DatasetAccessOut,
    DatasetPatch,
    DeploymentSettingsModel,
    OrganisationOut,
    TokenCreated,
    TokenIn,
    TokenOut,
    UserCreated,
    UserIn,
    UserOut,
    UserPatch,
)
from tocsin.web.deps import (
    SettingsDep,
    StoreDep,
    deployment_settings,
    require_role,
    save_deployment_settings,
)

__all__ = ["router"]

router = APIRouter(prefix="/admin", tags=["admin"])

AdminDep = Annotated[Principal, Depends(require_role("admin"))]
Username = Annotated[str, Path(min_length=1, max_length=200)]


def _user_out(info: UserInfo) -> UserOut:
    return UserOut(
        username=info.username,
        display_name=info.display_name,
        organisation=info.org,
        role=info.role,
        active=info.active,
        created_at=aware(info.created_at),
        last_login=aware(info.last_login) if info.last_login else None,
    )


def _token_out(info: TokenInfo) -> TokenOut:
    return TokenOut(
        prefix=info.prefix,
        username=info.username,
        name=info.name,
        created_at=aware(info.created_at),
        expires_at=info.expires_at,
        last_used=info.last_used,
        revoked=info.revoked,
    )


def _own_user(store: Store, admin: Principal, username: str) -> UserInfo:
    for info in users.list_users(store.engine, org=admin.org):
        if info.username == username:
            return info
    raise HTTPException(404, "no such user in your organisation")


def _own_dataset(store: Store, admin: Principal, name: str) -> None:
    from sqlalchemy import select

    with store.engine.connect() as conn:
        owner = conn.execute(
            select(organisations.c.name)
            .join(datasets, datasets.c.org_pk == organisations.c.pk)
            .where(datasets.c.name == name)
        ).scalar()
    if owner is None or (not admin.system and owner != admin.org):
        raise HTTPException(404, "no such dataset in your organisation")


# -- organisations ------------------------------------------------------------------------------


@router.get("/organisations", response_model=list[OrganisationOut])
def organisation_list(admin: AdminDep, store: StoreDep) -> list[OrganisationOut]:
    """Every organisation of the deployment (to name partners of AMBER datasets). New
    organisations are created by the operator: ``tocsin admin org add``."""
    found = []
    for org in users.list_organisations(store.engine):
        created = org["created_at"]
        assert isinstance(created, datetime)
        found.append(OrganisationOut.model_validate({**org, "created_at": aware(created)}))
    return found


# -- users --------------------------------------------------------------------------------------


@router.get("/users", response_model=list[UserOut])
def user_list(admin: AdminDep, store: StoreDep) -> list[UserOut]:
    """The users of the admin's organisation."""
    return [_user_out(u) for u in users.list_users(store.engine, org=admin.org)]


@router.post(
    "/users",
    response_model=UserCreated,
    status_code=201,
    responses={400: {"description": "Username taken or invalid."}},
)
def user_create(body: UserIn, admin: AdminDep, store: StoreDep) -> UserCreated:
    """Add a user to the admin's organisation. Without a password a random one is made and
    returned this once."""
    password = body.password or secrets.token_urlsafe(15)
    if admin.org is None:
        raise HTTPException(403, "the operator adds users with `tocsin admin user add`")
    users.create_user(
        store.engine,
        body.username,
        password,
        org=admin.org,
        role=body.role,
        display_name=body.display_name,
        actor=admin,
        secret=store.settings.secret_key,
    )
    info = _own_user(store, admin, body.username)
    return UserCreated(user=_user_out(info), password=None if body.password else password)


@router.patch("/users/{username}", response_model=UserOut, responses={404: {}})
def user_update(username: Username, body: UserPatch, admin: AdminDep, store: StoreDep) -> UserOut:
    """Change a user's role, enable or disable them (disabling ends their sessions and revokes
    their tokens), or set a new password."""
    _own_user(store, admin, username)
    if body.role is not None:
        users.set_role(
            store.engine, username, body.role, actor=admin, secret=store.settings.secret_key
        )
    if body.active is not None:
        users.set_active(
            store.engine, username, body.active, actor=admin, secret=store.settings.secret_key
        )
    if body.password is not None:
        users.set_password(
            store.engine, username, body.password, actor=admin, secret=store.settings.secret_key
        )
    return _user_out(_own_user(store, admin, username))


# -- tokens -------------------------------------------------------------------------------------


@router.get("/tokens", response_model=list[TokenOut])
def token_list(admin: AdminDep, store: StoreDep) -> list[TokenOut]:
    """API tokens of the organisation's users (never the tokens themselves)."""
    return [_token_out(t) for t in tokens.list_tokens(store.engine, org=admin.org)]


@router.post("/tokens", response_model=TokenCreated, status_code=201, responses={404: {}})
def token_create(body: TokenIn, admin: AdminDep, store: StoreDep) -> TokenCreated:
    """A new API token for a user of the organisation, returned this once."""
    _own_user(store, admin, body.username)
    token, info = tokens.create_token(
        store.engine, body.username, body.name, days=body.days, actor=admin
    )
    return TokenCreated(token=token, info=_token_out(info))


@router.delete("/tokens/{prefix}", status_code=204, responses={404: {}})
def token_revoke(
    prefix: Annotated[str, Path(pattern=r"^[0-9a-f]{8}$")], admin: AdminDep, store: StoreDep
) -> Response:
    """Revoke a token of the organisation by its prefix."""
    if not any(t.prefix == prefix for t in tokens.list_tokens(store.engine, org=admin.org)):
        raise HTTPException(404, "no such token in your organisation")
    tokens.revoke_token(store.engine, prefix, actor=admin, secret=store.settings.secret_key)
    return Response(status_code=204)


# -- datasets -----------------------------------------------------------------------------------


def _access_out(store: Store, name: str) -> DatasetAccessOut:
    access = users.dataset_access(store.engine, name)
    return DatasetAccessOut(
        name=access.name,
        marking=access.marking,
        organisation=access.owner,
        partners=list(access.partners),
        readers=list(access.readers),
    )


@router.get("/datasets", response_model=list[DatasetAccessOut])
def dataset_list(admin: AdminDep, store: StoreDep) -> list[DatasetAccessOut]:
    """The organisation's datasets with their marking, AMBER partners and RED readers."""
    from sqlalchemy import select

    with store.engine.connect() as conn:
        names = list(
            conn.scalars(
                select(datasets.c.name)
                .join(organisations, organisations.c.pk == datasets.c.org_pk)
                .where(organisations.c.name == admin.org)
                .order_by(datasets.c.name)
            )
        )
    return [_access_out(store, n) for n in names]


@router.patch("/datasets/{name}", response_model=DatasetAccessOut, responses={404: {}})
def dataset_update(
    name: Annotated[str, Path(min_length=1, max_length=200)],
    body: DatasetPatch,
    admin: AdminDep,
    store: StoreDep,
) -> DatasetAccessOut:
    """Change a dataset's marking, name or un-name partner organisations (they see it when
    AMBER) and readers (the only users who see it when RED)."""
    _own_dataset(store, admin, name)
    if body.marking is not None:
        users.mark_dataset(
            store.engine, name, body.marking, actor=admin, secret=store.settings.secret_key
        )
    for org in body.add_partners:
        users.share_dataset(store.engine, name, org, actor=admin, secret=store.settings.secret_key)
    for org in body.remove_partners:
        users.share_dataset(
            store.engine, name, org, remove=True, actor=admin, secret=store.settings.secret_key
        )
    for username in body.add_readers:
        users.grant_reader(
            store.engine, name, username, actor=admin, secret=store.settings.secret_key
        )
    for username in body.remove_readers:
        users.grant_reader(
            store.engine, name, username, remove=True, actor=admin, secret=store.settings.secret_key
        )
    return _access_out(store, name)


# -- deployment settings and audit --------------------------------------------------------------


@router.get("/settings", response_model=DeploymentSettingsModel)
def settings_get(admin: AdminDep, store: StoreDep) -> DeploymentSettingsModel:
    """The deployment's public settings: organisation name and hotlines."""
    return DeploymentSettingsModel.model_validate(deployment_settings(store))


@router.put("/settings", response_model=DeploymentSettingsModel, responses={403: {}})
def settings_put(
    body: DeploymentSettingsModel,
    request: Request,
    admin: AdminDep,
    store: StoreDep,
    settings: SettingsDep,
) -> DeploymentSettingsModel:
    """Replace the public settings (admins of the deployment's own organisation only)."""
    if not admin.system and admin.org != settings.organisation:
        raise HTTPException(
            403, f"only admins of {settings.organisation!r} change the deployment's settings"
        )
    values = body.model_dump(mode="json")
    save_deployment_settings(store, values)
    audit.append(
        store.engine,
        admin,
        "settings.update",
        "deployment",
        "public",
        None,
        values,
        secret=store.settings.secret_key,
    )
    return body


@router.get("/audit", response_model=list[AuditEntryOut])
def audit_log(
    admin: AdminDep,
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    before: Annotated[int | None, Query(ge=1)] = None,
) -> list[AuditEntryOut]:
    """The latest audit entries of the admin's organisation, newest first."""
    rows = audit.entries(store.engine, limit=limit, before=before, org=admin.org)
    return [
        AuditEntryOut(
            seq=e.seq,
            at=e.at,
            actor=e.actor,
            organisation=e.org,
            action=e.action,
            target_kind=e.target_kind,
            target_id=e.target_id,
            marking=e.marking,
            detail=e.detail,
            hash=e.hash,
        )
        for e in rows
    ]
