"""Test servers (EWS ...) that the project's connectors talk to over loopback."""
