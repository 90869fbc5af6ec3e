"""`aimodels stack up` runs the development provider and the service, writes
AIMODELS_PROXY_URL, and the seeded models call the provider: offline, right after a reset."""

from __future__ import annotations

import psycopg
import requests

from aimodels.stack.envfile import env_lines
from aimodels.stack.local_stack import LocalStack
from aimodels.stack.state import StackInfo


def test_the_env_file_names_the_services_base_url() -> None:
    info = StackInfo(api_url="http://a", db_url="postgresql://b", proxy_url="http://c/v1")
    assert "AIMODELS_PROXY_URL=http://c/v1" in env_lines(info)
    assert not any(
        line.startswith("AIMODELS_PROXY_URL")
        for line in env_lines(info.model_copy(update={"proxy_url": None}))
    ), "a stack without the service writes no URL for it"


def test_the_env_file_gives_the_service_a_login_that_only_switches_roles() -> None:
    info = StackInfo(
        api_url="http://a",
        db_url="postgresql://postgres:pw@127.0.0.1:5432/postgres",
        proxy_url="http://c/v1",
    )
    assert (
        "AIMODELS_PROXY_DB_URL=postgresql://authenticator:postgres@127.0.0.1:5432/postgres"
        in env_lines(info)
    )


def test_the_stack_runs_both_services_and_points_the_seeded_models_at_the_provider(
    local_stack: LocalStack, seeded: StackInfo
) -> None:
    components = {c.name: c for c in local_stack.status().components}
    assert components["model access service"].running
    assert components["development provider"].running
    assert seeded.proxy_url == f"{local_stack.model_access.proxy.url}/v1"
    provider = local_stack.model_access.provider_url
    assert requests.get(f"{provider}/models", timeout=5).status_code == 200
    with psycopg.connect(seeded.db_url) as conn:
        endpoints = {
            str(row[0])
            for row in conn.execute(
                "select endpoint from public.ai_models_system"
                " where id::text like '00000000-0000-0000-0003-%'"
            ).fetchall()
        }
    assert endpoints == {f"{provider}/chat/completions"}, "every seeded model calls the provider"


def test_an_endpoint_set_by_hand_survives_the_local_hook(
    local_stack: LocalStack, seeded: StackInfo
) -> None:
    with psycopg.connect(seeded.db_url, autocommit=True) as conn:
        conn.execute(
            "update public.ai_models_system set endpoint = 'https://llm.example/v1'"
            " where id = '00000000-0000-0000-0003-000000000005'"
        )
        local_stack.model_access.apply_local_hooks(local_stack.settings.project_dir, seeded.db_url)
        row = conn.execute(
            "select endpoint from public.ai_models_system"
            " where id = '00000000-0000-0000-0003-000000000005'"
        ).fetchone()
        conn.execute(
            "update public.ai_models_system set endpoint = %s"
            " where id = '00000000-0000-0000-0003-000000000005'",
            (f"{local_stack.model_access.provider_url}/chat/completions",),
        )
    assert row == ("https://llm.example/v1",)
