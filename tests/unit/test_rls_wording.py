"""The RLS matrix reads right: grid rows are the names `--role` takes, a failing cell names
rows instead of printing ids, and the over-the-limit case says whose limit it is."""

from __future__ import annotations

from uuid import uuid4

from aimodels.rls.cases import load_matrix
from aimodels.rls.grid import actor_heading, build_grids
from aimodels.rls.results import CaseResult
from aimodels.rls.symbols import Symbols


def test_grid_rows_start_with_the_role_name_that_role_takes() -> None:
    matrix = load_matrix()
    case = next(c for c in matrix.cases if c.actor.name == "other_admin")
    result = CaseResult.of(case, observed=str(case.expect), problems=[])
    [grid] = build_grids([result])
    assert grid.labels["other_admin"] == "other_admin (admin@pulse-health)"
    assert actor_heading("anon", "anon") == "anon"


def test_a_row_that_is_not_seeded_is_named_not_printed_as_an_id() -> None:
    org = str(uuid4())
    symbols = Symbols(ids={"org:acme-law": org}, orgs_of_users={})
    assert symbols.name_of(org) == "org:acme-law"
    assert symbols.name_of(str(uuid4())) == "other row"
    assert symbols.name_of("solicitor") == "solicitor"


def test_the_over_the_limit_case_says_whose_remaining_quota_it_exceeds() -> None:
    cases = [c for c in load_matrix().cases if "15001 tokens" in c.probe.says]
    assert {c.actor.name for c in cases} == {"user1", "user2"}
    for case in cases:
        assert "user1 has 15000" in case.sentence(), case.sentence()
