"""``report.html``: the class at a glance, for the instructor.

Key numbers, a score histogram, one row per toolkit function (how many got it
right, mean points, the most common named mistake), the class's common
mistakes, per-check pass rates (inline SVG), the hardest checks, the
submissions that need a look (crashes, timeouts, load failures, grader
errors), the sandbox protections in force and every student (with lateness
and penalty) linking to their feedback. Files that did not load or were
invalid are counted apart, never as failures of every check. One
self-contained file: inline CSS and a few lines of inline script that make the
tables sortable (the page reads the same without it); no external assets.
"""

from __future__ import annotations

import datetime as dt
import statistics
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from autograder.results import CheckResult, CheckSpec, SubmissionResult
from autograder.reports.feedback import esc, fmt_points, likely_causes, page

if TYPE_CHECKING:
    from autograder.reports.writer import Row, Summary

COLORS = {"P": "#2f9e62", "F": "#d9534f", "E": "#e8962e", "G": "#8e5ad6"}
NAMES = {"P": "passed", "F": "failed", "E": "error in student code", "G": "grader error"}
BAR = "#3b73c4"
MAX_MESSAGES = 30  # distinct failure messages remembered per check
NOT_LOADED = ("invalid", "load_failed")  # statuses counted apart from the checks


@dataclass
class CheckStats:
    """How the class did on one check: outcome counts and common messages.

    Students whose file did not load (or was invalid) are counted in ``apart``,
    not as failures: the check never ran for them.
    """

    spec: CheckSpec
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COLORS, 0))
    messages: dict[str, int] = field(default_factory=dict)
    apart: int = 0

    def add(self, code: str, message: str, sign: int = 1, *, loaded: bool = True) -> None:
        """Count one student's outcome (``sign=-1`` forgets one)."""
        if not loaded:
            self.apart += sign
            return
        self.counts[code] = self.counts.get(code, 0) + sign
        line = message.strip().splitlines()[0][:160] if message.strip() else ""
        if sign > 0 and line and (line in self.messages or len(self.messages) < MAX_MESSAGES):
            self.messages[line] = self.messages.get(line, 0) + 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def pass_rate(self) -> float:
        return self.counts.get("P", 0) / self.total if self.total else 0.0

    @property
    def common_message(self) -> str:
        """The most common message of a check that did not pass (never blank when
        one did not: errors, timeouts and crashes give theirs too)."""
        if self.messages:
            return max(self.messages, key=self.messages.__getitem__)
        failing = self.total - self.counts.get("P", 0)
        return f"{failing} did not pass (no message)" if failing > 0 else ""


class FunctionDigest(NamedTuple):
    """One student's result on one toolkit function."""

    points: float
    max_points: float
    errors: bool  # their code raised, crashed or timed out on a check of it
    mistakes: tuple[str, ...]  # named mistakes ("Likely cause: ...") diagnosed


class StudentDigest(NamedTuple):
    """What the class tables need of one student (a few numbers and names)."""

    status: str
    functions: dict[str, FunctionDigest]
    raw_score: float
    late_days: float | None
    penalty: float


class FunctionRow(NamedTuple):
    """One row of the per-function summary."""

    function: str
    max_points: float
    students: int  # whose file loaded
    full_marks: int
    mean_points: float
    errors: int
    mistake: str  # the most common named mistake, "" when none was named
    mistake_students: int


