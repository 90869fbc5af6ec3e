"""`supabase start` where a Docker engine exists (best effort: this machine has none).

The same migrations, seed and `.env` as the local backend, served by the real containers.
"""

from __future__ import annotations

import shutil

from aimodels.stack.envfile import write_env_file
from aimodels.stack.errors import StackError
from aimodels.stack.process import run
from aimodels.stack.state import StackInfo, StackSettings
from aimodels.stack.supabase_cli import SupabaseCli


class DockerUnavailable(StackError):
    """No Docker engine answers; use the local backend."""


class DockerStack:
    def __init__(self, settings: StackSettings) -> None:
        self.settings = settings
        self.cli = SupabaseCli(settings.project_dir)

    def _require_docker(self) -> None:
        docker = shutil.which("docker")
        if docker is None or run([docker, "info"], check=False, timeout=20).returncode != 0:
            raise DockerUnavailable("no Docker engine is running: use `--backend local`")

    def up(self, *, reset: bool = False) -> StackInfo:
        self._require_docker()
        run([str(self.cli.binary), "start"], cwd=self.settings.project_dir, timeout=900)
        if reset:
            run([str(self.cli.binary), "db", "reset"], cwd=self.settings.project_dir)
        info = self.info()
        if self.settings.env_file is not None:
            write_env_file(self.settings.env_file, info)
        return info

    def info(self) -> StackInfo:
        status = run(
            [str(self.cli.binary), "status", "-o", "env"], cwd=self.settings.project_dir
        ).stdout
        values = dict(line.split("=", 1) for line in status.splitlines() if "=" in line)
        clean = {key: value.strip().strip('"') for key, value in values.items()}
        return StackInfo(
            api_url=clean["API_URL"],
            db_url=clean["DB_URL"],
            anon_key=clean["ANON_KEY"],
            service_role_key=clean["SERVICE_ROLE_KEY"],
        )

    def down(self) -> None:
        self._require_docker()
        run([str(self.cli.binary), "stop"], cwd=self.settings.project_dir)
