"""The check runtime: the code that runs one check, shared by every place checks run.

The grader's pytest plugin imports these modules; the student template's
``conftest.py``, the notebook API (:mod:`autograder.notebook`) and nbgrader's
setup cell use the very same files, copied verbatim by ``dlgrade generate`` and
``dlgrade nbgrader init``. So they are self-contained: stdlib and numpy only,
no import of ``autograder``.

* ``checkrun.py``: check ids, input seeding, fixtures, the in-process
  ``student`` proxy, call-error messages and outcome classification;
* ``collect.py``: finds the checks of check files without pytest's collector;
* ``template_conftest.py``: the student template's ``conftest.py``;
* ``nbsetup.py``: the body of nbgrader's read-only setup cell.
"""
