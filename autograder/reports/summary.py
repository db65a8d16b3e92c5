"""``report.html``: the class at a glance, for the instructor.

Key numbers, a score histogram and per-check pass rates (inline SVG), the
hardest checks, the submissions that need a look (crashes, timeouts, load
failures, grader errors), the sandbox protections in force and every student
with a link to their feedback. One self-contained file: inline CSS, no scripts.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from autograder.results import CheckSpec
from autograder.reports.feedback import esc, fmt_points, page

if TYPE_CHECKING:
    from autograder.reports.writer import Row, Summary

COLORS = {"P": "#2f9e62", "F": "#d9534f", "E": "#e8962e", "G": "#8e5ad6"}
NAMES = {"P": "passed", "F": "failed", "E": "error in student code", "G": "grader error"}
BAR = "#3b73c4"
MAX_MESSAGES = 30  # distinct failure messages remembered per check


@dataclass
class CheckStats:
    """How the class did on one check: outcome counts and common messages."""

    spec: CheckSpec
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COLORS, 0))
    messages: dict[str, int] = field(default_factory=dict)

    def add(self, code: str, message: str, sign: int = 1) -> None:
        """Count one student's outcome (``sign=-1`` forgets one)."""
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
        return max(self.messages, key=self.messages.__getitem__) if self.messages else ""


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


def table(headers: Sequence[str], rows: list[list[str]], *, numeric: set[int],
          cls: str = "") -> str:
    head = "".join(f'<th class="num">{esc(h)}</th>' if i in numeric else f"<th>{esc(h)}</th>"
                   for i, h in enumerate(headers))
    body = "".join("<tr>" + "".join(f'<td class="num">{c}</td>' if i in numeric
                                    else f"<td>{c}</td>" for i, c in enumerate(row)) + "</tr>"
                   for row in rows)
    return (f'<table class="{cls}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>")


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
                  notices: Sequence[tuple[str, Sequence[str]]] = ()) -> str:
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

    parts.append(f'<section><h2>Pass rate per check <span class="pts">hardest first</span></h2>'
                 f"{legend()}{pass_rate_svg(hardest)}</section>")

    top = [s for s in hardest if s.pass_rate < 1.0][:10]
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

    everyone = [[href(r.student) + (f' <span class="muted">{esc(r.entry)}</span>'
                                     if r.entry else ""),
                 fmt_points(r.score), fmt_points(r.max_score),
                 meter(r.score / r.max_score if r.max_score else 0.0),
                 f"{r.outcomes.count('P')}/{len(r.outcomes)}", problem_badge(r.problem)]
                for r in rows]
    parts.append("<section><h2>All students</h2>" + table(
        ["student", "score", "max", "share", "checks passed", "problem"], everyone,
        numeric={1, 2, 4}, cls="students")
        + "</section>")
    return page(f"{title}: class report", "\n".join(parts))
