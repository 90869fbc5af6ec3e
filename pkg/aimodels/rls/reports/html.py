"""A self-contained HTML report a QA engineer can open or attach: no external files or fonts.

Top: verdict and counts; then per table the actors x operations grid (each cell links to its
cases); then every failure as a sentence; then every case with request, expected, observed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape

from aimodels.rls.grid import Cell, TableGrid, build_grids
from aimodels.rls.results import CaseResult, MatrixReport

_STYLE = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px 32px;
       color: #1d2330; background: #fafbfc; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; }
.meta { color: #5b6475; margin-bottom: 16px; }
.verdict { display: inline-block; padding: 2px 10px; border-radius: 12px; font-weight: 600;
           color: #fff; }
.pass { background: #1f883d; } .fail { background: #cf222e; }
.counts span { margin-right: 18px; }
table { border-collapse: collapse; background: #fff; margin-bottom: 8px; }
th, td { border: 1px solid #d7dbe2; padding: 4px 9px; text-align: left; vertical-align: top; }
th { background: #eef1f5; font-weight: 600; }
table.grid td.c { text-align: center; min-width: 86px; }
td.ok { background: #dafbe1; } td.bad { background: #ffd8d3; font-weight: 600; }
td.none { color: #9aa3b2; text-align: center; }
td.c a { color: inherit; text-decoration: none; display: block; }
.grids { display: flex; flex-wrap: wrap; gap: 22px; }
.failures li { margin: 4px 0; } code { font: 12px ui-monospace, Menlo, Consolas, monospace; }
table.cases td { font-size: 12.5px; } table.cases tr.failed td { background: #fff1ef; }
details { margin: 10px 0; } summary { cursor: pointer; font-weight: 600; }
#filter { padding: 5px 8px; width: 340px; margin: 6px 0 10px; }
"""

_SCRIPT = """
document.getElementById('filter').addEventListener('input', function (e) {
  var q = e.target.value.toLowerCase();
  document.querySelectorAll('table.cases tbody tr').forEach(function (tr) {
    tr.style.display = tr.textContent.toLowerCase().indexOf(q) >= 0 ? '' : 'none';
  });
  if (q) document.querySelectorAll('details').forEach(function (d) { d.open = true; });
});
"""


def html_report(
    report: MatrixReport,
    *,
    title: str = "RLS matrix",
    target: str = "",
    actor_order: list[str] | None = None,
) -> str:
    summary = report.summary
    grids = build_grids(report.cases, actor_order)
    verdict = (
        '<span class="verdict pass">PASSED</span>'
        if report.passed
        else '<span class="verdict fail">FAILED</span>'
    )
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    left = {True: "yes", False: "NO: " + ", ".join(summary.data_changes), None: "not checked"}
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{escape(title)} {verdict}</h1>",
        f"<div class='meta'>{escape(target)} &middot; generated {generated} &middot; "
        "the RLS contract (docs/roles-and-rls.md) as data (pkg/aimodels/rls/matrix.toml)</div>",
        "<div class='counts'>",
        f"<span><b>{summary.total}</b> cases</span>",
        f"<span><b>{summary.passed}</b> passed</span>",
        f"<span><b>{summary.failed}</b> failed</span>",
        f"<span>data left as found: <b>{escape(left[summary.data_left_as_found])}</b></span>",
        "</div>",
        _counts_table(report, actor_order),
        "<h2>Actors &times; operations, per table</h2><div class='grids'>",
        *(_grid(grid) for grid in grids),
        "</div>",
        _failures(report.failures),
        "<h2>Every case</h2>",
        "<input id='filter' placeholder='filter cases (actor, table, rule, code...)'>",
        *(_case_table(grid) for grid in grids),
        f"<script>{_SCRIPT}</script></body></html>",
    ]
    return "\n".join(parts)


