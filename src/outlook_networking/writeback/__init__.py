"""Writing the network back into the mailbox, planned: desired state in, actions out.

The planner (:mod:`.plan`) is pure. Running a plan against a mailbox, with the journal that makes
it undoable, is the application layer's (:mod:`outlook_networking.app.pipeline`).
"""