class ClassStats:
    """Per toolkit function and per named mistake, over the students whose file
    loaded; the rest are counted apart. Keeps a small digest per student (no
    whole results), replaced when a student is graded again.

    Args:
        specs: the collected checks (their functions, in order).
    """

    def __init__(self, specs: Sequence[CheckSpec]) -> None:
        self.functions = list(dict.fromkeys(s.function for s in specs))
        self.students: dict[str, StudentDigest] = {}

    def add(self, result: SubmissionResult, checks: Sequence[CheckResult]) -> None:
        """Remember one student's result (``checks`` in spec order)."""
        functions: dict[str, FunctionDigest] = {}
        for check in checks:
            old = functions.get(check.function, FunctionDigest(0.0, 0.0, False, ()))
            new = tuple(m for m in likely_causes(check.message) if m not in old.mistakes)
            functions[check.function] = FunctionDigest(
                old.points + check.points, old.max_points + check.max_points,
                old.errors or check.outcome == "error", old.mistakes + new)
        late = result.late or {}
        days = late.get("days")
        self.students[result.student] = StudentDigest(
            status=result.status, functions=functions, raw_score=result.raw_score,
            late_days=float(days) if isinstance(days, (int, float)) else None,
            penalty=float(late.get("penalty", 0.0) or 0.0))

    def apart(self) -> dict[str, int]:
        """How many files did not load, how many were invalid."""
        counts = dict.fromkeys(NOT_LOADED, 0)
        for digest in self.students.values():
            if digest.status in counts:
                counts[digest.status] += 1
        return counts

    def _loaded(self) -> list[StudentDigest]:
        return [d for d in self.students.values() if d.status not in NOT_LOADED]

    def function_rows(self) -> list[FunctionRow]:
        """One row per function, in assignment order."""
        loaded = self._loaded()
        rows = []
        for function in self.functions:
            got = [d.functions[function] for d in loaded if function in d.functions]
            mistakes: dict[str, int] = {}
            for digest in got:
                for mistake in digest.mistakes:
                    mistakes[mistake] = mistakes.get(mistake, 0) + 1
            top = max(mistakes, key=lambda m: (mistakes[m], m)) if mistakes else ""
            rows.append(FunctionRow(
                function=function, max_points=max((g.max_points for g in got), default=0.0),
                students=len(got), full_marks=sum(g.points >= g.max_points for g in got),
                mean_points=statistics.fmean(g.points for g in got) if got else 0.0,
                errors=sum(g.errors for g in got), mistake=top,
                mistake_students=mistakes.get(top, 0)))
        return rows

    def common_mistakes(self) -> list[tuple[str, str, int]]:
        """(function, named mistake, students who made it), most common first."""
        counts: dict[tuple[str, str], int] = {}
        for digest in self._loaded():
            for function, got in digest.functions.items():
                for mistake in got.mistakes:
                    counts[(function, mistake)] = counts.get((function, mistake), 0) + 1
        order = {f: i for i, f in enumerate(self.functions)}
        return [(f, m, n) for (f, m), n in sorted(
            counts.items(), key=lambda kv: (-kv[1], order.get(kv[0][0], 99), kv[0][1]))]


# ------------------------------------------------------------------ charts


def histogram_svg(scores: Sequence[float], max_score: float, *, bins: int = 10) -> str:
    """Score distribution as an SVG bar chart (last bin includes full marks)."""
    width, height, left, bottom, top = 600, 260, 40, 40, 18
    counts = [0] * bins
    for score in scores:
        share = score / max_score if max_score else 0.0
        counts[min(max(int(share * bins), 0), bins - 1)] += 1
    peak = max(max(counts), 1)
    step = max(1, -(-peak // 4))  # about four gridlines
    ymax = step * -(-peak // step)
    plot_w, plot_h = width - left - 10, height - top - bottom
    slot = plot_w / bins
    out = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="Histogram of scores">']
    for tick in range(0, ymax + 1, step):
        y = top + plot_h - plot_h * tick / ymax
        out.append(f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" '
                   f'stroke="#e3e6ec"/><text x="{left - 6}" y="{y + 4:.1f}" font-size="11" '
                   f'text-anchor="end" fill="#5f6878">{tick}</text>')
    for i, count in enumerate(counts):
        lo, hi = max_score * i / bins, max_score * (i + 1) / bins
        x = left + i * slot + 3
        bar_h = plot_h * count / ymax
        y = top + plot_h - bar_h
        label = f"{fmt_points(lo)}–{fmt_points(hi)}"
        out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot - 6:.1f}" height="{bar_h:.1f}" '
                   f'rx="3" fill="{BAR}"><title>{count} student(s) scored {label}</title></rect>')
        if count:
            out.append(f'<text x="{x + (slot - 6) / 2:.1f}" y="{y - 4:.1f}" font-size="12" '
                       f'font-weight="600" text-anchor="middle" fill="#1f2430">{count}</text>')
        out.append(f'<text x="{x + (slot - 6) / 2:.1f}" y="{top + plot_h + 16:.1f}" '
                   f'font-size="11" text-anchor="middle" fill="#5f6878">{label}</text>')
    out.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 4}" font-size="12" '
               f'text-anchor="middle" fill="#5f6878">score (points out of '
               f'{fmt_points(max_score)})</text></svg>')
    return "".join(out)


