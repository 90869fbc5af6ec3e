"""`aimodels stack ...` fails in one line on stderr with a documented exit code, never a
traceback: outside the project (2), without Docker (1), and with the stack down (1)."""

from __future__ import annotations

from pathlib import Path

from tests.stack.support import aimodels, stderr_is_one_line


def down_stack_env(folder: Path) -> dict[str, str]:
    """A stack folder where nothing was ever started."""
    return {"AIMODELS_STACK_DIR": str(folder / "stack"), "AIMODELS_ENV_FILE": str(folder / ".env")}


def test_stack_status_outside_the_project_is_bad_usage_in_one_line(tmp_path: Path) -> None:
    result = aimodels(["stack", "status"], {}, cwd=tmp_path)
    assert result.returncode == 2, f"exit {result.returncode}: {result.stderr}"
    assert stderr_is_one_line(result.stderr), result.stderr
    assert "supabase/config.toml" in result.stderr, "the line does not say what is missing"


def test_stack_up_with_docker_backend_and_no_docker_is_one_line(tmp_path: Path) -> None:
    # A `docker` whose engine does not answer, first on PATH, whatever this machine has.
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    docker = fake_bin / "docker"
    docker.write_text("#!/bin/sh\necho 'Cannot connect to the Docker daemon' >&2\nexit 1\n")
    docker.chmod(0o755)
    env = {**down_stack_env(tmp_path), "PATH": f"{fake_bin}:/usr/bin:/bin"}
    result = aimodels(["stack", "up", "--backend", "docker"], env)
    assert result.returncode == 1, f"exit {result.returncode}: {result.stderr}"
    assert stderr_is_one_line(result.stderr), result.stderr
    assert "Docker" in result.stderr and "--backend local" in result.stderr, result.stderr


def test_stack_env_with_the_stack_down_says_so_instead_of_printing_stale_values(
    tmp_path: Path,
) -> None:
    result = aimodels(["stack", "env"], down_stack_env(tmp_path))
    assert result.returncode == 1, f"exit {result.returncode}: {result.stdout}"
    assert result.stdout == "", f"printed values for a stack that is down: {result.stdout}"
    assert stderr_is_one_line(result.stderr), result.stderr
    assert "not serving" in result.stderr and "stack up" in result.stderr, result.stderr


def test_stack_status_with_the_stack_down_names_what_is_down_in_one_line(
    tmp_path: Path,
) -> None:
    result = aimodels(["stack", "status"], down_stack_env(tmp_path))
    assert result.returncode == 1, f"exit {result.returncode}: {result.stderr}"
    assert stderr_is_one_line(result.stderr), result.stderr
    assert "Postgres is not running" in result.stderr, result.stderr
    assert "API gateway is not running" in result.stderr, result.stderr
