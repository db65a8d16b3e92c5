"""Hostile submissions cannot change their score, harm classmates or escape,
in every sandbox mode this machine can produce.

Every file in tests/attacks/ is appended to the reference solution to make a
real submission whose header names the function it attacks (``*``: the whole
file). Attacks that try to read or reach something (the course, classmates,
the instructor's home, a TCP port) return the right answer only when they
succeed, so "the attacked function lost points" proves they failed.

One real ``dlgrade grade`` run (a subprocess, two jobs) per mode grades them
all beside an honest student and a classmate:

* ``namespaces``: as root (auto picks namespaces);
* ``userns``: as an ordinary user the test creates (auto picks userns);
* ``userns-root``: as root, ``--sandbox userns`` forced (root of a user
  namespace mapped to root: the seccomp filter and the private root must hold
  without the uid drop);
* ``landlock``: as that ordinary user with namespaces refused (the seccomp
  filter below), ``--sandbox landlock`` forced;
* ``container``: as root inside a seccomp filter that refuses ``unshare``,
  ``setns``, ``clone`` with namespace flags and mounts, as Docker's default
  profile does (auto must pick landlock, with an unprivileged uid);
* ``basic``: as root, ``--sandbox basic`` forced. Basic isolates nothing (its
  report says so), so it is attacked only where it makes promises: a score
  cannot be faked, nothing hangs, crashes and floods are contained, and no
  process is left. The attacks on isolation (:data:`NEEDS_ISOLATION`: reading
  or writing files, the network, killing every pid in sight) are not run in
  it: as root they would harm the machine, which is what basic warns about.

Then, for each mode and attack: the batch completed; the attacked function
lost points; every other function scored exactly what the honest student
scored; no process of the run outlived it (the test is a child subreaper, so
an escaped process would be re-parented to it); nothing was left in the temp
folder; the classmate's file and the instructor's ``~/.bashrc`` are
untouched; nothing reached the listening port; and the report names the
mode's layers (and, without namespaces, what the kernel cannot give).

The ordinary user needs to reach the Python installation, which lives under
``/root`` (mode 0700) on the CI machine, and so do the unprivileged workers of
the container mode: the test adds only the "others may traverse" bit (``o+x``,
no listing) to the directories on those paths that lack it, and restores
every mode afterwards. The class and its outputs live in a folder of their own
under /tmp, owned by that user.
"""

from __future__ import annotations

import ctypes
import grp
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator

import pytest
from attack_support import (Listener, children_of_this_process, owner, reap_ended_children,
                            reap_leftovers)
from sandbox_users import ensure_test_user, python_paths, traversable

REPO = Path(__file__).resolve().parents[2]
ATTACKS = sorted((REPO / "tests" / "attacks").glob("*.py"))
ASSIGNMENT = "toolkit" if (REPO / "assignments" / "toolkit").is_dir() else "activations"
SECCOMP = REPO / "autograder" / "sandbox" / "seccomp.py"
PR_SET_CHILD_SUBREAPER = 36

NAMESPACE_LAYERS = ["network namespace", "mount namespace", "PID namespace", "seccomp:"]
LANDLOCK_LAYERS = ["Landlock (ABI", "seccomp: no network sockets", "no new privileges",
                   "private temp working directory"]
# mode -> (run as the test user, extra argv, expected mode, layers the report must list,
#          layers it must list as missing)
MODES: dict[str, tuple[bool, list[str], str, list[str], list[str]]] = {
    "namespaces": (False, [], "namespaces", NAMESPACE_LAYERS + ["unprivileged uid"], []),
    "userns": (True, [], "userns", NAMESPACE_LAYERS + ["user namespace"], []),
    "userns-root": (False, ["--sandbox", "userns"], "userns",
                    NAMESPACE_LAYERS + ["user namespace"], []),
    "landlock": (True, ["--sandbox", "landlock"], "landlock", LANDLOCK_LAYERS,
                 ["missing: PID namespace", "missing: size-capped tmpfs"]),
    "container": (False, [], "landlock", LANDLOCK_LAYERS + ["unprivileged uid"],
                  ["missing: PID namespace", "missing: size-capped tmpfs"]),
    "basic": (False, ["--sandbox", "basic"], "basic", ["private temp working directory",
                                                       "no new privileges"],
              ["missing: file isolation", "missing: network isolation",
               "missing: PID namespace", "missing: seccomp filter", "missing: Landlock",
               "missing: unprivileged uid"]),
}
# attacks whose score cannot tell, in that mode, the harm from a harmless look-alike:
# root of a user namespace owns its private root, where /root exists (it holds the
# bind of Python under /root) and a /root/.bashrc it writes is its own. The real one
# is compared byte for byte (test_instructor_home_untouched) instead.
SCORE_BLIND = {"userns-root": {"home_bashrc"}}
# attacks on what only isolation prevents: basic mode promises none of it
NEEDS_ISOLATION = {"exec_reference", "home_bashrc", "kill_parent", "read_classmates",
                   "read_course_files", "read_solutions_and_hidden", "socket_localhost",
                   "tcp_listening_port", "write_classmate"}


