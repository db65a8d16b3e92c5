"""How dlgrade writes values into cells (CSV files, tables, reports).

Shared by storage (:mod:`autograder.gradebook`) and the reports, so neither
imports the other.

Points: :func:`fmt_points` prints them without float noise.

Text: a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is run as a formula by Excel, LibreOffice and Google Sheets (CSV
injection, OWASP). :func:`cell` prefixes such text with a single quote, which
spreadsheets read as "this is text" and do not show; a cell that itself
starts with a quote gets one too, so :func:`uncell` (drop one leading quote)
gives back exactly the original text. Numbers dlgrade writes are never
negative, so only text cells need this.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(text: str) -> str:
    """``text`` made safe to open in a spreadsheet: ``"+1+1"`` -> ``"'+1+1"``."""
    return "'" + text if text.startswith((*FORMULA_STARTS, "'")) else text


def uncell(text: str) -> str:
    """The original text of a :func:`cell`: ``"'+1+1"`` -> ``"+1+1"``."""
    return text[1:] if text.startswith("'") else text


def fmt_points(value: float) -> str:
    """Points without float noise: 2.0 -> "2", 1.5 -> "1.5", 1/3 -> "0.3333"."""
    text = f"{round(float(value), 4):.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
