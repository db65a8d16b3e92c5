"""What ``dlgrade check`` prints: plain text, short, in the course's order.

Everything that comes from a check or from the student (messages, exception
texts, printed output, file names) is printed verbatim: it is never read as
markup, and control characters (ANSI escape sequences, carriage returns) are
shown as ``?`` so that they cannot restyle or overwrite the terminal. The only
styling is our own colour on "pass"/"FAIL", and only on a terminal.
"""

from __future__ import annotations

import os
import re
import sys
from typing import Callable, TextIO

from autograder.results import ERROR, PASSED, CheckResult, Status
from autograder.selfcheck.run import SelfCheck

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # all but \t and \n
LOAD_PREFIX = "your file could not be loaded: "
NOT_WRITTEN = "is not written yet"
TOP_LEVEL_HINT = ("Code at the top level of your file runs as soon as the file is loaded. "
                  "Move experiments, loops, prints and input() into a function, or under "
                  '`if __name__ == "__main__":`, so that loading the file only defines '
                  "your functions.")
HIDDEN_NOTE = ("These are the public checks only: hidden checks run too when your work is "
               "graded, so also test cases of your own.")


def plain(text: object) -> str:
    """Text safe to print verbatim: control characters become ``?``."""
    return _CONTROL.sub("?", str(text).replace("\r\n", "\n"))


def _colour(enabled: bool) -> dict[str, str]:
    codes = {"green": "\x1b[32m", "red": "\x1b[31m", "bold": "\x1b[1m", "dim": "\x1b[2m",
             "end": "\x1b[0m"}
    return codes if enabled else dict.fromkeys(codes, "")


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line if line else line for line in text.splitlines())


def _status(function: str, checks: list[CheckResult]) -> str:
    """``passed``, ``unwritten`` (raises NotImplementedError), ``missing`` or ``failed``."""
    if all(c.outcome == PASSED for c in checks):
        return "passed"
    if all(c.outcome == ERROR and c.message.startswith(f"{function} {NOT_WRITTEN}")
           for c in checks):
        return "unwritten"
    if all(c.outcome == ERROR and c.message.startswith(f"`{function}` is not defined")
           for c in checks):
        return "missing"
    return "failed"


def load_problem(error: str, status: str) -> list[str]:
    """What to say when the file could not be loaded (or read): once, with a hint
    about top-level code when loading did not finish."""
    if status == Status.INVALID:
        return [f"Your file could not be read: {plain(error)}"]
    what = error[len(LOAD_PREFIX):] if error.startswith(LOAD_PREFIX) else error
    hang = re.search(r"\(it did not finish\) took longer than (\S+ s)", what)
    if hang:
        return [f"Your file could not be loaded: loading it did not finish within "
                f"{hang.group(1)}.", TOP_LEVEL_HINT]
    return [f"Your file could not be loaded: {plain(what)}"]


def render_self_check(outcome: SelfCheck, *, hints: bool = False, file: TextIO | None = None,
                      colour: bool | None = None) -> bool:
    """Print the outcome of ``dlgrade check``; True if every public check passed.

    Args:
        outcome: what :func:`autograder.selfcheck.run.self_check` returned.
        hints: also print each failed check's hint (the second level of feedback).
        file: where to print (default: standard output).
        colour: colour "pass"/"FAIL" (default: on a terminal, unless NO_COLOR is set).
    """
    out = file or sys.stdout
    if colour is None:
        colour = out.isatty() and "NO_COLOR" not in os.environ
    c = _colour(colour)
    result = outcome.result

    def say(text: str = "") -> None:  # one line (or several), as is
        print(text, file=out)

    checked = " and ".join(str(f) for f in outcome.files[:-1] + (outcome.file,))
    say(f"Checking {plain(checked)} against the public checks of "
        f"'{plain(outcome.assignment)}' ({plain(outcome.title)})")
    say()
    total = len(result.checks)
    if result.error:
        for line in load_problem(result.error, result.status):
            say(line)
        say()
        say(f"None of the {total} public checks could run.")
        _printed(result.output, say)
        return False
    for cell in result.cell_errors:
        where = f" (at {cell['where']})" if cell.get("where") else ""
        say(plain(f"Notebook cell {cell.get('cell')} raised {cell.get('type')}: "
                  f"{cell.get('message')}{where} (the other cells still ran)"))
    if result.cell_errors:
        say()
    groups: dict[str, list[CheckResult]] = {f: [] for f in outcome.functions}
    for check in result.checks:
        groups.setdefault(check.function, []).append(check)
    groups = {f: checks for f, checks in groups.items() if checks}
    status = {f: _status(f, checks) for f, checks in groups.items()}
    width = max((len(f) for f in groups), default=0) + 2
    some_hint = False
    for function, checks in groups.items():
        if status[function] in ("unwritten", "missing"):
            continue
        got = sum(ch.points for ch in checks)
        top = sum(ch.max_points for ch in checks)
        passed = sum(ch.outcome == PASSED for ch in checks)
        say(f"{c['bold']}{function:<{width}}{c['end']}{got:g}/{top:g} points   "
            f"{passed} of {len(checks)} checks pass")
        if status[function] == "passed":
            continue
        for ch in checks:
            mark = f"{c['green']}pass{c['end']}" if ch.outcome == PASSED \
                else f"{c['red']}FAIL{c['end']}"
            say(f"  {mark} {plain(ch.check)}")
            if ch.outcome == PASSED:
                continue
            say(_indent(plain(ch.message or "failed"), "       "))
            if ch.hint and hints:
                say(_indent(plain(f"Hint: {ch.hint}"), "       "))
            some_hint = some_hint or bool(ch.hint)
    for kind, text in (("unwritten", "Functions not written yet (they raise "
                                     "NotImplementedError): "),
                       ("missing", "Functions not defined in your file (check the "
                                   "spelling; define them at the top level): ")):
        names = [f for f in groups if status[f] == kind]
        if names:
            say(f"{text}{', '.join(names)}")
    say()
    done = [f for f in groups if status[f] == "passed"]
    todo = [f for f in groups if status[f] != "passed"]
    progress = f"{len(done)} of {len(groups)} functions pass their public checks"
    say(progress + (f"; next: {todo[0]}" if todo else "."))
    passed_checks = sum(ch.outcome == PASSED for ch in result.checks)
    say(f"{passed_checks} of {total} public checks passed "
        f"({result.score:g}/{result.max_score:g} points).")
    if some_hint and not hints:
        say("For a hint on how to fix each failed check: dlgrade check --hints")
    say(HIDDEN_NOTE)
    _printed(result.output, say)
    return passed_checks == total and total > 0


def _printed(output: str, say: Callable[[str], None]) -> None:
    """What the student's code printed (the end of it), verbatim."""
    if output.strip():
        say("")
        say("Your code printed:")
        say(plain(output.strip()[-2000:]))
