"""The top-level command group: where the house conventions are applied once for every
command, including commands other modules add later.

- `--as EMAIL` is a global option, yet people type it after the noun too
  (`aimodels models list --as X`): it is moved to the front before parsing.
- Whatever a command raises ends as one line on stderr and a documented exit code.
- Help is plain text (no boxes, no `<bool>` type column), the same for every command,
  and every group's help ends with the exit codes.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import typer
from typer.core import TyperGroup

from aimodels.cli.exits import EXIT_CODES_HELP, ExitCode
from aimodels.cli.failures import report

AS_OPTION = "--as"


def hoist_as(args: Sequence[str]) -> list[str]:
    """`--as EMAIL` (or `--as=EMAIL`) anywhere before `--` moved to the front."""
    rest = list(args)
    hoisted: list[str] = []
    index = 0
    while index < len(rest):
        arg = rest[index]
        if arg == "--":
            break
        if arg == AS_OPTION and index + 1 < len(rest):
            hoisted += rest[index : index + 2]
            del rest[index : index + 2]
        elif arg.startswith(AS_OPTION + "="):
            hoisted.append(rest.pop(index))
        else:
            index += 1
    return hoisted + rest


def house_style(command: object) -> None:
    """Plain help for this command and everything under it; every group's help ends with
    the exit codes (added here, once, for groups that do not say them)."""
    if hasattr(command, "rich_markup_mode"):
        command.rich_markup_mode = None
    children = getattr(command, "commands", None)
    if children is None:
        return
    help_text = getattr(command, "help", None) or ""
    if EXIT_CODES_HELP not in help_text:
        command.help = f"{help_text}\n\n{EXIT_CODES_HELP}".strip()  # type: ignore[attr-defined]
    for child in children.values():
        house_style(child)


class AimodelsGroup(TyperGroup):
    """The root group: parses with the conventions above and owns the exit code."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        house_style(self)
        argv = hoist_as(sys.argv[1:] if args is None else args)
        try:
            result = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
            code = result if isinstance(result, int) else ExitCode.OK
        except typer.Exit as done:
            code = done.exit_code
        except typer.Abort:
            print("error: aborted", file=sys.stderr)
            code = ExitCode.ERROR
        except Exception as error:  # the edge: one line, never a traceback
            code = _show_help(error) if _is_help_request(error) else report(error)
        if standalone_mode:
            sys.exit(int(code))
        return int(code)


def _is_help_request(error: Exception) -> bool:
    # `aimodels db` alone: typer raises its help as a usage error (checked by name, as
    # typer itself does, since the class is not public).
    return type(error).__name__ == "NoArgsIsHelpError"


def _show_help(error: Exception) -> ExitCode:
    """The whole help, as typed `--help` shows it; still exit 2: no command was given."""
    print(getattr(error, "message", str(error)))
    return ExitCode.USAGE
