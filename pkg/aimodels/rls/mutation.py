"""The mutation check: the matrix must notice every deliberate mistake, one at a time.

For each mutant (mutants.py): apply it, run the matrix cases of the tables and RPCs it
touches first, then the rest, stop at the first failing case (caught), undo it. A mutant
no case notices has survived: the matrix has a hole there. Cases that already fail before
any mutation are left out (they would "catch" everything). Mutants the API cannot observe
at all (a trigger on events no API role may perform) are reported as unreachable, not as
survivors. At the end the catalog must match what it was before the first mutant.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from enum import StrEnum

import psycopg
from pydantic import BaseModel

from aimodels.rls.cases import Case, Matrix
from aimodels.rls.mutants import EXPOSED_SCHEMAS, Mutant, MutationPlan, NotMutated, plan_mutants
from aimodels.rls.runner import MatrixRunner
from aimodels.rls.snapshot import PLATFORM_SCHEMAS
from aimodels.rls.throwaway import ThrowawayStack
from aimodels.stack.local_stack import LocalStack


class Verdict(StrEnum):
    CAUGHT = "caught"
    SURVIVED = "survived"
    UNREACHABLE = "unreachable"


class MutantResult(BaseModel):
    kind: str
    target: str
    verdict: Verdict
    caught_by: str | None = None  # the first failing case, as its sentence
    case_id: str | None = None
    cases_run: int = 0
    seconds: float = 0.0
    note: str | None = None


class MutationReport(BaseModel):
    baseline_cases: int
    baseline_failures: list[str]  # case ids left out because they fail without any mutant
    results: list[MutantResult]
    not_mutated: list[NotMutated]
    catalog_restored: bool

    @property
    def survivors(self) -> list[MutantResult]:
        return [r for r in self.results if r.verdict is Verdict.SURVIVED]

    @property
    def passed(self) -> bool:
        return not self.survivors and self.catalog_restored


Progress = Callable[[MutantResult], None]


def check_mutations(
    stack: LocalStack,
    matrix: Matrix,
    *,
    kinds: set[str] | None = None,
    progress: Progress | None = None,
) -> MutationReport:
    """The whole check on a throwaway copy of the product beside `stack` (left untouched)."""
    with ThrowawayStack(stack) as throwaway:
        with psycopg.connect(throwaway.superuser_url, autocommit=True) as conn:
            plan = plan_mutants(conn, EXPOSED_SCHEMAS)
        if kinds:
            plan = MutationPlan(
                mutants=[m for m in plan.mutants if m.kind.value in kinds],
                not_mutated=plan.not_mutated,
            )
        with MatrixRunner(throwaway.target(), matrix) as runner:
            return run_mutations(
                runner, throwaway.superuser_url, plan, list(matrix.cases), progress=progress
            )


def run_mutations(
    runner: MatrixRunner,
    superuser_url: str,
    plan: MutationPlan,
    cases: list[Case],
    *,
    progress: Progress | None = None,
) -> MutationReport:
    baseline = [runner.run_case(case) for case in cases]
    healthy = [case for case, result in zip(cases, baseline, strict=True) if result.passed]
    failing = [result.id for result in baseline if not result.passed]
    results: list[MutantResult] = []
    with psycopg.connect(superuser_url, autocommit=True) as conn:
        before = catalog_fingerprint(conn)
        for mutant in plan.mutants:
            result = _run_one(runner, conn, mutant, healthy)
            results.append(result)
            if progress is not None:
                progress(result)
        restored = catalog_fingerprint(conn) == before
    return MutationReport(
        baseline_cases=len(cases),
        baseline_failures=failing,
        results=results,
        not_mutated=plan.not_mutated,
        catalog_restored=restored,
    )


def _run_one(
    runner: MatrixRunner, conn: psycopg.Connection, mutant: Mutant, cases: list[Case]
) -> MutantResult:
    kind, target = mutant.kind.value, mutant.target
    if mutant.unreachable is not None:
        return MutantResult(
            kind=kind, target=target, verdict=Verdict.UNREACHABLE, note=mutant.unreachable
        )
    started = time.monotonic()
    ran = 0
    conn.execute(mutant.apply_sql)
    try:
        for case in _relevant_first(cases, mutant):
            ran += 1
            result = runner.run_case(case)
            if not result.passed:
                return MutantResult(
                    kind=kind,
                    target=target,
                    verdict=Verdict.CAUGHT,
                    caught_by=result.failure,
                    case_id=result.id,
                    cases_run=ran,
                    seconds=round(time.monotonic() - started, 2),
                )
    finally:
        conn.execute(mutant.restore_sql)
    return MutantResult(
        kind=kind,
        target=target,
        verdict=Verdict.SURVIVED,
        cases_run=ran,
        seconds=round(time.monotonic() - started, 2),
    )


def _relevant_first(cases: list[Case], mutant: Mutant) -> list[Case]:
    def relevant(case: Case) -> bool:
        return case.table in mutant.tables or case.operation in mutant.operations

    return [c for c in cases if relevant(c)] + [c for c in cases if not relevant(c)]


_CATALOG = """
select coalesce(string_agg(line, E'\\n' order by line), '') from (
  select format('policy %%s %%s %%s %%s %%s %%s', p.polrelid::regclass, p.polname, p.polcmd,
                p.polroles, pg_get_expr(p.polqual, p.polrelid),
                pg_get_expr(p.polwithcheck, p.polrelid)) as line
  from pg_policy p
  union all
  select format('function %%s', pg_get_functiondef(p.oid))
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace
  where n.nspname <> all(%(platform)s) and p.prokind = 'f'
  union all
  select format('trigger %%s %%s %%s', t.tgrelid::regclass, t.tgname, t.tgenabled)
  from pg_trigger t where not t.tgisinternal
) catalog
"""


def catalog_fingerprint(conn: psycopg.Connection) -> str:
    """A digest of every policy, function of ours and trigger state: equal means restored."""
    row = conn.execute(_CATALOG, {"platform": list(PLATFORM_SCHEMAS)}).fetchone()
    return hashlib.sha256(str(row[0] if row else "").encode()).hexdigest()
