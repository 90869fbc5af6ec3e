"""The stack's failures: each says in one line what went wrong and what to do.

The CLI prints `one_line()` and exits; nothing here needs a traceback to be understood.
"""

from __future__ import annotations


class StackError(RuntimeError):
    """A stack operation failed for a reason the user can act on."""

    def one_line(self) -> str:
        lines = [line.strip() for line in str(self).splitlines() if line.strip()]
        return lines[0] if lines else type(self).__name__


class ProjectNotFound(StackError, FileNotFoundError):
    """Run outside the project: no supabase/config.toml here or above (bad input)."""


class ToolMissing(StackError, FileNotFoundError):
    """A program the stack runs is not installed (./scripts/setup installs it)."""


class PortTaken(StackError):
    """Another program holds the port a server was about to listen on."""

    def __init__(self, port: int) -> None:
        super().__init__(f"port {port} is taken by another program")
        self.port = port
