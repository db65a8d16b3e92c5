"""options.py: every default of ``dlgrade grade`` in one place, read by the CLI."""

from __future__ import annotations

import inspect
import os

from click.testing import CliRunner

from autograder.cli import main
from autograder.course.limits import Limits
from autograder.grading import engine, pool
from autograder.options import DEFAULT_JOBS, GradeOptions
from autograder.sandbox import client
from autograder.sandbox.modes import SandboxMode


def test_jobs_has_one_default_the_number_of_cpus() -> None:
    assert DEFAULT_JOBS == (os.cpu_count() or 2)
    assert GradeOptions().jobs == DEFAULT_JOBS
    # the pool keeps its parameter, and its default is the same one
    assert inspect.signature(pool.LocalPool).parameters["jobs"].default == DEFAULT_JOBS


def test_the_library_and_the_engine_share_one_options_class() -> None:
    assert engine.GradeOptions is GradeOptions
    options = GradeOptions()
    assert (options.force, options.gradebook, options.overrides, options.late,
            options.sandbox, options.scheduler) == (False, None, {}, None, SandboxMode.AUTO, None)
    assert GradeOptions().overrides is not options.overrides  # no shared mutable default


def test_limits_live_in_the_course_model() -> None:
    assert client.Limits is Limits  # the sandbox client uses the course model's class
    assert (Limits().call_timeout, Limits().memory_mb) == (5.0, 1024)


def test_grade_help_shows_the_defaults_from_options_and_limits() -> None:
    text = " ".join(CliRunner().invoke(main, ["grade", "--help"]).output.split())
    assert GradeOptions.sandbox.value == "auto"
    assert "is not a security boundary. [default: auto]" in text
    assert "Grading processes to run in parallel [default: the number of CPUs]." in text
    assert f"twice that) [assignment: {Limits.call_timeout:g}]." in text
    assert "twice that) [assignment: 5]." in text
    assert f"process [assignment: {Limits.memory_mb}]." in text
