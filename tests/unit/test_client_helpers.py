"""Client helpers without the API: settings from .env, finding things by name, reports."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from uuid import uuid4

import pytest

from aimodels.client import ClientSettings, InvalidInput, NotFound
from aimodels.client.refs import find_by_ref
from aimodels.domain import Organization, SystemModel, UsageTotal


def test_settings_come_from_the_env_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SUPABASE_URL", raising=False)
    monkeypatch.delenv("SUPABASE_ANON_KEY", raising=False)
    env = tmp_path / ".env"
    env.write_text("SUPABASE_URL=http://127.0.0.1:54321\nSUPABASE_ANON_KEY=anon\n")
    settings = ClientSettings.from_env(env)
    assert settings.api_url == "http://127.0.0.1:54321" and settings.anon_key == "anon"


def test_environment_wins_over_the_env_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = tmp_path / ".env"
    env.write_text("SUPABASE_URL=http://file:1\nSUPABASE_ANON_KEY=file\n")
    monkeypatch.setenv("SUPABASE_URL", "http://env:2")
    monkeypatch.setenv("SUPABASE_ANON_KEY", "env")
    assert ClientSettings.from_env(env).api_url == "http://env:2"


def test_missing_settings_say_which_and_how_to_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SUPABASE_URL", raising=False)
    with pytest.raises(InvalidInput, match="SUPABASE_URL is not set: run `aimodels stack up`"):
        ClientSettings.from_env(tmp_path / "absent.env")


def test_anon_key_is_not_in_the_settings_repr() -> None:
    settings = ClientSettings.model_validate({"url": "http://x", "anon_key": "secret-ish"})
    assert "secret-ish" not in repr(settings)


def _models(*names: str) -> list[SystemModel]:
    return [SystemModel(id=uuid4(), name=name) for name in names]


def test_model_found_by_name_ignoring_case_or_by_id() -> None:
    models = _models("Legal Drafter", "Visa Helper")
    assert find_by_ref(models, "legal drafter", kind="model") is models[0]
    assert find_by_ref(models, str(models[1].id), kind="model") is models[1]


def test_unknown_model_is_not_found() -> None:
    with pytest.raises(NotFound, match="no model 'nope'"):
        find_by_ref(_models("a"), "nope", kind="model")


def test_ambiguous_name_asks_for_the_id() -> None:
    with pytest.raises(InvalidInput, match="use the id"):
        find_by_ref(_models("Twin", "twin"), "TWIN", kind="model")


def test_organization_found_by_slug() -> None:
    org = Organization(id=uuid4(), name="Acme Law LLP", slug="acme-law", type="solicitor")
    assert find_by_ref([org], "acme-law", kind="organization", also=("slug",)) is org


def test_report_lines_are_named_by_their_group() -> None:
    """usage_report() rows: a table names each group by its names, ids where a name is unknown."""
    user = uuid4()
    line = UsageTotal.model_validate(
        {"model_id": str(uuid4()), "model_name": "A", "user_id": str(user), "user_name": None,
         "tokens": 9, "requests": 2, "records": 2}
    )  # fmt: skip
    assert line.key == f"A / {user}"
    day = UsageTotal(day=date(2025, 5, 3), tokens=1, requests=1, records=1)
    assert (day.key, day.model_dump(mode="json")["key"]) == ("2025-05-03", "2025-05-03")
