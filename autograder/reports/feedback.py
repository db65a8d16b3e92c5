"""Feedback for one student: ``feedback.md`` and a self-contained ``feedback.html``.

Both say the same, briefly: the score, then per toolkit function what passed and
what to fix, with each check's teaching message. A named mistake (the checks'
"Likely cause: ..." diagnosis) is said once per function, under its heading,
not under every check it made fail. Hidden checks appear by name and result
with their message (which never reveals inputs). Everything that comes from
the student or a check is escaped before it reaches HTML.

Feedback is read once the work is graded, so a failed check shows both levels
of feedback: its message (what is wrong and where) and, under it, its hint
(how to fix it). ``results.json`` (Gradescope's, read while a student may
still resubmit) carries the message only, as ``dlgrade check`` without
``--hints`` does.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from typing import Any

from autograder.cells import fmt_points
from autograder.results import CheckSpec
from autograder.results import (ERROR, FAILED, GRADER_ERROR, PASSED, CheckResult, Status,
                                SubmissionResult)

NOT_RUN = "This check did not run"
LIKELY_CAUSE = "Likely cause:"  # how checklib appends a diagnosed mistake to a message
GRADER_ERROR_PREFIX = "Grader error: "
LABELS: dict[str, str] = {PASSED: "passed", FAILED: "failed", ERROR: "error",
                          GRADER_ERROR: "grader error"}
MARKS: dict[str, str] = {PASSED: "✔", FAILED: "✘", ERROR: "✘", GRADER_ERROR: "⚠"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # all but \t \n \r


# ------------------------------------------------------------------ shared helpers


def clean(text: str) -> str:
    """Text safe to show: control characters (ANSI escapes, NUL...) become "?"."""
    return _CONTROL.sub("?", text.replace("\r\n", "\n"))


def esc(text: object) -> str:
    """HTML-escape anything (quotes too), after :func:`clean`."""
    return html.escape(clean(str(text)), quote=True)


@lru_cache(maxsize=1)
def stylesheet() -> str:
    """The CSS shared by every page, inlined so pages stay self-contained."""
    return resources.files("autograder.reports").joinpath("style.css").read_text("utf-8")


def page(title: str, body: str) -> str:
    """A complete HTML document with the inline stylesheet."""
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{esc(title)}</title>\n<style>\n{stylesheet()}</style></head>\n"
            f'<body><main>\n{body}\n</main></body></html>\n')


def ordered_checks(result: SubmissionResult, specs: Iterable[CheckSpec]) -> list[CheckResult]:
    """Every check of the assignment in spec order, also those the result lacks.

    A check missing from the result (the file was never graded, say) is shown
    as an error worth 0 so that no check silently disappears from a report.
    """
    by_id = {c.check: c for c in result.checks}
    ordered = []
    for spec in specs:
        check = by_id.pop(spec.id, None)
        if check is None:
            reason = f"{NOT_RUN}: {result.error}" if result.error else f"{NOT_RUN}."
            check = CheckResult(check=spec.id, function=spec.function, points=0.0,
                                max_points=spec.points, visibility=spec.visibility,
                                outcome=ERROR, message=reason)
        ordered.append(check)
    return ordered + list(by_id.values())


def message_of(check: CheckResult) -> str:
    """What the student reads for a check; grader errors say so first."""
    if check.outcome == GRADER_ERROR:
        return GRADER_ERROR_PREFIX + (check.message or "the grader failed on this check.")
    if check.outcome != PASSED and not check.message:
        return "failed"
    return check.message


def likely_causes(message: str) -> list[str]:
    """The named mistakes in a check's message ("Likely cause: ..." lines)."""
    return [line.strip()[len(LIKELY_CAUSE):].strip() for line in message.splitlines()
            if line.strip().startswith(LIKELY_CAUSE) and line.strip()[len(LIKELY_CAUSE):].strip()]


def without_causes(message: str) -> str:
    """A check's message without its "Likely cause: ..." lines."""
    return "\n".join(line for line in message.splitlines()
                     if not line.strip().startswith(LIKELY_CAUSE)).rstrip()


def group_causes(group: Iterable[CheckResult]) -> list[str]:
    """The distinct named mistakes of one function's failed checks, in order."""
    causes: list[str] = []
    for check in group:
        if check.outcome != PASSED:
            causes += [c for c in likely_causes(check.message) if c not in causes]
    return causes


