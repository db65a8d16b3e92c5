"""Every accepted layout is found; anything else is a clear per-entry error."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from autograder.submission import discover, notebook_cells

CODE = "def relu(Z):\n    return Z\n"


def notebook(*sources: str) -> str:
    cells = [{"cell_type": "markdown", "metadata": {}, "source": "# hi"}]
    cells += [{"cell_type": "code", "metadata": {}, "source": s.splitlines(True),
               "outputs": [], "execution_count": None} for s in sources]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def make_class(root: Path) -> Path:
    subs = root / "subs"
    subs.mkdir()
    (subs / "alice").mkdir()
    (subs / "alice" / "neural_network.py").write_text(CODE)
    (subs / "alice" / "helpers.py").write_text("X = 1\n")
    (subs / "bob.py").write_text(CODE)
    (subs / "carol.ipynb").write_text(notebook("import numpy as np", CODE))
    with zipfile.ZipFile(subs / "dave.zip", "w") as zf:
        zf.writestr("__MACOSX/._neural_network.py", "junk")
        zf.writestr("dave-work/neural_network.py", CODE)
    (subs / "erin").mkdir()
    (subs / "erin" / "work.ipynb").write_text(notebook(CODE))
    (subs / "frank.txt").write_text("hello")
    (subs / "gina.py").write_bytes("x = 'caf\xe9'\n".encode("latin-1"))
    (subs / "hugo.zip").write_bytes(b"not a zip")
    (subs / "ivan").mkdir()
    (subs / "ivan" / "a.ipynb").write_text(notebook(CODE))
    (subs / "ivan" / "b.ipynb").write_text(notebook(CODE))
    (subs / "jane.ipynb").write_text("{broken")
    nb = subs / "kim" / "activations"  # nbgrader: submitted/<student>/<assignment>/
    nb.mkdir(parents=True)
    (nb / "activations.ipynb").write_text(notebook(CODE))
    (nb / "timestamp.txt").write_text("2026-11-28 17:00:00.000000 UTC")
    (subs / ".DS_Store").write_text("")
    return subs


def test_every_layout_is_read(tmp_path: Path) -> None:
    found = {s.student: s for s in discover(make_class(tmp_path), entry="neural_network.py",
                                            assignment="activations")}
    assert sorted(found) == ["alice", "bob", "carol", "dave", "erin", "frank", "gina",
                             "hugo", "ivan", "jane", "kim"]
    assert found["alice"].kind == "py" and set(found["alice"].files) == {
        "neural_network.py", "helpers.py"}
    assert found["bob"].files == {"neural_network.py": CODE}
    assert found["carol"].kind == "notebook" and found["carol"].cells[1] == CODE
    assert found["dave"].files == {"neural_network.py": CODE}
    assert found["erin"].kind == "notebook"
    assert found["kim"].kind == "notebook" and found["kim"].timestamp.startswith("2026-11-28")


def test_bad_entries_get_one_clear_message(tmp_path: Path) -> None:
    found = {s.student: s for s in discover(make_class(tmp_path), entry="neural_network.py",
                                            assignment="activations")}
    assert "not a folder, .py, .ipynb or .zip" in found["frank"].error
    assert "not UTF-8" in found["gina"].error
    assert "zip file could not be read" in found["hugo"].error
    assert "found 2 notebooks" in found["ivan"].error
    assert "not valid JSON" in found["jane"].error
    for name in ("frank", "gina", "hugo", "ivan", "jane"):
        assert found[name].kind == "invalid"


def test_content_hash_follows_the_code(tmp_path: Path) -> None:
    subs = make_class(tmp_path)
    first = {s.student: s.content_hash for s in discover(subs, entry="neural_network.py",
                                                         assignment="activations")}
    (subs / "bob.py").write_text(CODE + "# changed\n")
    second = {s.student: s.content_hash for s in discover(subs, entry="neural_network.py",
                                                          assignment="activations")}
    assert first["bob"] != second["bob"] and first["alice"] == second["alice"]


def test_notebook_cells_accept_string_sources() -> None:
    text = json.dumps({"cells": [{"cell_type": "code", "source": "a = 1"}]})
    assert notebook_cells(text) == ["a = 1"]


def test_a_byte_order_mark_and_windows_line_endings_are_fine(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "win.py").write_bytes(b"\xef\xbb\xbf" + CODE.replace("\n", "\r\n").encode())
    (found,) = discover(subs, entry="neural_network.py", assignment="activations")
    assert found.kind == "py"
    source = found.files["neural_network.py"]
    assert not source.startswith("\ufeff")
    compile(source, "neural_network.py", "exec")  # loads like any other file


def test_a_single_misnamed_file_in_a_folder_is_taken(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    (subs / "lee").mkdir(parents=True)
    (subs / "lee" / "neural_network (1).py").write_text(CODE)
    (subs / "max").mkdir()
    (subs / "max" / "a.py").write_text(CODE)
    (subs / "max" / "b.py").write_text(CODE)
    found = {s.student: s for s in discover(subs, entry="neural_network.py",
                                            assignment="activations")}
    assert found["lee"].files == {"neural_network.py": CODE}
    assert found["max"].kind == "invalid" and "found a.py, b.py" in found["max"].error
