"""Terminal rendering for students (rich). Kept apart from the logic so it
can be tested by rendering to a ``Console(file=StringIO())``."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from autograder.results import PASSED
from autograder.selfcheck import SelfCheck

MARK = {True: "[green]pass[/green]", False: "[red]FAIL[/red]"}


def render_self_check(outcome: SelfCheck, console: Console | None = None) -> bool:
    """Print one table per function and a closing line; True if all passed."""
    console = console or Console(highlight=False)
    result = outcome.result
    if result.error:
        console.print(f"[bold red]Your file could not be checked:[/bold red] {result.error}")
    for cell in result.cell_errors:
        console.print(f"[yellow]Notebook cell {cell.get('cell')} raised "
                      f"{cell.get('type')}: {cell.get('message')}[/yellow] (the other cells "
                      "still ran)")
    functions: dict[str, list] = {}
    for check in result.checks:
        functions.setdefault(check.function, []).append(check)
    for function, checks in functions.items():
        table = Table(title=f"{function}", title_justify="left", show_lines=False,
                      expand=False)
        table.add_column("check")
        table.add_column("points", justify="right")
        table.add_column("result")
        table.add_column("what to look at", overflow="fold", max_width=80)
        for c in checks:
            passed = c.outcome == PASSED
            message = "" if passed or result.error else c.message
            table.add_row(c.check, f"{c.points:g}/{c.max_points:g}", MARK[passed], message)
        console.print(table)
    passed = sum(c.outcome == PASSED for c in result.checks)
    total = len(result.checks)
    all_ok = passed == total and total > 0
    colour = "green" if all_ok else "yellow"
    console.print(f"[bold {colour}]{passed} of {total} public checks passed "
                  f"({result.score:g}/{result.max_score:g} points) for '{outcome.assignment}'."
                  "[/bold " + colour + "]")
    console.print("These are the public checks only: more (hidden) checks run when your "
                  "work is graded, so also test cases of your own.")
    if result.output.strip():
        console.print("[dim]Your code printed:[/dim]")
        console.print(result.output.strip()[-2000:], markup=False)
    return all_ok
