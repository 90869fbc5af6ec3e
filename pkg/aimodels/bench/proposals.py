"""The schema changes the benchmarks propose, as SQL the lead can fold into a migration."""

from __future__ import annotations

from importlib.resources import files


def proposals_sql() -> str:
    return files("aimodels.bench").joinpath("proposals.sql").read_text()
