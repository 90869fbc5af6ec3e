"""What every benchmark is handed: the scale's seeded database and how long to measure."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aimodels.bench.database import BenchDatabase
from aimodels.bench.loader import SeedInfo
from aimodels.bench.scales import Scale, ScaleSpec, Shape, spec
from aimodels.stack.local_stack import LocalStack


@dataclass(frozen=True)
class BenchContext:
    stack: LocalStack
    database: BenchDatabase
    seed_info: SeedInfo

    @property
    def scale(self) -> Scale:
        return self.database.scale

    @property
    def shape(self) -> Shape:
        return self.database.shape

    @property
    def spec(self) -> ScaleSpec:
        return spec(self.database.scale)

    @property
    def project_dir(self) -> Path:
        return self.stack.settings.project_dir

    @property
    def warmup(self) -> int:
        return max(3, self.spec.per_round // 10)
