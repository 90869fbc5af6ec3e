"""The RLS matrix through PostgREST: one test per case of matrix.toml, named by its cell.

A failure reads as the rule it broke, e.g.
  admin@bright-visas cannot update organizations.pricing_plan of bright-visas:
  expected 400 AM008, got 200 [bright-visas]
"""

from __future__ import annotations

import pytest

from aimodels.rls.cases import Case, load_matrix
from aimodels.rls.runner import MatrixRunner

pytestmark = pytest.mark.stack

CASES = load_matrix().cases


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_cell_behaves_as_the_contract_says(matrix_runner: MatrixRunner, case: Case) -> None:
    result = matrix_runner.run_case(case)
    if not result.passed:
        pytest.fail(result.failure, pytrace=False)  # the sentence alone names the cell


def test_matrix_leaves_the_data_as_it_found_it(matrix_runner: MatrixRunner) -> None:
    # Runs after every case above (same module, same runner): write probes were undone.
    assert matrix_runner.data_changes() == [], "the matrix run changed these tables"


def test_every_table_view_and_function_the_api_exposes_has_a_case(
    matrix_runner: MatrixRunner,
) -> None:
    # A new view or RPC is a new path to the data: the matrix must say who may use it.
    exposed = matrix_runner.exposed_paths()
    probed = {probe.path.split("?", 1)[0] for probe in matrix_runner.matrix.probes}
    missing = sorted(path for path in exposed if path not in probed)
    assert missing == [], f"exposed through the API but absent from matrix.toml: {missing}"
