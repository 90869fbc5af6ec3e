"""The `.env` that applications, the CLI and the tests read (python-dotenv format)."""

from __future__ import annotations

from pathlib import Path

from aimodels.stack.model_access import proxy_db_url
from aimodels.stack.state import StackInfo


def env_lines(info: StackInfo) -> list[str]:
    """KEY=VALUE lines; the same names `supabase status -o env` users expect."""
    lines = [
        f"SUPABASE_URL={info.api_url}",
        f"SUPABASE_ANON_KEY={info.anon_key}",
        f"SUPABASE_SERVICE_ROLE_KEY={info.service_role_key}",
        f"SUPABASE_PUBLISHABLE_KEY={info.publishable_key}",
        f"SUPABASE_SECRET_KEY={info.secret_key}",
        f"SUPABASE_DB_URL={info.db_url}",
        f"SUPABASE_JWT_SECRET={info.jwt_secret}",
    ]
    if info.proxy_url is not None:
        lines.append(f"AIMODELS_PROXY_URL={info.proxy_url}")
        # The service's own database login (it becomes each caller, as PostgREST does).
        lines.append(f"AIMODELS_PROXY_DB_URL={proxy_db_url(info.db_url)}")
    return lines


def write_env_file(path: Path, info: StackInfo) -> None:
    header = "# Written by `aimodels stack up`: local development values only.\n"
    path.write_text(header + "\n".join(env_lines(info)) + "\n")