def pass_rate_svg(stats: Sequence[CheckStats]) -> str:
    """One stacked horizontal bar per check (passed, failed, error, grader error)."""
    row_h, label_w, bar_w, right = 24, 300, 520, 60
    width, height = label_w + bar_w + right, row_h * len(stats) + 6
    out = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="Pass rate per check">']
    for i, stat in enumerate(stats):
        y = 3 + i * row_h
        name = stat.spec.id if len(stat.spec.id) <= 40 else stat.spec.id[:39] + "…"
        hidden = stat.spec.visibility == "hidden"
        look = 'fill="#5f6878" font-style="italic"' if hidden else 'fill="#1f2430"'
        out.append(f'<text x="{label_w - 8}" y="{y + 16}" font-size="12" text-anchor="end" '
                   f'{look}><title>{esc(stat.spec.id)}{" (hidden)" if hidden else ""}</title>'
                   f"{esc(name)}</text>")
        out.append(f'<rect x="{label_w}" y="{y + 4}" width="{bar_w}" height="{row_h - 8}" '
                   f'rx="3" fill="#eef0f4"/>')
        x = float(label_w)
        for code, color in COLORS.items():
            part = stat.counts.get(code, 0) / stat.total if stat.total else 0.0
            if part <= 0:
                continue
            out.append(f'<rect x="{x:.1f}" y="{y + 4}" width="{bar_w * part:.1f}" '
                       f'height="{row_h - 8}" fill="{color}"><title>{esc(stat.spec.id)}: '
                       f"{stat.counts[code]} {NAMES[code]}</title></rect>")
            x += bar_w * part
        out.append(f'<text x="{label_w + bar_w + 8}" y="{y + 16}" font-size="12" '
                   f'font-weight="600" fill="#1f2430">{stat.pass_rate * 100:.0f}%</text>')
    return "".join(out) + "</svg>"


def legend() -> str:
    items = "".join(f'<span><i style="background:{c}"></i>{NAMES[k]}</span>'
                    for k, c in COLORS.items())
    return f'<div class="legend">{items}<span><em>italic</em>: hidden check</span></div>'


# ------------------------------------------------------------------ sections


# Click a column header to sort by it (again: the other way). Numbers sort as
# numbers ("50%", "3/4" and "2 days" by their first number; "—" last).
SORT_SCRIPT = """
document.querySelectorAll("table.sortable").forEach(function (table) {
  var heads = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(heads, function (th, column) {
    th.tabIndex = 0;
    th.title = "sort by this column";
    function sort() {
      var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
      var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
      Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
      var numeric = th.classList.contains("num");
      function key(row) {
        var text = row.cells[column].textContent.trim();
        if (!numeric) { return text.toLowerCase(); }
        var value = parseFloat(text);
        return isNaN(value) ? -Infinity : value;
      }
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        if (x === y) { return 0; }
        if (numeric) { return (x < y ? -1 : 1) * dir; }
        return x.localeCompare(y) * dir;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    }
    th.addEventListener("click", sort);
    th.addEventListener("keydown", function (e) { if (e.key === "Enter") { sort(); } });
  });
});
"""


