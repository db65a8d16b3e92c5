"""The portable sandbox's Python API on this machine: the worker's channel
(a stranger connecting first is refused), mode checks, a worker that cannot
start, what it says it does not protect, and that nothing is started early.
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import pytest

from autograder.course.assignment import load_assignment
from autograder.results import PASSED
from autograder.sandbox import launch
from autograder.course.limits import Limits
from autograder.errors import SandboxError
from autograder.sandbox import portable as portable_sandbox
from autograder.sandbox.portable import PortableZygote
from autograder.grading.session import run_session
from autograder.grading.student import SandboxRunner
from autograder.course.entry import read_entry

pytestmark = pytest.mark.slow


def test_a_stranger_connecting_first_is_not_taken_for_the_worker(reference_source: str) -> None:
    zygote = PortableZygote()
    worker = zygote.spawn(files={"neural_network.py": reference_source},
                          spec={"module": "neural_network", "kind": "py",
                                "entry": "neural_network.py"}, limits=Limits())
    try:
        port = worker._listener.getsockname()[1]  # type: ignore[union-attr]
        stranger = socket.create_connection(("127.0.0.1", port))
        stranger.sendall(b"0" * 32)  # a token of the right length, but not ours
        ready = worker.wait_ready()
        assert ready["op"] == "ready" and "relu" in ready["defined"]
        assert stranger.recv(1) == b""  # the stranger was hung up on
        reply = worker.call({"fn": "relu", "args": [[-1.0, 2.0]], "kwargs": {}},
                            lambda fn: None)
        assert reply["value"].tolist() == [0.0, 2.0]
        home = worker.home
        assert os.path.isdir(home)
    finally:
        zygote.close()
    assert not os.path.exists(home)  # the private copy is gone with the worker


def test_the_python_api_can_ask_for_the_portable_sandbox(repo: Path, tmp_path: Path,
                                                          reference_source: str) -> None:
    (tmp_path / "neural_network.py").write_text(reference_source)
    assignment = load_assignment(repo, "activations")
    sub = read_entry(tmp_path / "neural_network.py", entry="neural_network.py",
                     assignment="activations")
    results: list = []
    modes: list[str] = []
    run_session(assignment=assignment, submissions=[sub], emit=results.append, hidden=True,
                sandbox_mode="portable", on_ready=lambda specs, z: modes.append(z.mode))
    assert modes == ["portable"]
    assert results[0].status == "graded"
    assert all(c.outcome == PASSED for c in results[0].checks)  # hidden checks too


def test_a_worker_that_cannot_start_is_a_grader_error(monkeypatch, tmp_path: Path) -> None:
    # a broken installation: the worker's entry script is missing
    monkeypatch.setattr(portable_sandbox, "MAIN_PATH", str(tmp_path / "missing_main.py"))
    runner = SandboxRunner(PortableZygote(), files={"neural_network.py": "x = 1\n"},
                           spec={"module": "neural_network", "kind": "py",
                                 "entry": "neural_network.py"}, limits=Limits())
    with pytest.raises(SandboxError, match="the sandbox could not set up a worker: .*"
                       "missing_main.py"):
        runner.start()  # not "your file could not be loaded": not the student's fault


def test_modes_that_need_linux_are_refused_with_one_line(monkeypatch) -> None:
    with pytest.raises(SandboxError, match=r"^the 'namespaces' sandbox was asked for, but "
                       r"the portable one is forced \(unset DLGRADE_PORTABLE\)$"):
        PortableZygote(mode="namespaces")  # on this Linux machine
    monkeypatch.setattr(sys, "platform", "darwin")
    with pytest.raises(SandboxError, match=r"^the 'userns' sandbox needs Linux; on this "
                       r"system \(darwin\) only the portable sandbox runs$"):
        PortableZygote(mode="userns")


def test_it_reports_what_it_does_not_protect() -> None:
    zygote = PortableZygote()
    assert zygote.mode == "portable"
    assert "private temp working directory holding a copy of the file" in zygote.protections
    assert "no isolation of the network" in zygote.missing
    assert "no isolation of files: the code can read and write what you can" in zygote.missing


def test_start_early_starts_nothing_on_the_portable_path(monkeypatch) -> None:
    monkeypatch.setenv(launch.PORTABLE_ENV, "1")
    launch.start_early(job=9)
    assert (9, "auto") not in launch._STARTED
    monkeypatch.delenv(launch.PORTABLE_ENV)
    monkeypatch.setattr(sys, "platform", "darwin")
    assert launch.use_portable()  # off Linux, always
