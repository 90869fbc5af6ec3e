"""What a run found: one result per case, counts per actor and table, and the whole report."""

from __future__ import annotations

from collections import Counter

from pydantic import BaseModel, ConfigDict

from aimodels.rls.cases import Case


class CaseResult(BaseModel):
    """One cell entry's verdict. `failure` reads as a sentence naming the cell."""

    model_config = ConfigDict(frozen=True)

    id: str
    actor: str
    actor_label: str
    table: str
    operation: str
    case: str
    rule: str  # "admin@acme-law cannot update organizations.pricing_plan"
    request: str  # "PATCH organizations?slug=eq.acme-law" (placeholders unexpanded)
    expected: str
    observed: str
    passed: bool
    failure: str | None = None
    message: str | None = None  # the API's error message, secrets redacted

    @classmethod
    def of(
        cls,
        case: Case,
        *,
        observed: str,
        problems: list[str],
        message: str | None = None,
    ) -> CaseResult:
        rule = case.sentence()
        failure = None
        if problems:
            failure = f"{rule}: " + "; ".join(problems)
        return cls(
            id=case.id,
            actor=case.actor.name,
            actor_label=case.actor.label,
            table=case.table,
            operation=case.operation,
            case=case.probe.case.value,
            rule=rule,
            request=f"{case.probe.verb.value.upper()} {case.probe.path}",
            expected=str(case.expect),
            observed=observed,
            passed=not problems,
            failure=failure,
            message=message,
        )


class Counts(BaseModel):
    cases: int = 0
    passed: int = 0
    failed: int = 0


class Summary(BaseModel):
    total: int
    passed: int
    failed: int
    by_actor: dict[str, Counts]
    by_table: dict[str, Counts]
    by_actor_and_table: dict[str, dict[str, int]]  # actor -> table -> number of cases
    data_left_as_found: bool | None = None  # None when the run did not check
    data_changes: list[str] = []  # tables whose rows differ after the run


class MatrixReport(BaseModel):
    """`aimodels rls matrix --json` prints exactly this: {"cases": [...], "summary": {...}}."""

    cases: list[CaseResult]
    summary: Summary

    @property
    def passed(self) -> bool:
        return self.summary.failed == 0 and self.summary.data_left_as_found is not False

    @property
    def failures(self) -> list[CaseResult]:
        return [result for result in self.cases if not result.passed]


def summarize(results: list[CaseResult], *, data_changes: list[str] | None = None) -> Summary:
    by_actor: dict[str, Counts] = {}
    by_table: dict[str, Counts] = {}
    grid: dict[str, Counter[str]] = {}
    for result in results:
        for bucket, key in ((by_actor, result.actor), (by_table, result.table)):
            counts = bucket.setdefault(key, Counts())
            counts.cases += 1
            if result.passed:
                counts.passed += 1
            else:
                counts.failed += 1
        grid.setdefault(result.actor, Counter())[result.table] += 1
    passed = sum(1 for result in results if result.passed)
    return Summary(
        total=len(results),
        passed=passed,
        failed=len(results) - passed,
        by_actor=by_actor,
        by_table=by_table,
        by_actor_and_table={actor: dict(tables) for actor, tables in grid.items()},
        data_left_as_found=None if data_changes is None else not data_changes,
        data_changes=data_changes or [],
    )
