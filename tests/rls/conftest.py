"""Fixtures of the RLS matrix tests: one runner per module, on a freshly reset database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from aimodels.rls.cases import Matrix, load_matrix
from aimodels.rls.runner import MatrixRunner
from aimodels.rls.target import Target
from aimodels.stack.local_stack import LocalStack


@pytest.fixture(scope="session")
def matrix() -> Matrix:
    return load_matrix()


@pytest.fixture(scope="module")
def matrix_runner(local_stack: LocalStack, matrix: Matrix) -> Iterator[MatrixRunner]:
    """Signed-in actors against a database just reset to the seed the expectations assume."""
    local_stack.reset()
    with MatrixRunner(Target.from_stack(local_stack.info), matrix) as runner:
        yield runner
