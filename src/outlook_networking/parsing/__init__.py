"""Parsing shared by the file sources and the connectors: addresses, header blocks, noise, dates.

- :mod:`.addresses`: normalising e-mail addresses and parsing address lists.
- :mod:`.headers`: one message's header block into an ``Interaction``.
- :mod:`.noise`: is a message personal, or bulk, list or automated mail?
- :mod:`.dates`: birthdays and anniversaries as address books and Exchange write them.
"""
