"""Hostile input and hostile hosts (issue 12): attacks and unlucky inputs, one test per item.

The file-reader tests (``test_calendars``, ``test_cards``, ``test_mail``, ``test_folders``)
generate their input (nothing large lives in the repository), run the real command line under
resource limits (:mod:`.confined`) and assert the one-line error or the counted, named problem,
the exit code, and that the run stayed within its limits; ``test_fuzz`` fuzzes the file readers
from the seed corpus in ``corpus/``.
"""