def shown_message(check: CheckResult, result: SubmissionResult) -> str:
    """The message under a check in feedback: "" when it only repeats the load
    error; without the likely cause (said once for the function instead)."""
    if result.error and check.outcome == ERROR and result.error in check.message:
        return ""
    message = message_of(check)
    if not message:
        return ""
    return without_causes(message) or LABELS.get(check.outcome, check.outcome)


def late_text(result: SubmissionResult) -> str:
    """"late by 2 days: 10% penalty (20 before)", "late by 1 day", or "" when on time."""
    days = float((result.late or {}).get("days") or 0)
    if not days:  # on time, or no readable submission time
        return ""
    penalty = float(result.late.get("penalty", 0.0))
    when = f"late by {fmt_points(days)} day{'s' if days != 1 else ''}"
    if penalty <= 0:
        return when
    return f"{when}: {fmt_points(penalty * 100)}% penalty ({fmt_points(result.raw_score)} before)"


def by_function(checks: list[CheckResult]) -> dict[str, list[CheckResult]]:
    """Checks grouped by toolkit function: functions that lost points first
    (what a student should look at), otherwise in order of first appearance."""
    groups: dict[str, list[CheckResult]] = {}
    for check in checks:
        groups.setdefault(check.function, []).append(check)
    lost = [f for f, group in groups.items() if any(c.points < c.max_points for c in group)]
    return {f: groups[f] for f in [*lost, *(f for f in groups if f not in lost)]}


def problem_title(result: SubmissionResult) -> str:
    """What went wrong before any check could run, said to the student."""
    if result.status == Status.INVALID:
        return "Your submission could not be used"
    if result.status == Status.GRADER_ERROR:
        return "The grader failed on your submission (not your fault)"
    return "Your file could not be loaded"


def headline(result: SubmissionResult, checks: list[CheckResult]) -> str:
    """One encouraging sentence about where the student stands."""
    todo = sum(c.outcome != PASSED for c in checks)
    if result.error and result.status == Status.GRADER_ERROR:
        return "Your work was not graded yet: your instructor will grade it again."
    if result.error:
        return "Fix the problem below first: every check needs your file."
    if not checks:
        return "No checks ran."
    if todo == 0:
        return "Every check passed. Well done!"
    return (f"{len(checks) - todo} of {len(checks)} checks passed. Read the message under "
            "each failed check: it says what to look at.")


# ------------------------------------------------------------------ markdown


