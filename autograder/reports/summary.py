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
import urllib.parse
from collections.abc import Callable, Sequence

from autograder.cells import fmt_points
from autograder.reports.charts import COLORS, histogram_svg, legend, pass_rate_svg
from autograder.reports.feedback import esc, page
from autograder.results import Status
from autograder.reports.stats import NOT_LOADED, CheckStats, ClassStats, Row, StudentDigest, Summary


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
    if apart.get(Status.LOAD_FAILED):
        n = apart[Status.LOAD_FAILED]
        parts.append(f"{n} file{'s' if n != 1 else ''} did not load")
    if apart.get(Status.INVALID):
        n = apart[Status.INVALID]
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
