"""Options every command spells the same way: `--json` for machines, `--output FILE`
where a file is written. New commands take these instead of declaring their own."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

JsonFlag = Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout.")]

OutputFile = Annotated[
    Path | None,
    typer.Option("--output", "-o", metavar="FILE", help="Also write the result to FILE."),
]
