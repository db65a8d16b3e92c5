"""``python -I probe.py MODE``: print which sandbox mode the zygote would pick.

Runs the zygote's own selection (so the answer cannot drift from what
grading does) and prints one JSON line: ``{"mode": ..., "why_not": ...}``.
Entering namespaces here only affects this short-lived process.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys


def main() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location("_dlgrade_zygote", os.path.join(here,
                                                                                 "zygote.py"))
    assert spec and spec.loader
    zygote = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(zygote)
    mode, why_not = zygote.select_mode(sys.argv[1] if len(sys.argv) > 1 else "auto")
    print(json.dumps({"mode": mode, "why_not": why_not}), flush=True)


if __name__ == "__main__":
    main()
