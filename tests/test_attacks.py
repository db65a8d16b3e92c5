"""Hostile submissions cannot change their score, harm classmates or escape.

Every file in tests/attacks/ is appended to the reference solution to make a
real submission whose header names the function it attacks (``*``: the whole
file). One real ``dlgrade grade`` run (a subprocess, two jobs) grades them all
beside an honest student and a classmate, then we check, for each attack:
the batch completed; the attacked function lost points; every other function
scored exactly what the honest student scored; and afterwards no process of
the sandbox is alive, nothing was left in the temp folder, the classmate's
file is untouched and nothing reached a listening localhost port.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from autograder.sandbox.client import BASE_UID

REPO = Path(__file__).resolve().parent.parent
ATTACKS = sorted((REPO / "tests" / "attacks").glob("*.py"))
ASSIGNMENT = "toolkit" if (REPO / "assignments" / "toolkit").is_dir() else "activations"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.geteuid() != 0, reason="the full sandbox (namespaces, uid drop) "
                       "needs root; CI runs as root"),
]


def header_targets(path: Path) -> set[str]:
    first = path.read_text().splitlines()[0]
    assert first.startswith("# target:"), f"{path.name} must start with '# target: ...'"
    return set(first.split(":", 1)[1].split())


def sandbox_processes(*, ours: bool = True) -> list[str]:
    """Processes of the sandbox: sandbox uids, zygotes or grading processes.

    Other runs of dlgrade (other checkouts) may share this machine: ``ours``
    keeps the processes running this checkout's code (a worker is forked from
    its zygote, so its command line names this checkout too); ``ours=False``
    lists the others'."""
    found = []
    here = str(REPO).encode()
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            uid = os.stat(f"/proc/{entry}").st_uid
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        if BASE_UID <= uid < BASE_UID + 64 or b"zygote.py" in cmdline \
                or b"autograder.gradeproc" in cmdline:
            if cmdline and (here in cmdline) == ours:
                found.append(f"{entry} uid={uid} {cmdline[:80]!r}")
    return found