def attacks_for(mode: str) -> list[Path]:
    """The attacks ``mode`` promises to withstand."""
    return [a for a in ATTACKS if mode != "basic" or a.stem not in NEEDS_ISOLATION]


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.geteuid() != 0 and os.environ.get("CI") != "true",
                       reason="creating the ordinary test user needs root; CI runs as root"),
]


def header_targets(path: Path) -> set[str]:
    first = path.read_text().splitlines()[0]
    assert first.startswith("# target:"), f"{path.name} must start with '# target: ...'"
    return set(first.split(":", 1)[1].split())


def build_class(base: Path, listener: Listener, instructor: pwd.struct_passwd,
                attacks: list[Path]) -> dict:
    subs = base / "submissions"
    subs.mkdir()
    reference = (REPO / "solutions" / "neural_network.py").read_text()
    for name in ("aa_honest", "zz_classmate"):
        (subs / name).mkdir()
        (subs / name / "neural_network.py").write_text(reference)
    classmate = subs / "zz_classmate" / "neural_network.py"
    for attack in attacks:
        code = (attack.read_text().replace("@COURSE@", str(REPO))
                .replace("@CLASSMATE@", str(classmate)).replace("@SUBMISSIONS@", str(subs))
                .replace("@INSTRUCTOR_HOME@", instructor.pw_dir)
                .replace("@INSTRUCTOR@", instructor.pw_name)
                .replace("@PORT@", str(listener.port)))
        (subs / f"attack_{attack.stem}.py").write_text(reference + "\n\n" + code)
    return {"subs": subs, "classmate": classmate, "reference": reference}


RUNS: dict[str, dict] = {}  # mode -> its graded run (each mode is graded once)


def run_attacks(mode: str) -> dict:
    """The class graded in ``mode`` (graded on first use, then kept for the module)."""
    if mode not in RUNS:
        RUNS[mode] = grade_class_in(mode)
    return RUNS[mode]


@pytest.fixture(scope="module", autouse=True)
def _remove_runs() -> Iterator[None]:
    yield
    for run in RUNS.values():
        shutil.rmtree(run["base"], ignore_errors=True)
    RUNS.clear()


@pytest.fixture(scope="module", params=list(MODES))
def attack_run(request: pytest.FixtureRequest) -> dict:
    return run_attacks(request.param)


