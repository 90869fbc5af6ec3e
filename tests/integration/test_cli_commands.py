"""The `aimodels` command end to end through the local stack (typer's CliRunner): tables for
people, --json for machines, and for every refusal one line on stderr, a documented exit
code, and nothing changed."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from typer.testing import CliRunner, Result

from aimodels.cli.app import app
from aimodels.stack.envfile import write_env_file
from aimodels.stack.state import StackInfo

SUPERADMIN = "superadmin@example.test"
ADMIN = "admin@bright-visas.example.test"
USER = "user1@bright-visas.example.test"
IMMIGRATION = "Immigration Case Assistant"

pytestmark = pytest.mark.stack

Run = Callable[..., Result]


@pytest.fixture
def run(db: StackInfo, tmp_path_factory: pytest.TempPathFactory) -> Run:
    """`run(email, *args, env=...)`: aimodels --as email args, against the test stack."""
    runner = CliRunner()
    # never the developer's .env: one written for the test stack
    env_file = tmp_path_factory.mktemp("env") / ".env"
    write_env_file(env_file, db)
    base_env = {
        "SUPABASE_URL": "",
        "SUPABASE_ANON_KEY": "",
        "AIMODELS_ENV_FILE": str(env_file),
        "AIMODELS_AS": "",
        "AIMODELS_PASSWORD": "",
        "COLUMNS": "200",  # rich wraps tables to the terminal width
    }

    def invoke(email: str | None, *args: str, env: dict[str, str] | None = None) -> Result:
        prefix = ["--as", email] if email else []
        return runner.invoke(app, [*prefix, *args], env={**base_env, **(env or {})})

    return invoke


def _ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def _refused(result: Result, exit_code: int) -> str:
    """The refusal contract: the exit code, nothing on stdout, one line on stderr."""
    assert result.exit_code == exit_code, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def _quota_used(run: Run, model: str = IMMIGRATION) -> int:
    status = json.loads(_ok(run(USER, "quota", "--model", model, "--json")).stdout)
    return int(status[0]["tokens_used"])


def test_models_list_json_shows_the_users_usable_models(run: Run) -> None:
    models = json.loads(_ok(run(USER, "models", "list", "--json")).stdout)
    assert [m["name"] for m in models] == ["General Writing Assistant", IMMIGRATION]
    assert all("api_key" not in m for m in models)


def test_models_list_for_an_admin_shows_enablement(run: Run) -> None:
    out = _ok(run(ADMIN, "models", "list")).stdout
    assert "Legal Document Drafter" in out and "enabled" in out


def test_models_show_never_prints_a_key(run: Run) -> None:
    out = _ok(run(SUPERADMIN, "models", "show", IMMIGRATION.lower())).stdout
    assert IMMIGRATION in out and "sk-placeholder" not in out


def test_usage_record_moves_the_quota(run: Run) -> None:
    before = _quota_used(run)
    out = _ok(run(USER, "usage", "record", "--model", IMMIGRATION, "--tokens", "40")).stdout
    assert out.startswith("recorded 40 tokens, 1 request(s) on Immigration Case Assistant")
    assert _quota_used(run) == before + 40


def test_usage_report_by_user_for_an_admin(run: Run) -> None:
    totals = json.loads(_ok(run(ADMIN, "usage", "report", "--by", "user", "--json")).stdout)
    assert "User 1 (Bright Visas)" in {t["key"] for t in totals}


def test_admin_enable_limit_disable(run: Run) -> None:
    assert "enabled" in _ok(run(ADMIN, "admin", "enable", "Legal Document Drafter")).stdout
    limited = _ok(run(ADMIN, "admin", "limit", "Legal Document Drafter", "--tokens", "900"))
    assert "900" in limited.stdout
    assert "disabled" in _ok(run(ADMIN, "admin", "disable", "Legal Document Drafter")).stdout


def test_catalog_create_update_set_key_deactivate(run: Run) -> None:
    created = run(
        SUPERADMIN,
        "catalog",
        "create",
        "--name",
        "CLI Model",
        "--set",
        'organization_types=["immigration"]',
        "--set",
        "required_plan=starter",
        "--json",
    )
    assert json.loads(_ok(created).stdout)["required_plan"] == "starter"
    updated = _ok(
        run(SUPERADMIN, "catalog", "update", "cli model", "--set", "sort_order=7", "--json")
    )
    assert json.loads(updated.stdout)["sort_order"] == 7
    keyed = _ok(
        run(
            SUPERADMIN,
            "catalog",
            "set-key",
            "CLI Model",
            "--from-env",
            "NEW_KEY",
            env={"NEW_KEY": "sk-cli-secret"},
        )
    )
    assert "sk-cli-secret" not in keyed.output
    assert "deactivated" in _ok(run(SUPERADMIN, "catalog", "deactivate", "CLI Model")).stdout


def test_orgs_plan_and_quota(run: Run) -> None:
    assert "plan is now pro" in _ok(run(SUPERADMIN, "orgs", "plan", "acme-law", "pro")).stdout
    assert "quota is now 5000" in _ok(run(SUPERADMIN, "orgs", "quota", "acme-law", "5000")).stdout
    assert "unlimited" in _ok(run(SUPERADMIN, "orgs", "quota", "acme-law", "--unlimited")).stdout
    _ok(run(SUPERADMIN, "orgs", "plan", "acme-law", "free"))


# -- refusals ------------------------------------------------------------------------------


def test_a_negative_quota_reaches_the_rule_not_the_option_parser(run: Run) -> None:
    # It needs the database: the rule refuses it, after sign-in (a unit test without a stack
    # saw exit 1, "cannot reach the API", whenever no developer stack happened to be up).
    line = _refused(run(SUPERADMIN, "orgs", "quota", "acme-law", "-5"), 2)
    assert "No such option" not in line


def test_wrong_password_exits_3(run: Run) -> None:
    line = _refused(run(USER, "models", "list", env={"AIMODELS_PASSWORD": "wrong"}), 3)
    assert "invalid_credentials" in line


def test_no_account_is_bad_usage_exit_2(run: Run) -> None:
    assert "--as EMAIL" in _refused(run(None, "models", "list"), 2)


def test_unknown_model_exits_6(run: Run) -> None:
    _refused(run(USER, "usage", "record", "--model", "No Such Model", "--tokens", "5"), 6)


def test_negative_amount_exits_2_and_records_nothing(run: Run) -> None:
    before = _quota_used(run)
    line = _refused(run(USER, "usage", "record", "-m", IMMIGRATION, "--tokens", "-5"), 2)
    assert "tokens_used: must be > 0" in line
    assert _quota_used(run) == before


def test_over_the_limit_exits_5_and_records_nothing(run: Run) -> None:
    before = _quota_used(run)
    line = _refused(run(USER, "usage", "record", "-m", IMMIGRATION, "--tokens", "999999"), 5)
    assert "[AM004]" in line
    assert _quota_used(run) == before


def test_user_cannot_administer_exits_4(run: Run) -> None:
    _refused(run(USER, "admin", "enable", IMMIGRATION), 4)


def test_admin_cannot_edit_the_catalog_or_plans_exits_4(run: Run) -> None:
    _refused(run(ADMIN, "catalog", "deactivate", IMMIGRATION), 4)
    _refused(run(ADMIN, "orgs", "plan", "bright-visas", "enterprise"), 4)
    models = json.loads(_ok(run(USER, "models", "list", "--json")).stdout)
    assert IMMIGRATION in {m["name"] for m in models}, "nothing was deactivated"


def test_as_works_after_the_noun_and_from_aimodels_as(run: Run) -> None:
    after = json.loads(_ok(run(None, "models", "list", "--json", "--as", USER)).stdout)
    from_env = json.loads(
        _ok(run(None, "models", "list", "--json", env={"AIMODELS_AS": USER})).stdout
    )
    assert after == from_env and IMMIGRATION in {m["name"] for m in after}


def test_tables_are_not_cut_without_a_terminal(run: Run) -> None:
    out = _ok(run(SUPERADMIN, "models", "list", env={"COLUMNS": "40"})).stdout
    assert IMMIGRATION in out and "…" not in out


def test_a_taken_model_name_is_one_plain_line(run: Run) -> None:
    line = _refused(run(SUPERADMIN, "catalog", "create", "--name", IMMIGRATION), 2)
    assert "already exists" in line and "constraint" not in line


def test_a_blank_model_name_is_refused_before_the_database(run: Run) -> None:
    line = _refused(run(SUPERADMIN, "catalog", "create", "--name", "  "), 2)
    assert "name:" in line and "constraint" not in line


@pytest.mark.parametrize("tokens", ["-5", "99999999999999999999"])
def test_a_quota_out_of_range_is_one_plain_line(run: Run, tokens: str) -> None:
    line = _refused(run(SUPERADMIN, "orgs", "quota", "acme-law", tokens), 2)
    assert "token_quota_monthly" in line
    assert "bigint" not in line and "No such option" not in line


def test_a_zero_quota_is_shown_as_zero(run: Run) -> None:
    assert "quota is now 0" in _ok(run(SUPERADMIN, "orgs", "quota", "acme-law", "0")).stdout
    listed = _ok(run(SUPERADMIN, "orgs", "list")).stdout
    acme = next(line for line in listed.splitlines() if "acme-law" in line)
    assert "unlimited" not in acme and " 0 " in acme
    _ok(run(SUPERADMIN, "orgs", "quota", "acme-law", "--unlimited"))


def test_dates_print_one_way(run: Run) -> None:
    out = _ok(run(SUPERADMIN, "orgs", "list")).stdout + _ok(run(USER, "quota")).stdout
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", out)
    assert not re.search(r"\d\d:\d\d:\d\d\+00:00", out)


def test_help_documents_exit_codes_and_examples(run: Run) -> None:
    out = _ok(run(None, "usage", "--help")).stdout
    assert "Exit codes" in out and "Example" in out
