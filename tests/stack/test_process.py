"""The subprocess helper: secrets never reach logs or error messages."""

from __future__ import annotations

import sys

import pytest

from aimodels.stack.process import CommandFailed, mask_secrets, run


def test_mask_secrets_hides_url_passwords() -> None:
    masked = mask_secrets("psql postgresql://authenticator:s3cret@127.0.0.1:5432/postgres")
    assert "s3cret" not in masked
    assert "authenticator:***@127.0.0.1" in masked


def test_failed_command_raises_with_stderr_and_masked_arguments() -> None:
    script = "import sys; sys.stderr.write('boom'); sys.exit(3)"
    with pytest.raises(CommandFailed) as caught:
        run([sys.executable, "-c", script, "postgresql://u:topsecret@h/db"])
    assert caught.value.returncode == 3
    assert "boom" in str(caught.value)
    assert "topsecret" not in str(caught.value)