def grade_class_in(mode: str) -> dict:
    """Build the class, grade it in ``mode`` and record every trace of harm."""
    as_user, extra, expected, layers, missing = MODES[mode]
    instructor = ensure_test_user() if as_user else pwd.getpwuid(os.getuid())
    bashrc = Path(instructor.pw_dir) / ".bashrc"
    bashrc_before = bashrc.read_bytes() if bashrc.exists() else None
    base = Path(tempfile.mkdtemp(prefix=f"attacks-{mode}-"))
    listener = Listener()
    made = build_class(base, listener, instructor, attacks_for(mode))
    out = base / "out"
    tmp = base / "tmp"  # the run's TMPDIR: private worker folders go there
    tmp.mkdir()
    os.chmod(base, 0o755)
    os.chmod(tmp, 0o1777)
    command = [sys.executable, "-m", "autograder.cli", "grade", str(made["subs"]),
               "-a", ASSIGNMENT, "-o", str(out), "--jobs", "2", "--timeout", "2",
               "--course", str(REPO), *extra]
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", TMPDIR=str(tmp))
    kwargs: dict = {}
    if as_user:
        for path in [base, *base.rglob("*")]:
            os.chown(path, instructor.pw_uid, instructor.pw_gid)
        env.update(HOME=instructor.pw_dir, USER=instructor.pw_name,
                   LOGNAME=instructor.pw_name)
        kwargs = {"user": instructor.pw_uid, "group": instructor.pw_gid, "extra_groups": []}
    if mode in ("landlock", "container"):
        command = [sys.executable, str(SECCOMP), "refuse-namespaces", *command]
    libc = ctypes.CDLL(None)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    with traversable(python_paths() if as_user or mode == "container" else []):
        proc = subprocess.run(command, capture_output=True, text=True, timeout=900,
                              cwd=str(base), env=env, **kwargs)
    time.sleep(0.5)
    listener.close()
    leftovers = children_of_this_process()
    reap_leftovers(leftovers)
    reap_ended_children()  # exited processes (zombies) re-parented to us: not leftovers
    libc.prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)
    user_procs = []
    if as_user:
        user_procs = [e for e in os.listdir("/proc") if e.isdigit()
                      and owner(e) == instructor.pw_uid]
    bashrc_after = bashrc.read_bytes() if bashrc.exists() else None
    if bashrc_after != bashrc_before:  # never leave the harm behind
        if bashrc_before is None:
            bashrc.unlink()
        else:
            bashrc.write_bytes(bashrc_before)
    return {"mode": mode, "expected": expected, "layers": layers, "missing": missing,
           "proc": proc, "out": out, "listener": listener, "leftovers": leftovers,
           "user_procs": user_procs, "bashrc_changed": bashrc_after != bashrc_before,
           "left_in_tmp": sorted(os.listdir(tmp)), "base": base, **made}


def scores(out: Path, student: str) -> dict[str, tuple[str, float, float]]:
    data = json.loads((out / student / "results.json").read_text())
    return {t["name"]: (t["tags"][0], t["score"], t["max_score"]) for t in data["tests"]}


def test_batch_completes_in_the_expected_mode(attack_run: dict) -> None:
    proc = attack_run["proc"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f"sandbox: {attack_run['expected']};" in proc.stdout, proc.stdout


def test_report_lists_the_layers_and_what_is_missing(attack_run: dict) -> None:
    report = (attack_run["out"] / "report.html").read_text()
    for layer in attack_run["layers"] + attack_run["missing"]:
        assert layer in report, f"report.html does not list '{layer}'"
    if not attack_run["missing"]:
        assert "missing:" not in report


def test_honest_students_get_full_marks(attack_run: dict) -> None:
    for student in ("aa_honest", "zz_classmate"):
        graded = scores(attack_run["out"], student)
        assert all(score == top for _, score, top in graded.values()), (student, graded)


@pytest.mark.parametrize(("mode", "attack"), [(m, a) for m in MODES for a in attacks_for(m)],
                         ids=[f"{m}-{a.stem}" for m in MODES for a in attacks_for(m)])
def test_attack_gains_nothing(mode: str, attack: Path) -> None:
    attack_run = run_attacks(mode)
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
    if attack.stem in SCORE_BLIND.get(attack_run["mode"], set()):
        return  # the other functions were checked above; the harm is checked directly
    for function, points in lost.items():
        if function != "*" and any(f == function for f, _, _ in honest.values()):
            assert points > 0, f"the attack on {function} lost no points"


def test_no_process_outlives_grading(attack_run: dict) -> None:
    assert attack_run["leftovers"] == []
    assert attack_run["user_procs"] == []


def test_nothing_left_in_tmp(attack_run: dict) -> None:
    assert attack_run["left_in_tmp"] == []


def test_classmate_untouched(attack_run: dict) -> None:
    assert attack_run["classmate"].read_text() == attack_run["reference"]


def test_instructor_home_untouched(attack_run: dict) -> None:
    assert not attack_run["bashrc_changed"]


def test_nothing_reaches_the_listening_port(attack_run: dict) -> None:
    assert attack_run["listener"].received == []


def test_the_test_user_is_ordinary() -> None:
    """The unprivileged modes really run as someone who is not root."""
    user = ensure_test_user()
    assert user.pw_uid != 0 and grp.getgrgid(user.pw_gid).gr_name != "root"


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
