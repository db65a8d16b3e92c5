"""The inline SVG charts of ``report.html``: the score histogram and the
pass rate of each check, with their colours and legend."""

from __future__ import annotations

from collections.abc import Sequence

from autograder.cells import fmt_points
from autograder.reports.feedback import esc
from autograder.reports.stats import CheckStats

COLORS = {"P": "#2f9e62", "F": "#d9534f", "E": "#e8962e", "G": "#8e5ad6"}  # by outcome code
NAMES = {"P": "passed", "F": "failed", "E": "error in student code", "G": "grader error"}
BAR = "#3b73c4"


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