def fence(text: str) -> str:
    """A fenced block that survives backticks inside ``text``."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}text\n{text.rstrip()}\n{ticks}"


def inline(text: str) -> str:
    """Inline code that survives a backtick inside ``text``."""
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def feedback_markdown(result: SubmissionResult, checks: list[CheckResult], *, title: str) -> str:
    """``feedback.md`` for one student. ``checks`` come from :func:`ordered_checks`."""
    lines = [f"# {title}", "", f"Feedback for **{clean(result.student)}**", "",
             f"**Score: {fmt_points(result.score)} / {fmt_points(result.max_score)}**"]
    late = late_text(result)
    if late:
        lines.append(f"({late})")
    lines += ["", headline(result, checks), ""]
    if result.error:
        problem = problem_title(result)
        lines += [f"> **{problem}.** Every check needs it, so none could pass.", "",
                  fence(clean(result.error)), ""]
    if result.cell_errors:
        lines += ["## Notebook cells that raised an error", ""]
        for cell in result.cell_errors:
            lines.append(f"- cell {cell.get('cell', '?')}: {inline(clean(cell_text(cell)))}")
        lines += ["", "The other cells still ran.", ""]
    for function, group in by_function(checks).items():
        got = sum(c.points for c in group)
        top = sum(c.max_points for c in group)
        lines += [f"## `{function}` — {fmt_points(got)} / {fmt_points(top)}", ""]
        for cause in group_causes(group):  # once per function, not under every check
            lines += [f"**Likely cause:** {clean(cause)}", ""]
        for check in group:
            hidden = " *(hidden check)*" if check.visibility == "hidden" else ""
            lines.append(f"- {MARKS.get(check.outcome, '?')} `{check.check}`{hidden} — "
                         f"{LABELS.get(check.outcome, check.outcome)}, "
                         f"{fmt_points(check.points)}/{fmt_points(check.max_points)}")
            message = shown_message(check, result)
            if message:
                lines += ["", *("  " + ln for ln in fence(clean(message)).split("\n")), ""]
            if check.hint and check.outcome != PASSED:
                lines += [f"  Hint: {inline(clean(check.hint))}", ""]
        lines.append("")
    if result.output.strip():
        lines += ["<details><summary>What your code printed</summary>", "",
                  fence(clean(result.output)), "", "</details>", ""]
    return "\n".join(lines).rstrip() + "\n"


def cell_text(cell: dict[str, Any]) -> str:
    """"ValueError: bad shape (at <cell 3>, line 2: x = ...)"."""
    text = f"{cell.get('type', 'Error')}: {cell.get('message', '')}"
    return f"{text} (at {cell['where']})" if cell.get("where") else text


# ------------------------------------------------------------------ html


def badge(outcome: str) -> str:
    return f'<span class="badge {esc(outcome)}">{esc(LABELS.get(outcome, outcome))}</span>'


def check_html(check: CheckResult, result: SubmissionResult) -> str:
    hidden = ' <span class="tag">hidden</span>' if check.visibility == "hidden" else ""
    row = (f'<li class="check {esc(check.outcome)}"><div class="line">'
           f'<span class="mark">{MARKS.get(check.outcome, "?")}</span>'
           f"<code>{esc(check.check)}</code>{hidden}{badge(check.outcome)}"
           f'<span class="pts">{fmt_points(check.points)} / {fmt_points(check.max_points)}</span>'
           "</div>")
    message = shown_message(check, result)
    if message:
        row += f'<pre class="msg">{esc(message)}</pre>'
    if check.hint and check.outcome != PASSED:
        row += f'<p class="hint">Hint: {esc(check.hint)}</p>'
    return row + "</li>"


def feedback_html(result: SubmissionResult, checks: list[CheckResult], *, title: str) -> str:
    """``feedback.html`` for one student: self-contained, no scripts."""
    share = result.score / result.max_score if result.max_score else 0.0
    late = late_text(result)
    parts = [f'<header><p class="kicker">{esc(title)}</p>',
             f"<h1>Feedback for {esc(result.student)}</h1>",
             (f'<div class="score"><b>{fmt_points(result.score)}</b> / '
              f"{fmt_points(result.max_score)} points"),
             f'<span class="meter"><span style="width:{share * 100:.1f}%"></span></span></div>',
             f'<p class="late">{esc(late)}</p>' if late else "",
             f"<p>{esc(headline(result, checks))}</p></header>"]
    if result.error:
        problem = problem_title(result)
        parts.append(f'<section class="alert"><h2>{problem}</h2><p>Every check needs it, '
                     f'so none could pass.</p><pre>{esc(result.error)}</pre></section>')
    if result.cell_errors:
        items = "".join(f"<li>cell {esc(c.get('cell', '?'))}: <code>{esc(cell_text(c))}</code>"
                        "</li>" for c in result.cell_errors)
        parts.append(f'<section class="alert"><h2>Notebook cells that raised an error</h2>'
                     f"<p>The other cells still ran.</p><ul>{items}</ul></section>")
    for function, group in by_function(checks).items():
        got = sum(c.points for c in group)
        top = sum(c.max_points for c in group)
        causes = "".join(f'<p class="cause"><b>Likely cause:</b> {esc(cause)}</p>'
                         for cause in group_causes(group))
        parts.append(f'<section class="function"><h2><code>{esc(function)}</code>'
                     f'<span class="pts">{fmt_points(got)} / {fmt_points(top)}</span></h2>'
                     f'{causes}<ul class="checks">{"".join(check_html(c, result) for c in group)}'
                     '</ul></section>')
    if result.output.strip():
        count = result.output.count("\n") + (not result.output.endswith("\n"))
        parts.append(f"<details><summary>What your code printed ({count} line"
                     f"{'s' if count != 1 else ''})</summary>"
                     f'<pre class="output">{esc(result.output)}</pre></details>')
    return page(f"{title}: {result.student}", "\n".join(p for p in parts if p))