def table(headers: Sequence[str], rows: list[list[str]], *, numeric: set[int],
          cls: str = "") -> str:
    """An HTML table (cells already escaped), sortable by clicking a header."""
    head = "".join(f'<th class="num">{esc(h)}</th>' if i in numeric else f"<th>{esc(h)}</th>"
                   for i, h in enumerate(headers))
    body = "".join("<tr>" + "".join(f'<td class="num">{c}</td>' if i in numeric
                                    else f"<td>{c}</td>" for i, c in enumerate(row)) + "</tr>"
                   for row in rows)
    classes = f"sortable {cls}".strip()
    return (f'<table class="{classes}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>")


def split_bar(share: float) -> str:
    """A small bar: the share that passed in green, the rest in red."""
    return (f'<span class="split"><span style="width:{share * 100:.1f}%;'
            f'background:{COLORS["P"]}"></span><span style="width:{(1 - share) * 100:.1f}%;'
            f'background:{COLORS["F"]}"></span></span>')


def apart_note(apart: dict[str, int]) -> str:
    """"2 files did not load and 1 was invalid: ..." or "" when every file loaded."""
    parts = []
    if apart.get("load_failed"):
        n = apart["load_failed"]
        parts.append(f"{n} file{'s' if n != 1 else ''} did not load")
    if apart.get("invalid"):
        n = apart["invalid"]
        parts.append(f"{n} submission{'s were' if n != 1 else ' was'} invalid")
    if not parts:
        return ""
    return (f'<p class="apart">Counted apart: {" and ".join(parts)} (0 points; see '
            "<em>Submissions that need a look</em>). They are not counted as failures in "
            "the function and check tables below.</p>")


def function_section(classes: ClassStats) -> str:
    """One row per toolkit function: how the class did on it."""
    rows = []
    for row in classes.function_rows():
        share = row.full_marks / row.students if row.students else 0.0
        mistake = (f"{esc(row.mistake)} <span class=\"muted\">({row.mistake_students})</span>"
                   if row.mistake else '<span class="muted">none named</span>')
        rows.append([f"<code>{esc(row.function)}</code>", fmt_points(row.max_points),
                     f"{share * 100:.0f}%", split_bar(share),
                     f"{row.full_marks}/{row.students}", f"{row.mean_points:.2f}",
                     str(row.errors), mistake])
    return ('<section><h2>Per function <span class="pts">full marks, mean points and the '
            "most common named mistake, over the files that loaded</span></h2>"
            + table(["function", "points", "full marks", "", "students", "mean points",
                     "code errors", "most common named mistake (students)"], rows,
                    numeric={1, 2, 4, 5, 6}, cls="functions") + "</section>")


def mistakes_section(classes: ClassStats) -> str:
    """The class's common mistakes, from the checks' mistake diagnosis."""
    found = classes.common_mistakes()
    loaded = sum(d.status not in NOT_LOADED for d in classes.students.values())
    if not found:
        return ('<section><h2>Common mistakes</h2><p class="empty">No known mistake was '
                "recognised in this class.</p></section>")
    rows = [[f"<code>{esc(f)}</code>", esc(m), str(n),
             f"{n / loaded * 100:.0f}%" if loaded else "0%"] for f, m, n in found]
    return ('<section><h2>Common mistakes <span class="pts">named by the mistake diagnosis; '
            "one count per student and function</span></h2>"
            + table(["function", "mistake", "students", "share of class"], rows,
                    numeric={2, 3}, cls="mistakes") + "</section>")


def late_cells(digest: StudentDigest | None) -> list[str]:
    """The student table's "late" and "penalty" cells."""
    if digest is None or digest.late_days is None:
        return ["—", "—"]
    days = digest.late_days
    late = f"{fmt_points(days)} day{'s' if days != 1 else ''}"
    return [late, f"{fmt_points(digest.penalty * 100)}%"]


def meter(share: float) -> str:
    return f'<span class="meter"><span style="width:{share * 100:.1f}%"></span></span>'


def problem_badge(problem: str) -> str:
    """A coloured label; grader errors stand out from the student's own problems."""
    if not problem:
        return ""
    kind = "grader_error" if problem == "grader error" else "problem"
    return f'<span class="badge {kind}">{esc(problem)}</span>'


def kpis(summary: Summary) -> str:
    cards = [
        ("", str(summary.students), "students"),
        ("", f"{summary.mean:.4g}", f"mean score / {fmt_points(summary.max_score)}"),
        ("", f"{summary.median:.4g}", "median score"),
        ("", str(summary.full_marks), "full marks"),
        ("warn" if summary.problems else "", str(summary.problems), "need a look"),
        ("bad" if summary.grader_errors else "", str(summary.grader_errors),
         "with grader errors"),
    ]
    return '<div class="kpis">' + "".join(
        f'<div class="kpi {cls}"><b>{value}</b><span>{label}</span></div>'
        for cls, value, label in cards) + "</div>"


def render_report(*, rows: Sequence[Row], stats: Sequence[CheckStats], summary: Summary,
                  title: str, assignment_id: str, protections: Sequence[str],
                  sandbox_mode: str, link: Callable[[str], str],
                  notices: Sequence[tuple[str, Sequence[str]]] = (),
                  classes: ClassStats | None = None) -> str:
    """The whole ``report.html`` page.

    Args:
        rows: one light row per student, sorted by student id.
        stats: per-check counts, in spec order.
        summary: the class counts.
        title: the assignment title.
        assignment_id: the assignment id.
        protections: sandbox protections that were active.
        sandbox_mode: how the sandbox ran.
        link: student id -> relative path of their feedback page.
        notices: titled lists to show under the key numbers (renamed entries...).
        classes: per-function and per-mistake counts (and each student's lateness).
    """
    def href(student: str) -> str:
        return f'<a href="{esc(urllib.parse.quote(link(student)))}">{esc(student)}</a>'

    when = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")
    hardest = sorted(stats, key=lambda s: (s.pass_rate, s.spec.id))
    header = (f'<header><p class="kicker">dlgrade class report · {esc(assignment_id)}</p>'
              f'<h1>{esc(title)}</h1><p class="muted">{summary.students} submissions graded '
              f"{esc(when)} · sandbox: <b>{esc(sandbox_mode)}</b></p></header>")
    parts = [header, kpis(summary)]
    parts += [f'<section class="notice"><h2>{esc(heading)}</h2><ul>'
              + "".join(f"<li>{esc(item)}</li>" for item in items) + "</ul></section>"
              for heading, items in notices]

    protect = ("".join(f"<li>{esc(p)}</li>" for p in protections)
               or "<li>none reported</li>")
    statuses = "".join(f"<li>{esc(k)}: <b>{v}</b></li>"
                       for k, v in sorted(summary.by_status.items()))
    parts.append('<div class="grid"><section><h2>Score distribution</h2>'
                 f"{histogram_svg([r.score for r in rows], summary.max_score)}</section>"
                 f"<section><h2>Sandbox</h2><p>Mode: <b>{esc(sandbox_mode)}</b></p>"
                 f'<ul class="protections">{protect}</ul><h2 style="margin-top:16px">'
                 f'Submissions by status</h2><ul class="protections">'
                 f"{statuses or '<li>none</li>'}</ul></section></div>")

    if classes is not None:
        parts += [apart_note(classes.apart()), function_section(classes),
                  mistakes_section(classes)]
    parts.append(f'<section><h2>Pass rate per check <span class="pts">hardest first</span></h2>'
                 f"{legend()}{pass_rate_svg(hardest)}</section>")

    top = [s for s in hardest if s.total and s.pass_rate < 1.0][:10]
    hard_rows = [[f"<code>{esc(s.spec.id)}</code>", f"<code>{esc(s.spec.function)}</code>",
                  esc(s.spec.visibility), fmt_points(s.spec.points),
                  f"{s.pass_rate * 100:.0f}%", str(s.counts.get('F', 0)),
                  str(s.counts.get('E', 0) + s.counts.get('G', 0)),
                  esc(s.common_message)] for s in top]
    parts.append("<section><h2>Hardest checks</h2>" + (
        table(["check", "function", "visibility", "points", "passed", "failed", "errors",
               "most common message"], hard_rows, numeric={3, 4, 5, 6})
        if hard_rows else '<p class="empty">Every check passed for every student.</p>')
        + "</section>")

    trouble = [[href(r.student), problem_badge(r.problem), esc(r.issue)]
               for r in rows if r.problem]
    parts.append("<section><h2>Submissions that need a look</h2>" + (
        table(["student", "problem", "what happened"], trouble, numeric=set())
        if trouble else '<p class="empty">None: no crashes, timeouts, load failures, '
        "invalid submissions or grader errors.</p>") + "</section>")

    digests = classes.students if classes is not None else {}
    everyone = [[href(r.student) + (f' <span class="muted">{esc(r.entry)}</span>'
                                     if r.entry else ""),
                 fmt_points(r.score), fmt_points(r.max_score),
                 meter(r.score / r.max_score if r.max_score else 0.0),
                 f"{r.outcomes.count('P')}/{len(r.outcomes)}",
                 *late_cells(digests.get(r.student)), problem_badge(r.problem)]
                for r in rows]
    parts.append("<section><h2>All students</h2>" + table(
        ["student", "score", "max", "share", "checks passed", "late", "penalty", "problem"],
        everyone, numeric={1, 2, 4, 5, 6}, cls="students")
        + "</section>")
    parts.append(f"<script>{SORT_SCRIPT}</script>")
    return page(f"{title}: class report", "\n".join(p for p in parts if p))
