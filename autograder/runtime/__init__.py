"""The check runtime: the code that runs one check, shared by every place checks run.

The grader's pytest plugin imports these modules; the student template's
``conftest.py``, the notebook API (:mod:`autograder.notebook`) and nbgrader's
setup cell use the very same files, copied verbatim by ``dlgrade generate`` and
``dlgrade nbgrader init``. So they are self-contained: stdlib and numpy only,
no import of ``autograder``.

* ``checkrun.py``: check ids, input seeding, fixtures, the in-process
  ``student`` proxy, call-error messages and outcome classification;
* ``lightrun.py``: reads and runs check files without pytest (pytest's ids,
  with ``standin.py``: a stand-in for ``import pytest`` and the fallback
  signal :class:`NeedsPytest`),
  for ``dlgrade check`` and the notebook's ``check()``; it runs each check
  with ``checkrun`` and is never copied (both users import dlgrade), so it
  is the one file here that imports ``autograder.runtime.checkrun``;
* ``template_conftest.py``: the student template's ``conftest.py``;
* ``nbsetup.py``: the body of nbgrader's read-only setup cell.
"""