def _counts_table(report: MatrixReport, actor_order: list[str] | None) -> str:
    by = report.summary.by_actor_and_table
    tables = list(report.summary.by_table)
    actors = sorted(
        by, key=lambda a: (actor_order or []).index(a) if a in (actor_order or []) else 99
    )
    head = "".join(f"<th>{escape(t)}</th>" for t in tables)
    rows = []
    for actor in actors:
        counts = report.summary.by_actor[actor]
        cells = "".join(f"<td class='c'>{by[actor].get(t, 0)}</td>" for t in tables)
        rows.append(f"<tr><th>{escape(actor)}</th>{cells}<td class='c'>{counts.cases}</td></tr>")
    totals = "".join(
        f"<td class='c'><b>{report.summary.by_table[t].cases}</b></td>" for t in tables
    )
    return (
        "<h2>Cases per actor and table</h2><table class='grid'>"
        f"<tr><th>actor</th>{head}<th>all</th></tr>{''.join(rows)}"
        f"<tr><th>all</th>{totals}<td class='c'><b>{report.summary.total}</b></td></tr></table>"
    )


def _grid(grid: TableGrid) -> str:
    head = "".join(f"<th>{escape(op)}</th>" for op in grid.operations)
    rows = []
    for actor in grid.actors:
        cells = "".join(_grid_cell(grid, actor, op, grid.cell(actor, op)) for op in grid.operations)
        rows.append(f"<tr><th>{escape(grid.labels[actor])}</th>{cells}</tr>")
    return (
        f"<div><table class='grid'><caption><b>{escape(grid.table)}</b></caption>"
        f"<tr><th>actor</th>{head}</tr>{''.join(rows)}</table></div>"
    )


def _grid_cell(grid: TableGrid, actor: str, operation: str, cell: Cell) -> str:
    if cell.total == 0:
        return "<td class='none'>&ndash;</td>"
    anchor = escape(cell.results[0].id)
    if cell.failed:
        text = f"&#10007; {cell.failed}/{cell.total}"
        return f"<td class='c bad'><a href='#{anchor}'>{text}</a></td>"
    return f"<td class='c ok'><a href='#{anchor}'>&#10003; {cell.total}</a></td>"


def _failures(failures: list[CaseResult]) -> str:
    if not failures:
        return "<h2>Failures</h2><p>None: every cell behaves as the contract says.</p>"
    items = "".join(
        f"<li><a href='#{escape(f.id)}'>{escape(f.failure or f.id)}</a></li>" for f in failures
    )
    return f"<h2>Failures ({len(failures)})</h2><ul class='failures'>{items}</ul>"


def _case_table(grid: TableGrid) -> str:
    results = [r for op in grid.operations for a in grid.actors for r in grid.cell(a, op).results]
    failed = sum(1 for r in results if not r.passed)
    rows = "".join(_case_row(result) for result in results)
    open_ = " open" if failed else ""
    label = f"{grid.table}: {len(results)} cases" + (f", {failed} failed" if failed else "")
    return (
        f"<details{open_}><summary>{escape(label)}</summary><table class='cases'><thead><tr>"
        "<th></th><th>actor</th><th>operation</th><th>case</th><th>rule</th><th>request</th>"
        "<th>expected</th><th>observed</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></details>"
    )


def _case_row(result: CaseResult) -> str:
    mark = "&#10003;" if result.passed else "&#10007;"
    observed = escape(result.observed)
    if result.message:
        observed += f"<br><small>{escape(result.message)}</small>"
    klass = "" if result.passed else " class='failed'"
    return (
        f"<tr id='{escape(result.id)}'{klass}><td>{mark}</td><td>{escape(result.actor_label)}</td>"
        f"<td>{escape(result.operation)}</td><td>{escape(result.case)}</td>"
        f"<td>{escape(result.rule)}</td><td><code>{escape(result.request)}</code></td>"
        f"<td><code>{escape(result.expected)}</code></td><td><code>{observed}</code></td></tr>"
    )