class Listener:
    """A localhost TCP server that records whatever reaches it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.received: list[bytes] = []
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self) -> None:
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    self.received.append(conn.recv(1 << 16))
                except OSError:
                    self.received.append(b"<connected>")

    def close(self) -> None:
        self.stop = True
        self.thread.join()
        self.sock.close()


@pytest.fixture(scope="module")
def attack_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("attacks")
    subs, out = base / "submissions", base / "out"
    subs.mkdir()
    reference = (REPO / "solutions" / "neural_network.py").read_text()
    for name in ("aa_honest", "zz_classmate"):
        (subs / name).mkdir()
        (subs / name / "neural_network.py").write_text(reference)
    classmate_file = subs / "zz_classmate" / "neural_network.py"
    listener = Listener()
    for attack in ATTACKS:
        code = (attack.read_text().replace("@COURSE@", str(REPO))
                .replace("@CLASSMATE@", str(classmate_file))
                .replace("@PORT@", str(listener.port)))
        (subs / f"attack_{attack.stem}.py").write_text(reference + "\n\n" + code)
    private_tmp = base / "tmp"  # the grader's own temp files go here (the zygote's: /tmp)
    private_tmp.mkdir()
    tmp_before = set(os.listdir(tempfile.gettempdir()))
    procs_before = set(sandbox_processes())
    others = set(sandbox_processes(ours=False))
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "autograder.cli", "grade", str(subs), "-a", ASSIGNMENT,
         "-o", str(out), "--jobs", "2", "--timeout", "2", "--course", str(REPO)],
        capture_output=True, text=True, timeout=600, env={**os.environ, "TMPDIR": str(private_tmp)},
    )
    seconds = time.perf_counter() - start
    time.sleep(0.5)
    listener.close()
    leftovers = sorted(set(sandbox_processes()) - procs_before)
    others |= set(sandbox_processes(ours=False))
    tmp_after = set(os.listdir(tempfile.gettempdir()))
    new_tmp = sorted(f"private:{n}" for n in os.listdir(private_tmp))
    if not others:  # alone on the machine: every new dlgrade entry of /tmp is ours
        new_tmp += sorted(tmp_after - tmp_before)
    return {"proc": proc, "out": out, "listener": listener, "seconds": seconds,
            "leftovers": leftovers, "new_tmp": new_tmp,
            "classmate": classmate_file, "reference": reference}


def scores(out: Path, student: str) -> dict[str, tuple[str, float, float]]:
    data = json.loads((out / student / "results.json").read_text())
    return {t["name"]: (t["tags"][0], t["score"], t["max_score"]) for t in data["tests"]}


def test_batch_completes_and_reports_protections(attack_run: dict) -> None:
    proc = attack_run["proc"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "sandbox: namespaces" in proc.stdout
    report = (attack_run["out"] / "report.html").read_text()
    for layer in ("network namespace", "unprivileged uid", "mount namespace"):
        assert layer in report, f"report.html does not list '{layer}'"


def test_honest_students_get_full_marks(attack_run: dict) -> None:
    for student in ("aa_honest", "zz_classmate"):
        graded = scores(attack_run["out"], student)
        assert all(score == top for _, score, top in graded.values()), (student, graded)


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.stem for a in ATTACKS])
def test_attack_gains_nothing(attack_run: dict, attack: Path) -> None:
    honest = scores(attack_run["out"], "aa_honest")
    attacked = scores(attack_run["out"], f"attack_{attack.stem}")
    assert attacked.keys() == honest.keys(), "every check is listed for every student"
    targets = header_targets(attack)
    lost = {fn: 0.0 for fn in targets}
    for check, (function, score, top) in attacked.items():
        if "*" in targets:
            assert score == 0, f"{check}: a file that does not load must score 0"
        elif function in targets:
            lost[function] += top - score
        else:  # other functions score exactly as without the attack
            assert score == honest[check][1], f"{check} changed: {score} vs {honest[check][1]}"
    for function, points in lost.items():
        if function != "*" and any(f == function for f, _, _ in honest.values()):
            assert points > 0, f"the attack on {function} lost no points"


def test_no_process_outlives_grading(attack_run: dict) -> None:
    assert attack_run["leftovers"] == []


def test_nothing_left_in_tmp(attack_run: dict) -> None:
    leaked = [n for n in attack_run["new_tmp"] if n.startswith("dlgrade")]
    assert leaked == []


def test_classmate_untouched(attack_run: dict) -> None:
    assert attack_run["classmate"].read_text() == attack_run["reference"]


def test_nothing_reaches_localhost(attack_run: dict) -> None:
    assert attack_run["listener"].received == []


# A function that fails on every call spends only its own budget: its later
# checks say so, naming it, and every other function keeps full marks.
EVERY_CALL = {
    "segfault_every_call": ("normalize", "normalize was not run again: it crashed with "
                            "a segmentation fault on 2 earlier calls"),
    "memory_every_call": ("mse_loss", "mse_loss was not run again: it ran out of memory "
                          "on 2 earlier calls"),
    "hang_every_call": ("relu", "relu was not run again: it already took longer than 2 s "
                        "on an earlier check"),
}


@pytest.mark.parametrize("attack", sorted(EVERY_CALL))
def test_every_call_attack_costs_only_its_function(attack_run: dict, attack: str) -> None:
    function, message = EVERY_CALL[attack]
    data = json.loads((attack_run["out"] / f"attack_{attack}" / "results.json").read_text())
    own = [t for t in data["tests"] if t["tags"][0] == function]
    others = [t for t in data["tests"] if t["tags"][0] != function]
    assert own and all(t["score"] == 0 for t in own)
    assert any(message in t["output"] for t in own), [t["output"] for t in own]
    assert others and all(t["score"] == t["max_score"] for t in others), \
        [(t["name"], t["output"]) for t in others if t["score"] != t["max_score"]]
    honest = json.loads((attack_run["out"] / "aa_honest" / "results.json").read_text())
    assert data["score"] == honest["score"] - sum(t["max_score"] for t in own)
