"""Every accepted layout is found; anything else is a clear per-entry error."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

from autograder.course.discovery import discover
from autograder.course.entry import notebook_cells
from autograder.course.safefiles import not_a_file

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


# ------------------------------------------------------------------ odd input (issue 8)

ENTRY = {"entry": "neural_network.py", "assignment": "activations"}


def by_entry(subs: Path) -> dict:
    return {s.entry_name: s for s in discover(subs, **ENTRY)}


def test_ids_never_clash_and_every_rename_is_reported(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    (subs / "s1").mkdir(parents=True)
    (subs / "s1" / "neural_network.py").write_text(CODE)
    (subs / "s1.py").write_text(CODE)
    (subs / "s1-2.py").write_text(CODE)
    (subs / "Bob.py").write_text(CODE)
    (subs / "bob.zip").write_bytes(b"")  # same id but for case: OUT may be on macOS
    (subs / "grades.csv.py").write_text(CODE)  # would clash with OUT/grades.csv
    found = discover(subs, **ENTRY)
    ids = {s.entry_name: s.student for s in found}
    assert ids == {"s1": "s1", "s1-2.py": "s1-2", "s1.py": "s1-3", "Bob.py": "Bob",
                   "bob.zip": "bob-2", "grades.csv.py": "grades.csv-2"}
    assert len({i.casefold() for i in ids.values()}) == 6  # six entries, six folders
    assert [str(r) for r in found.renames] == [
        "bob.zip -> bob-2 ('bob' is already the id of Bob.py)",
        "grades.csv.py -> grades.csv-2 ('grades.csv' is a name dlgrade writes in OUT)",
        "s1.py -> s1-3 ('s1' is already the id of s1)"]


def test_unicode_names_stay_readable_and_only_unsafe_characters_go(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "José García.py").write_text(CODE)
    (subs / "李.py").write_text(CODE)
    (subs / "王.py").write_text(CODE)
    (subs / "Jose\u0301.py").write_text(CODE)  # decomposed (NFD), as macOS writes it
    (subs / 'a:b*c?"d<e>f|g.py').write_text(CODE)
    (subs / "evil\u202egnp.py").write_text(CODE)  # a right-to-left override
    (subs / " spaced .py").write_text(CODE)
    (subs / ("é" * 100 + ".py")).write_text(CODE)  # 200 bytes of UTF-8
    (subs / " .py").write_text(CODE)
    found = discover(subs, **ENTRY)
    ids = {s.entry_name: s.student for s in found}
    assert ids["José García.py"] == "José García"
    assert ids["李.py"] == "李" and ids["王.py"] == "王"
    assert ids["Jose\u0301.py"] == "Jos\u00e9"  # NFC: one code point for é
    assert ids['a:b*c?"d<e>f|g.py'] == "a_b_c_d_e_f_g"
    assert ids["evil\u202egnp.py"] == "evil_gnp"
    assert ids[" spaced .py"] == "spaced" and ids[" .py"] == "student"
    assert ids["é" * 100 + ".py"] == "é" * 60  # 120 bytes, whole characters
    renamed = {r.entry: r.reason for r in found.renames}
    assert renamed == {"Jose\u0301.py": "Unicode normalised (NFC)",
                       'a:b*c?"d<e>f|g.py': "characters unsafe in a file name replaced",
                       "evil\u202egnp.py": "characters unsafe in a file name replaced",
                       " spaced .py": "leading or trailing dots or spaces dropped",
                       "é" * 100 + ".py": "shortened to 120 bytes",
                       " .py": "no usable characters"}


def test_no_symlink_is_followed_anywhere(tmp_path: Path) -> None:
    secret = tmp_path / "solutions"
    secret.mkdir()
    (secret / "neural_network.py").write_text(CODE)
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "cheat.py").symlink_to(secret / "neural_network.py")
    (subs / "shadow.py").symlink_to("/etc/shadow")
    (subs / "linked").symlink_to(secret, target_is_directory=True)
    (subs / "inner").mkdir()
    (subs / "inner" / "neural_network.py").symlink_to(secret / "neural_network.py")
    nb = subs / "kim"  # nbgrader: submitted/kim/activations -> elsewhere
    nb.mkdir()
    (nb / "activations").symlink_to(secret, target_is_directory=True)
    found = by_entry(subs)
    assert {n: (s.kind, s.error) for n, s in found.items()} == {
        "cheat.py": ("invalid", "cheat.py is a symbolic link: submit the file itself"),
        "shadow.py": ("invalid", "shadow.py is a symbolic link: submit the file itself"),
        "linked": ("invalid", "linked is a symbolic link: submit the file itself"),
        "inner": ("invalid",
                  "inner/neural_network.py is a symbolic link: submit the file itself"),
        "kim": ("invalid", "kim/activations is a symbolic link: submit the file itself"),
    }
    assert all(not s.files and not s.cells for s in found.values())  # nothing was read


def discover_elsewhere(subs: Path) -> dict[str, str]:
    """{entry: error} from discover() run in a child process: a read that blocks
    (a FIFO opened for reading) fails this test after 60 s instead of hanging it."""
    code = ("import json, sys\nfrom pathlib import Path\n"
            "from autograder.course.discovery import discover\n"
            "found = discover(Path(sys.argv[1]), entry='neural_network.py', assignment='a')\n"
            "print(json.dumps({s.entry_name: s.error for s in found}))\n")
    proc = subprocess.run([sys.executable, "-c", code, str(subs)], capture_output=True,
                          text=True, timeout=60, check=True)
    return json.loads(proc.stdout)


def test_pipes_and_devices_are_refused_without_being_opened(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    (subs / "ann").mkdir(parents=True)
    os.mkfifo(subs / "pipe.py")  # opening this for reading would block forever
    os.mkfifo(subs / "ann" / "neural_network.py")
    (subs / "zero.py").symlink_to("/dev/zero")
    devices = os.geteuid() == 0  # CI runs as root: a real device node, as /dev/zero is
    if devices:
        os.mknod(subs / "dev.py", stat.S_IFCHR | 0o600, os.makedev(1, 5))
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(subs / "sock.py"))
        errors = discover_elsewhere(subs)
    assert errors["pipe.py"] == "pipe.py is a named pipe, not a file: submit the file itself"
    assert errors["ann"] == ("ann/neural_network.py is a named pipe, not a file: "
                             "submit the file itself")
    assert errors["zero.py"] == "zero.py is a symbolic link: submit the file itself"
    assert errors["sock.py"] == "sock.py is a socket, not a file: submit the file itself"
    if devices:
        assert errors["dev.py"] == "dev.py is a device, not a file: submit the file itself"
    assert not_a_file("null", os.stat("/dev/null").st_mode) == (
        "null is a device, not a file: submit the file itself")


def test_size_caps_are_checked_before_reading_and_state_the_limit(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    (subs / "dir").mkdir(parents=True)
    with open(subs / "huge.py", "wb") as handle:  # sparse: 400 MB that take no disk
        handle.truncate(400 * 2**20)
    with open(subs / "dir" / "neural_network.py", "wb") as handle:
        handle.truncate(3 * 2**20)
    with open(subs / "big.ipynb", "wb") as handle:
        handle.truncate(5 * 2**20)
    with open(subs / "just.py", "wb") as handle:
        handle.truncate(2 * 2**20 + 1)
    with zipfile.ZipFile(subs / "bomb.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("neural_network.py", b"#" * (30 * 2**20))
    found = by_entry(subs)
    assert found["huge.py"].error == "huge.py is 400 MB; the limit is 2 MB per file"
    assert found["dir"].error == "dir/neural_network.py is 3 MB; the limit is 2 MB per file"
    assert found["big.ipynb"].error == ("big.ipynb is 5 MB; the limit is 2 MB per file (clear "
                                        "the notebook's outputs and save it again)")
    assert found["just.py"].error == ("just.py is 2097153 bytes; the limit is 2097152 bytes "
                                      "per file")
    assert found["bomb.zip"].error == ("the zip file could not be read: neural_network.py in "
                                       "the zip unpacks to 30 MB; the limit is 2 MB per file")


def test_a_huge_file_is_not_read_into_memory(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    with open(subs / "huge.py", "wb") as handle:
        handle.truncate(400 * 2**20)
    # VmHWM: this process's own peak resident memory (ru_maxrss would include the
    # parent's, inherited through fork)
    code = ("from pathlib import Path\n"
            "from autograder.course.discovery import discover\n"
            f"subs = list(discover(Path({str(subs)!r}), entry='neural_network.py', "
            "assignment='a'))\n"
            "peak = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
            "print(subs[0].kind, int(peak.split()[1]) // 1024)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=True)
    kind, peak_mb = proc.stdout.split()
    assert kind == "invalid" and int(peak_mb) < 150  # far below the file's 400 MB


def test_odd_but_honest_entries_get_precise_messages(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "upper.PY").write_text(CODE)
    (subs / "NB.IPYNB").write_text(notebook(CODE))
    (subs / "old.ipynb").write_text(json.dumps({"nbformat": 3, "nbformat_minor": 0,
                                                "worksheets": [{"cells": []}]}))
    with zipfile.ZipFile(subs / "nested.zip", "w") as zf:
        zf.writestr("inner.zip", b"PK")
    with zipfile.ZipFile(subs / "CAPS.ZIP", "w") as zf:
        zf.writestr("work/NEURAL_NETWORK.PY", CODE)
    (subs / "gina.py").write_bytes("x = 'caf\xe9'\n".encode("latin-1"))
    with zipfile.ZipFile(subs / "locked.zip", "w") as zf:
        zf.writestr("neural_network.py", CODE)
    data = bytearray((subs / "locked.zip").read_bytes())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        data[data.index(signature) + offset] |= 1  # the "encrypted" flag, as zip -e sets
    (subs / "locked.zip").write_bytes(bytes(data))
    with zipfile.ZipFile(subs / "crc.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("neural_network.py", CODE * 50)
    data = bytearray((subs / "crc.zip").read_bytes())
    data[30 + len("neural_network.py")] ^= 0xFF  # the first compressed byte: a zlib error
    (subs / "crc.zip").write_bytes(bytes(data))
    (subs / "deep.ipynb").write_text("[" * 100_000 + "]" * 100_000)
    (subs / ".hidden.py").write_text(CODE)
    (subs / "__pycache__").mkdir()
    found = discover(subs, **ENTRY)
    named = {s.entry_name: s for s in found}
    assert named["upper.PY"].kind == "py" and named["upper.PY"].files == {
        "neural_network.py": CODE}
    assert named["NB.IPYNB"].kind == "notebook"
    assert named["CAPS.ZIP"].files == {"neural_network.py": CODE}  # the one .py: taken
    assert named["old.ipynb"].error == ("the notebook is in the old nbformat 3; open it in a "
                                        "current Jupyter, save it (nbformat 4) and submit again")
    assert named["nested.zip"].error == ("the zip file could not be read: it holds another zip "
                                         "(inner.zip) and no code; submit one zip with your "
                                         "files directly inside")
    assert named["gina.py"].error == "gina.py is not UTF-8 text (save it as UTF-8 and resubmit)"
    assert named["locked.zip"].error == ("the zip file could not be read: neural_network.py in "
                                         "the zip is password-protected; submit a zip without "
                                         "a password")
    assert named["crc.zip"].error.startswith("the zip file could not be read: Error -3 while "
                                             "decompressing data")
    assert named["deep.ipynb"].error == "the notebook is nested too deeply to be a notebook"
    assert found.skipped == [".hidden.py", "__pycache__"]


def test_nbgrader_timestamps_that_cannot_be_read_are_flagged(tmp_path: Path) -> None:
    subs = tmp_path / "submitted"
    for student, stamp in (("ok", b"2026-11-28 17:00:00.000000 UTC\n"), ("empty", b""),
                           ("latin", b"\xe9t\xe9"), ("none", None)):
        folder = subs / student / "activations"
        folder.mkdir(parents=True)
        (folder / "activations.ipynb").write_text(notebook(CODE))
        if stamp is not None:
            (folder / "timestamp.txt").write_bytes(stamp)
    found = by_entry(subs)
    assert (found["ok"].timestamp, found["ok"].timestamp_error) == (
        "2026-11-28 17:00:00.000000 UTC", "")
    assert found["empty"].timestamp_error == "timestamp.txt is empty"
    assert found["latin"].timestamp_error == "timestamp.txt is not UTF-8 text"
    assert (found["none"].timestamp, found["none"].timestamp_error) == ("", "")


def test_a_crowded_folder_still_gives_its_neural_network_py(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    (subs / "max").mkdir(parents=True)
    for i in range(30):  # more helper files than are read, all sorting before it
        (subs / "max" / f"a{i:02}.py").write_text(f"X = {i}\n")
    (subs / "max" / "neural_network.py").write_text(CODE)
    (found,) = discover(subs, **ENTRY)
    assert found.kind == "py" and found.files["neural_network.py"] == CODE
    assert len(found.files) == 20  # MAX_FILES: the entry and 19 helpers
