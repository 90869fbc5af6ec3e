"""The pinned Supabase CLI (npm package `supabase`), run against our local Postgres.

`db reset --remote=<url>` applies supabase/migrations and seed.sql exactly as it would on a
hosted project; `db advisors` runs Supabase's security and performance lints.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from aimodels.stack.errors import ToolMissing
from aimodels.stack.process import run

# Our local cluster speaks plain TCP on loopback; say so instead of letting the CLI warn.
# The CLI takes a --remote URL on loopback at config.toml's db.port (54322) for its own
# Docker database and goes looking for the container; pointing db.port elsewhere for the
# CLI's process makes it treat our cluster as the plain Postgres it is.
_CLI_ENV = {
    "PGSSLMODE": "disable",
    "SUPABASE_DB_PORT": "65432",
    "DO_NOT_TRACK": "1",
    "SUPABASE_TELEMETRY_DISABLED": "1",
}


class AdvisorFinding(BaseModel):
    """One lint result as `supabase db advisors --output-format json` reports it."""

    model_config = ConfigDict(extra="ignore")

    name: str
    level: str
    title: str = ""
    detail: str = ""
    categories: list[str] = Field(default_factory=list)


class SupabaseCli:
    def __init__(self, project_dir: Path) -> None:
        self.project_dir = project_dir
        self.binary = project_dir / "node_modules" / ".bin" / "supabase"

    def _command(self, *args: str) -> list[str]:
        if not self.binary.exists():
            raise ToolMissing(f"Supabase CLI not installed at {self.binary}: run ./scripts/setup")
        return [str(self.binary), "--workdir", str(self.project_dir), *args]

    def db_reset(
        self,
        db_url: str,
        *,
        version: str | None = None,
        last: int | None = None,
        seed: bool = True,
    ) -> str:
        """Drop what the migrations made, re-apply them (up to a version) and seed."""
        args = ["db", "reset", f"--remote={db_url}", "--yes"]
        if not seed:
            args.append("--no-seed")
        if version is not None:
            args += ["--version", version]
        if last is not None:
            args += ["--last", str(last)]
        completed = run(self._command(*args), cwd=self.project_dir, env=_CLI_ENV, timeout=300)
        return completed.stdout + completed.stderr

    def advisors(self, db_url: str, *, level: str = "info") -> list[AdvisorFinding]:
        completed = run(
            self._command(
                "db",
                "advisors",
                f"--remote={db_url}",
                "--yes",
                "--level",
                level,
                "--output-format",
                "json",
            ),
            cwd=self.project_dir,
            env=_CLI_ENV,
            timeout=300,
        )
        report = json.loads(completed.stdout)
        if report.get("_tag") == "Error":
            raise RuntimeError(f"supabase db advisors failed: {report.get('error')}")
        return [AdvisorFinding.model_validate(item) for item in report.get("results") or []]
