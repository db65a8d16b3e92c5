"""Measure a student's install of dlgrade: packages, megabytes, seconds; prints figures.

    python bench/bench_install.py            # this tree, as `pip install .` would
    python bench/bench_install.py --extra nbgrader   # the instructor's nbgrader extra

Creates a fresh virtual environment in a temporary folder, installs this tree
into it with the venv's own pip (from whatever index pip is configured to
use), then reports: the wall-clock seconds of ``pip install``, the number of
distributions installed (pip and setuptools, which come with the venv, are
not counted) and the size of the venv's site-packages (and numpy's share). Finally it times the
notebook's ``check()`` in that venv: the first call, cold (it imports the
check files, with a stand-in for pytest) and after the preload a Jupyter kernel starts on
import, and the median of later calls. Nothing is asserted; the
targets (issue 9) are at most 25 packages and 80 MB.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BASELINE = {"pip", "setuptools", "wheel"}  # what `python -m venv` already holds

TIMING = r"""
import json, statistics, sys, time
from pathlib import Path
t0 = time.perf_counter()
from autograder.notebook import preload, run
import numpy as np
t1 = time.perf_counter()
folder = Path(sys.argv[1])
if sys.argv[2] == "preloaded":  # as in a kernel: the import starts loading the checks
    preload(folder).join()
namespace = {"relu": lambda Z: np.maximum(0, Z)}
first = time.perf_counter()
run(("relu",), namespace, folder=folder)
first = time.perf_counter() - first
later = []
for _ in range(20):
    t = time.perf_counter()
    run(("relu",), namespace, folder=folder)
    later.append(time.perf_counter() - t)
print(json.dumps({"import": t1 - t0, "first": first, "median": statistics.median(later)}))
"""


def folder_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--extra", default="", help="an extra to install too, e.g. nbgrader")
    args = parser.parse_args()
    target = f"{REPO}[{args.extra}]" if args.extra else str(REPO)
    with tempfile.TemporaryDirectory(prefix="dlgrade-install-") as tmp:
        venv = Path(tmp) / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        python = venv / "bin" / "python"
        site = Path(subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True, text=True, check=True).stdout.strip())
        before_mb = folder_mb(site)
        start = time.perf_counter()
        subprocess.run([str(python), "-m", "pip", "install", "-q", target], check=True,
                       stderr=subprocess.DEVNULL)
        seconds = time.perf_counter() - start
        listing = json.loads(subprocess.run(
            [str(python), "-m", "pip", "list", "--format", "json"], capture_output=True,
            text=True, check=True).stdout)
        names = sorted(p["name"] for p in listing if p["name"].lower() not in BASELINE)
        size = folder_mb(site) - before_mb
        numpy_mb = sum(folder_mb(site / name) for name in ("numpy", "numpy.libs")
                       if (site / name).is_dir())
        template = Path(tmp) / "student"
        subprocess.run([str(venv / "bin" / "dlgrade"), "generate", "-o", str(template),
                        "--course", str(REPO)], check=True, capture_output=True)
        timing = {mode: json.loads(subprocess.run(
            [str(python), "-c", TIMING, str(template), mode], capture_output=True, text=True,
            check=True).stdout) for mode in ("cold", "preloaded")}
    print(f"pip install {'dlgrade[' + args.extra + ']' if args.extra else 'dlgrade'} "
          f"into a fresh venv (Python {sys.version_info.major}.{sys.version_info.minor}):")
    print(f"  {len(names)} packages (dlgrade included; pip/setuptools not counted), "
          f"{size:.0f} MB in site-packages (numpy alone: {numpy_mb:.0f} MB), {seconds:.1f} s")
    print(f"  packages: {', '.join(names)}")
    cold, warm = timing["cold"], timing["preloaded"]
    print(f"notebook check('relu'): import of autograder.notebook {cold['import'] * 1000:.0f} "
          f"ms; first call {cold['first'] * 1000:.0f} ms cold (it imports the check files), "
          f"{warm['first'] * 1000:.1f} ms once preloaded (as in a kernel); then "
          f"median {cold['median'] * 1000:.1f} ms")


if __name__ == "__main__":
    main()
