"""Fixtures for the agent tests: configs, in-memory connections, a log directory."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from outlook_networking.config import Config, config_from_mapping
from outlook_networking.connectors.memory import MemoryMailbox, MemorySink, MemorySource
from outlook_networking.ports import Sink, Source

from .world import build_world, load_memory


@dataclass
class MemoryConnection:
    source: Source
    sink: Sink


def memory_connection(box: MemoryMailbox, name: str = "memory", page: int = 40
                      ) -> MemoryConnection:
    return MemoryConnection(MemorySource(box, name, page_size=page), MemorySink(box, name))


def make_config(*names: str, **account: Any) -> Config:
    accounts = [
        {"name": n, "address": "me@example.com", "connector": "graph", **account} for n in names
    ]
    return config_from_mapping({"accounts": accounts})


@pytest.fixture()
def world_box() -> MemoryMailbox:
    box = MemoryMailbox()
    load_memory(box, build_world())
    return box


@pytest.fixture()
def log_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "logs"
    monkeypatch.setenv("OUTLOOK_NETWORKING_LOG_DIR", str(path))
    yield path
