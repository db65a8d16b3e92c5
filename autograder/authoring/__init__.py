"""Tools for course authors: lint an assignment, prove its checks by mutation.

``dlgrade lint``:
    lint.py           collection of the checks, the static pass, :func:`lint` (entry)
    full_pass.py      the reference in the sandbox and in its notebook; the template
    problems.py       a problem at ``file:line``, and the helpers that find the line

``dlgrade lint --prove``:
    prove.py          :func:`prove` (entry): the stages below, in order
    changes.py        which assignments changed since a git revision
    mutants.py        first-order mutants of a reference, inside its solution fences
    mutation_ops.py   the course's own cosmic-ray operators
    mutant_grading.py batches of mutants in subprocesses, a time limit per mutant
    mutant_worker.py  the subprocess: grades a batch with the engine, one line each
    prove_report.py   killed / equivalent / surviving, and the printed report
"""
