"""The application layer: what the command line, the agent and the add-in do, done once.

- :mod:`.workspace`: the store, the configuration and ``now`` of one run.
- :mod:`.analysis`: the store analysed (the network and the give-and-take ledger).
- :mod:`.connect`: from a configured account to its source and sink.
- :mod:`.pipeline`: sync, ingest, plan, apply and undo.
- :mod:`.cards`: a person's card (``contact``, the add-in, ``brief``) and the owner's notes.
- :mod:`.brief`: the day's meetings with their people, and the morning brief's task.
"""
