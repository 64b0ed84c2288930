# mypy: disable-error-code="comparison-overlap"
"""Tokens: stored hashed, with an expiry, revocable; ``protiv token list|revoke``; a manager
token's branches."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from protiv.cli.main import main
from protiv.domain.errors import NotFound, Unauthenticated, ValidationFailed
from protiv.domain.roles import Role
from protiv.persistence.database import create_database
from protiv.persistence.models import ApiToken, Base, Branch, Company
from protiv.services import sync, tokens
from protiv.services.context import ServiceContext
from tests.services.batches import crew_batch


async def test_only_the_hash_is_stored(ctx, company):
    token = await tokens.create_token(ctx, company.slug, Role.ADMIN)
    async with ctx.db.read() as session:
        stored = await session.scalar(select(ApiToken.token_hash))
    assert stored == tokens.hash_token(token)
    assert token not in stored


async def test_an_expired_token_is_refused(ctx, company, clock):
    token = await tokens.create_token(ctx, company.slug, Role.PAYROLL, ttl=timedelta(days=1))
    assert (await tokens.authenticate(ctx, token)).role is Role.PAYROLL
    clock.advance(days=1)
    with pytest.raises(Unauthenticated, match="expired"):
        await tokens.authenticate(ctx, token)


async def test_a_revoked_token_is_refused_and_revoking_again_changes_nothing(ctx, company, clock):
    token = await tokens.create_token(ctx, company.slug, Role.INTEGRATION, name="aspire")
    [info] = await tokens.list_tokens(ctx, company.slug)
    first = await tokens.revoke_token(ctx, info.id)
    clock.advance(hours=1)
    again = await tokens.revoke_token(ctx, info.id)
    assert first.revoked_at == again.revoked_at is not None
    assert again.state(clock()) == "REVOKED"
    with pytest.raises(Unauthenticated, match="not valid"):
        await tokens.authenticate(ctx, token)


async def test_the_api_revokes_only_its_own_company_tokens(ctx, company, admin, manager):
    async with ctx.db.write() as session, session.begin():
        session.add(Company(slug="rival", name="Rival Lawns"))
    await tokens.create_token(ctx, "rival", Role.ADMIN)
    [theirs] = await tokens.list_tokens(ctx, "rival")
    with pytest.raises(NotFound):
        await tokens.revoke_token(ctx, theirs.id, actor=admin)
    assert await tokens.company_tokens(ctx, admin) == []
    with pytest.raises(Exception, match="may not token manage") as refused:
        await tokens.revoke_token(ctx, theirs.id, actor=manager)
    assert refused.value.code.value == "FORBIDDEN"  # type: ignore[attr-defined]


async def test_a_manager_token_manages_the_branches_it_names_or_its_workers(ctx, company, admin):
    branches = [{"externalId": "BR-1", "name": "Austin"}, {"externalId": "BR-2", "name": "Waco"}]
    await sync.sync_batch(ctx, admin, {**crew_batch(), "branches": branches})
    async with ctx.db.read() as session:
        pk = dict((await session.execute(select(Branch.external_id, Branch.id))).all())
    named = await tokens.create_token(ctx, company.slug, Role.MANAGER, branch_external_ids=["BR-2"])
    own = await tokens.create_token(ctx, company.slug, Role.MANAGER, worker_external_id="W-1")
    everywhere = await tokens.create_token(ctx, company.slug, Role.MANAGER)

    assert (await tokens.authenticate(ctx, named)).branch_ids == {pk["BR-2"]}
    assert (await tokens.authenticate(ctx, own)).branch_ids == {pk["BR-1"]}  # W-1's branch
    assert (await tokens.authenticate(ctx, everywhere)).branch_ids is None
    with pytest.raises(NotFound, match="BR-7"):
        await tokens.create_token(ctx, company.slug, Role.MANAGER, branch_external_ids=["BR-7"])
    with pytest.raises(ValidationFailed, match="Only manager tokens"):
        await tokens.create_token(ctx, company.slug, Role.PAYROLL, branch_external_ids=["BR-1"])


# -- the command line ----------------------------------------------------------------------


async def _schema_with_company(url: str) -> None:
    db = create_database(url)
    async with db.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    async with db.write() as session, session.begin():
        session.add(Company(slug="acme", name="Acme Landscaping"))
    await db.dispose()


@pytest.fixture
def protiv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., tuple[int, str, str]]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    asyncio.run(_schema_with_company(url))
    monkeypatch.setenv("PROTIV_DATABASE_URL", url)

    def run(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _authenticates(token: str) -> bool:
    async def check() -> bool:
        from protiv.config import Settings

        db = create_database(Settings.from_env().database_url)
        try:
            await tokens.authenticate(ServiceContext(db=db), token)
        except Unauthenticated:
            return False
        finally:
            await db.dispose()
        return True

    return asyncio.run(check())


def test_token_list_and_revoke_on_the_command_line(protiv):
    code, token, _ = protiv("token", "create", "--company", "acme", "--role", "integration")
    assert code == 0
    protiv("token", "create", "--company", "acme", "--role", "admin", "--expires-days", "3")
    code, out, _ = protiv("token", "list", "--company", "acme", "--json")
    listed = json.loads(out)
    assert code == 0
    assert [(t["role"], t["state"]) for t in listed] == [
        ("INTEGRATION", "ACTIVE"),
        ("ADMIN", "ACTIVE"),
    ]
    assert listed[1]["expiresAt"] is not None
    assert token.strip() not in out  # never a secret

    code, out, _ = protiv("token", "revoke", str(listed[0]["id"]))
    assert (code, out) == (0, f"revoked token {listed[0]['id']} (cli-integration, integration)\n")
    assert not _authenticates(token.strip())
    code, out, _ = protiv("token", "list", "--company", "acme")
    first, second = out.splitlines()
    assert first.split("\t")[:3] == [str(listed[0]["id"]), "REVOKED", "integration"]
    assert second.split("\t")[1] == "ACTIVE"


def test_token_refusals_on_the_command_line(protiv):
    code, _, err = protiv("token", "revoke", "999")
    assert (code, err.count("\n")) == (1, 1)
    assert "NOT_FOUND" in err
    code, _, err = protiv("token", "list", "--company", "nope")
    assert code == 1
    assert "No company" in err
    assert protiv("token", "revoke", "x")[0] == 2
