"""Hostile and unlucky inputs (issue 12): every file is read in bounded time and memory.

Each test generates its input (nothing large lives in the repository), runs the real command line
under resource limits (:mod:`.confined`) and asserts the one-line error or the counted, named
problem, the exit code, and that the run stayed within its limits. ``test_fuzz`` fuzzes the file
readers from the seed corpus in ``corpus/``.
"""
