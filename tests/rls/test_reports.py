"""Every report names a failing cell the same way, and the JSON has the documented shape."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

import pytest
from rich.console import Console

from aimodels.rls.cases import Case, Expectation, Matrix, load_matrix
from aimodels.rls.reports.console import print_report
from aimodels.rls.reports.html import html_report
from aimodels.rls.reports.junit import junit_xml
from aimodels.rls.results import CaseResult, MatrixReport, summarize

SENTENCE = (
    "admin@bright-visas cannot update organizations.pricing_plan of bright-visas: "
    "expected 400 AM008, got 200 [bright-visas]"
)


@pytest.fixture(scope="module")
def report() -> MatrixReport:
    matrix: Matrix = load_matrix()
    broken: Case = next(
        c for c in matrix.cases if c.actor.name == "admin" and "pricing_plan" in c.probe.says
    )
    passing: Case = matrix.cases[0]
    results = [
        CaseResult.of(passing, observed=str(passing.expect), problems=[]),
        CaseResult.of(
            broken,
            observed="200 [bright-visas]",
            problems=[f"expected {broken.expect}, got 200 [bright-visas]"],
        ),
    ]
    return MatrixReport(cases=results, summary=summarize(results, data_changes=[]))


def test_a_failure_reads_as_the_broken_rule(report: MatrixReport) -> None:
    assert report.failures[0].failure == SENTENCE
    assert not report.passed


def test_json_has_cases_and_summary_with_counts_per_actor_and_table(report: MatrixReport) -> None:
    data = json.loads(report.model_dump_json())
    assert set(data) == {"cases", "summary"}
    assert data["summary"]["failed"] == 1
    assert data["summary"]["by_actor"]["admin"] == {"cases": 1, "passed": 0, "failed": 1}
    assert data["summary"]["by_table"]["organizations"]["cases"] == 2


def test_junit_marks_the_failing_case_with_its_sentence(report: MatrixReport) -> None:
    root = ET.fromstring(junit_xml(report))
    failures = root.findall(".//testcase/failure")
    assert [f.get("message") for f in failures] == [SENTENCE]
    assert root.get("tests") == "2" and root.get("failures") == "1"


def test_html_is_self_contained_and_lists_the_failure(report: MatrixReport) -> None:
    page = html_report(report, target="http://127.0.0.1:54321")
    assert "FAILED" in page
    assert "expected 400 AM008, got 200 [bright-visas]" in page
    assert "<link" not in page and "src=" not in page  # nothing to fetch


def test_console_grid_shows_the_failing_cell_and_sentence(report: MatrixReport) -> None:
    console = Console(record=True, width=200)
    print_report(report, console)
    text = console.export_text()
    assert "FAIL 1/1" in text
    assert SENTENCE in text


def test_expectation_parse_round_trips_through_str() -> None:
    for text in ("200 [a, b]", "403 42501", "200 #6", "204", "200 []"):
        assert str(Expectation.parse(text)) == text
