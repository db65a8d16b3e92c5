"""What the notebook's ``check()`` shows: one row per check, as HTML in Jupyter
and as text elsewhere (:mod:`autograder.notebook`)."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from autograder.runtime import checkrun

GRADING_NOTE = ("These are the public checks. When your work is graded, hidden checks run "
                "as well (other shapes, extreme values, your inputs left unchanged), and your "
                "file runs in a sandbox: passing here is a good sign, not a guarantee.")
NOT_WRITTEN = checkrun.NOT_WRITTEN
HINTS_NOTE = "For a hint on how to fix each failed check: check(..., hints=True)"



@dataclass
class Row:
    """One check's result."""

    check: str
    function: str
    points: float
    max_points: float
    outcome: str
    message: str
    hint: str = ""  # the second level: how to fix it (shown with hints=True)


@dataclass
class Report:
    """What ``check`` or ``check_all`` found: shown as HTML in Jupyter, text elsewhere."""

    title: str
    rows: list[Row] = field(default_factory=list)
    functions: tuple[str, ...] = ()
    summary: bool = False  # check_all: one line per function
    problem: str = ""  # why nothing could be checked
    hints: bool = False  # show each failure's hint under its message

    @property
    def passed(self) -> bool:
        """Did every check run pass?"""
        return bool(self.rows) and all(r.outcome == checkrun.PASSED for r in self.rows)

    def function_status(self, function: str) -> str:
        """``passes``, ``not written yet``, ``not defined...``, ``fails N of M checks``."""
        mine = [r for r in self.rows if r.function == function]
        bad = [r for r in mine if r.outcome != checkrun.PASSED]
        if not mine:
            return "no public checks"
        if not bad:
            return "passes"
        if all(NOT_WRITTEN in r.message for r in bad):
            return "not written yet"
        if all(r.message.startswith(f"`{function}` is not defined") for r in bad):
            return "not defined: run the cell that defines it"
        return f"fails {len(bad)} of {len(mine)} checks"

    def progress(self) -> str:
        """E.g. ``1 of 2 functions pass their public checks; next: softmax``."""
        done = [f for f in self.functions if self.function_status(f) == "passes"]
        todo = [f for f in self.functions if f not in done]
        line = f"{len(done)} of {len(self.functions)} functions pass their public checks"
        return line + (f"; next: {todo[0]}" if todo else ". Well done!")

    def headline(self) -> str:
        if self.problem:
            return self.problem
        if self.summary:
            return f"{self.title}: {self.progress()}"
        points = sum(r.points for r in self.rows)
        total = sum(r.max_points for r in self.rows)
        passed = sum(r.outcome == checkrun.PASSED for r in self.rows)
        return (f"{self.title}: {passed} of {len(self.rows)} public checks pass "
                f"({points:g}/{total:g} points)")

    def shown_rows(self) -> list[Row]:
        """The rows to show: a function not written (or not defined) yet gets one row."""
        shown: list[Row] = []
        for row in self.rows:
            status = self.function_status(row.function)
            if status == "not written yet" or status.startswith("not defined"):
                if any(r.function == row.function for r in shown):
                    continue
                mine = [r for r in self.rows if r.function == row.function]
                row = Row(check=f"{row.function} ({len(mine)} checks)", function=row.function,
                          points=0.0, max_points=sum(r.max_points for r in mine),
                          outcome=row.outcome, message=row.message, hint=row.hint)
            shown.append(row)
        return shown

    def __str__(self) -> str:
        lines = [self.headline()]
        if self.summary:
            lines += [f"  {f:<22} {self.function_status(f)}" for f in self.functions]
        else:
            for row in self.shown_rows():
                mark = "PASS" if row.outcome == checkrun.PASSED else "FAIL"
                lines.append(f"  {mark}  {row.check}  ({row.points:g}/{row.max_points:g})")
                if row.message:
                    lines += [f"        {line}" for line in row.message.splitlines()]
                if row.hint and self.hints:
                    lines += [f"        {line}" for line in f"Hint: {row.hint}".splitlines()]
        if self.more_hints():
            lines.append(HINTS_NOTE)
        if not self.problem:
            lines.append(GRADING_NOTE)
        return "\n".join(lines)

    def more_hints(self) -> bool:
        """Are there hints this report does not show (``hints=True`` would)?"""
        return not self.hints and not self.summary and any(r.hint for r in self.rows)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        esc = html.escape
        cell = "padding:2px 8px;text-align:left;vertical-align:top"
        out = [f"<div class='dlgrade-check'><p><b>{esc(self.headline())}</b></p>"]
        if self.summary:
            out.append(f"<table><tr><th style='{cell}'>function</th>"
                       f"<th style='{cell}'>public checks</th></tr>")
            for function in self.functions:
                status = self.function_status(function)
                color = "#1a7f37" if status == "passes" else "#b35900"
                out.append(f"<tr><td style='{cell}'><code>{esc(function)}</code></td>"
                           f"<td style='{cell};color:{color}'>{esc(status)}</td></tr>")
            out.append("</table>")
        elif self.rows:
            out.append(f"<table><tr><th style='{cell}'>check</th><th style='{cell}'>points"
                       f"</th><th style='{cell}'>result</th><th style='{cell}'>message</th>"
                       "</tr>")
            for row in self.shown_rows():
                ok = row.outcome == checkrun.PASSED
                result = ("<span style='color:#1a7f37'>PASS</span>" if ok
                          else "<span style='color:#cf222e'>FAIL</span>")
                out.append(
                    f"<tr><td style='{cell}'><code>{esc(row.check)}</code></td>"
                    f"<td style='{cell}'>{row.points:g}/{row.max_points:g}</td>"
                    f"<td style='{cell}'>{result}</td>"
                    f"<td style='{cell};white-space:pre-wrap'>{esc(row.message)}"
                    + (f"<br><i>Hint: {esc(row.hint)}</i>" if row.hint and self.hints else "")
                    + "</td></tr>")
            out.append("</table>")
        if self.more_hints():
            out.append(f"<p style='font-size:90%'>{esc(HINTS_NOTE)}</p>")
        if not self.problem:
            out.append(f"<p style='font-size:90%'>{esc(GRADING_NOTE)}</p>")
        return "".join(out) + "</div>"
