"""report.html and feedback.html render in a real browser (headless Chromium).

The pages are screenshotted and the PNG decoded here (zlib + numpy, no
Pillow): a page that failed to render is blank, a rendered one shows the
chart colours and plenty of anti-aliased text.
"""

from __future__ import annotations

import os
import random
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import numpy as np
import pytest

from autograder.results import CheckSpec
from autograder.reports.charts import BAR, COLORS
from autograder.reports.writer import ReportWriter
from autograder.results import CheckResult, SubmissionResult

pytestmark = pytest.mark.slow
WIDTH, HEIGHT = 1280, 2000
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_browser() -> str:
    """A headless-capable Chromium; installed with apt on a root CI machine."""
    for name in BROWSERS:
        if shutil.which(name):
            return str(shutil.which(name))
    if os.environ.get("CI") == "true" and hasattr(os, "geteuid") and os.geteuid() == 0:
        for command in (["apt-get", "update"], ["apt-get", "install", "-y", "chromium"]):
            subprocess.run(command, capture_output=True, timeout=900, check=False,
                           env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        if shutil.which("chromium"):
            return str(shutil.which("chromium"))
    pytest.skip("no Chromium found (and it could not be installed with apt-get: "
                "this needs root and CI=true)")


def screenshot(page: Path, tmp_path: Path) -> bytes:
    png = tmp_path / f"{page.parent.name}_{page.stem}.png"
    command = [find_browser(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--hide-scrollbars",
               f"--user-data-dir={tmp_path / 'profile'}", f"--window-size={WIDTH},{HEIGHT}",
               f"--screenshot={png}", page.resolve().as_uri()]
    run = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    assert png.is_file(), f"Chromium wrote no screenshot:\n{run.stderr[-2000:]}"
    return png.read_bytes()


def decode_png(data: bytes) -> np.ndarray:
    """Pixels (height, width, channels) of an 8-bit, non-interlaced RGB(A) PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, chunks, header = 8, [], None
    while pos < len(data):
        (length,), kind = struct.unpack(">I", data[pos:pos + 4]), data[pos + 4:pos + 8]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", data[pos + 8:pos + 8 + length])
        elif kind == b"IDAT":
            chunks.append(data[pos + 8:pos + 8 + length])
        pos += 12 + length
    assert header is not None
    width, height, depth, color, _, _, interlace = header
    assert depth == 8 and interlace == 0 and color in (2, 6), f"unexpected PNG {header}"
    channels = 3 if color == 2 else 4
    stride = width * channels
    rows = np.frombuffer(zlib.decompress(b"".join(chunks)), np.uint8).reshape(height, stride + 1)
    pixels = np.zeros((height, stride), np.uint8)
    prev = np.zeros(stride, np.uint8)
    for y in range(height):
        kind, line = rows[y, 0], rows[y, 1:]
        if kind == 0:  # None
            pixels[y] = line
        elif kind == 1:  # Sub: running sum along the row, per channel (uint8 wraps mod 256)
            pixels[y] = np.cumsum(line.reshape(width, channels), axis=0,
                                  dtype=np.uint8).reshape(-1)
        elif kind == 2:  # Up
            pixels[y] = line + prev
        else:  # Average or Paeth: each byte needs the one decoded before it
            pixels[y] = np.frombuffer(unfilter_row(kind, line.tobytes(), prev.tobytes(),
                                                   channels), np.uint8)
        prev = pixels[y]
    return pixels.reshape(height, width, channels)


def unfilter_row(kind: int, line: bytes, up: bytes, bpp: int) -> bytes:
    cur = bytearray(line)
    for i in range(len(cur)):
        a = cur[i - bpp] if i >= bpp else 0
        b = up[i]
        if kind == 3:
            cur[i] = (cur[i] + ((a + b) >> 1)) & 255
            continue
        c = up[i - bpp] if i >= bpp else 0
        p = a + b - c
        pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
        cur[i] = (cur[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    return bytes(cur)


def colour_counts(pixels: np.ndarray) -> dict[int, int]:
    """How many pixels have each colour, colours packed as 0xRRGGBB."""
    rgb = pixels[..., :3].astype(np.uint32)
    codes, counts = np.unique((rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2],
                              return_counts=True)
    return dict(zip(codes.tolist(), counts.tolist(), strict=True))


def code(hex_colour: str) -> int:
    return int(hex_colour.lstrip("#"), 16)


def synthetic_class(n: int = 30) -> tuple[list[CheckSpec], list[SubmissionResult]]:
    """A seeded class: varied skill, a load failure, a timeout, a grader error."""
    specs = [CheckSpec(f"{fn}_{name}", fn, points, vis, "")
             for fn in ("relu", "softmax")
             for name, points, vis in [("course_matrix", 3.0, "public"),
                                       ("rows_sum_to_one", 2.0, "public"),
                                       ("large_scores", 1.0, "public"),
                                       ("matches_definition[4x10]", 2.0, "hidden"),
                                       ("does_not_modify_input", 2.0, "hidden")]]
    rng = random.Random(7)
    results = []
    for k in range(n):
        skill = rng.random()
        error = "ModuleNotFoundError: No module named 'nump'" if k == 4 else ""
        checks = []
        for j, spec in enumerate(specs):
            outcome = "error" if error else ("passed" if rng.random() < skill + 0.6 - 0.05 * j
                                             else "failed")
            if k == 9 and j == 3:
                outcome = "grader_error"
            checks.append(CheckResult(
                check=spec.id, function=spec.function, visibility=spec.visibility,
                points=spec.points if outcome == "passed" else 0.0, max_points=spec.points,
                outcome=outcome, message=error or ("" if outcome == "passed" else
                                                   f"{spec.function}(Z) is wrong in {j + 1} "
                                                   "entries.\nDid you use axis=1?")))
        results.append(SubmissionResult(
            student=f"student{k:02d}", assignment="activations", content_hash=str(k),
            checks=checks, status="load_failed" if error else "graded", error=error,
            events=["softmax: timed out"] if k == 12 else [], duration=0.2,
            output="<script>alert(1)</script>\n" * (k % 3)))
    return specs, results


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reports")
    specs, results = synthetic_class()
    writer = ReportWriter(out, assignment_id="activations", title="Activation functions",
                          specs=specs, protections=["separate process", "no network"],
                          sandbox_mode="test")
    for result in results:
        writer.add(result)
    writer.finish()
    return out


def test_report_html_renders_in_a_browser(reports: Path, tmp_path: Path) -> None:
    pixels = decode_png(screenshot(reports / "report.html", tmp_path))
    assert pixels.shape[:2] == (HEIGHT, WIDTH)
    counts = colour_counts(pixels)
    assert len(counts) > 100  # text, charts and tables, not a blank page
    assert max(counts.values()) < 0.9 * HEIGHT * WIDTH  # no single colour fills the page
    # the SVG charts were drawn: histogram bars and pass/fail segments, each a real area
    for colour in (BAR, COLORS["P"], COLORS["F"]):
        assert counts.get(code(colour), 0) > 500, f"{colour} missing from the rendered report"


def test_feedback_html_renders_in_a_browser(reports: Path, tmp_path: Path) -> None:
    counts = colour_counts(decode_png(screenshot(reports / "student02" / "feedback.html",
                                                 tmp_path)))
    assert len(counts) > 50  # text and badges, not a blank page
    assert counts.get(code(COLORS["P"]), 0) > 100  # the score meter and "passed" badges


def student_scores(dom: str) -> list[tuple[str, float]]:
    """(student, score) of each row of report.html's student table, in page order."""
    import re

    table = dom[dom.index('<table class="sortable students">'):]
    body = table[table.index("<tbody>"):table.index("</tbody>")]
    rows = re.findall(r"<tr>(.*?)</tr>", body)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in rows]
    return [(re.sub(r"<[^>]+>", "", c[0]), float(c[1])) for c in cells]


def dump_dom(page: Path, tmp_path: Path) -> str:
    command = [find_browser(), "--headless", "--no-sandbox", "--disable-gpu",
               "--no-first-run", "--disable-background-networking", "--disable-sync",
               f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.resolve().as_uri()]
    run = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    assert "<tbody>" in run.stdout, run.stderr[-2000:]
    return run.stdout


def test_report_tables_sort_in_a_browser(reports: Path, tmp_path: Path) -> None:
    """Clicking a header sorts by it; clicking again sorts the other way (real Chromium)."""
    html = (reports / "report.html").read_text("utf-8")
    before = student_scores(dump_dom(reports / "report.html", tmp_path))
    assert [s for s, _ in before] == sorted(s for s, _ in before)  # by student id at first
    clicks = ('<script>var th = document.querySelector("table.students th:nth-child(2)");'
              "th.click();</script>")
    once, twice = tmp_path / "once.html", tmp_path / "twice.html"
    once.write_text(html.replace("</main>", clicks + "</main>"), "utf-8")
    twice.write_text(html.replace("</main>", clicks + clicks + "</main>"), "utf-8")
    ascending = student_scores(dump_dom(once, tmp_path))
    descending = student_scores(dump_dom(twice, tmp_path))
    assert sorted(ascending) == sorted(before)  # the same rows, reordered
    assert [v for _, v in ascending] == sorted(v for _, v in before)
    assert [v for _, v in descending] == sorted((v for _, v in before), reverse=True)
    assert ascending != before  # the seeded class is not already in score order
