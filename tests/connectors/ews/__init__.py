"""Tests of the EWS connector against the loopback EWS test server."""
