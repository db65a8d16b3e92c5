"""The trusted side of a grading run, in run order (see docs/architecture.md).

Modules, in the order data flows through them (``dlgrade grade``):

* ``engine``: discover submissions, reuse the gradebook, pick a backend, write reports;
  ``late`` (late policy), ``runlock`` (one run per OUT), ``interrupt`` (Ctrl-C),
  ``limits_probe`` (limits too small for numpy are the instructor's error);
* ``backend``: the ``Backend`` protocol the engine grades with;
* ``pool`` (grading processes on this machine) or ``dask_client`` (on a Dask cluster;
  ``dask_bundle`` is the course sent with each task, ``dask_backend`` the worker side,
  ``dask_logs`` silences the client's logs);
* ``gradeproc_client``: the one client of a grading process (JSON lines);
* ``gradeproc``: the grading process itself, serving one ``session``;
* ``session``: one pytest session and one sandbox zygote for a stream of submissions;
* ``collection``: check files -> pytest items -> ``CheckSpec`` (also used by
  ``dlgrade lint`` and ``dlgrade nbgrader init``);
* ``plugin``: runs every collected check against each submission;
  ``diagnosis`` names known mistakes;
* ``student``: the ``student`` object checks call, forwarding to the sandbox
  (``unsafe``: in-process, for trusted code only).
"""
