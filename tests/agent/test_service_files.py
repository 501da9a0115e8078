"""The service files in scripts/ parse and start the agent the way docs/agent.md says."""

from __future__ import annotations

import configparser
import plistlib
import xml.etree.ElementTree as ET
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
TASK_NS = {"t": "http://schemas.microsoft.com/windows/2004/02/mit/task"}


def test_systemd_user_unit() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(SCRIPTS / "systemd" / "outlook-networking.service", encoding="utf-8")
    service = unit["Service"]
    assert service["ExecStart"].split()[-1] == "agent"
    assert service["KillSignal"] == "SIGTERM" and service["Restart"] == "on-failure"
    assert service["RestartPreventExitStatus"] == "2"  # a bad config is not retried forever
    assert unit["Install"]["WantedBy"] == "default.target"  # a user unit, not a system one


def test_launchd_agent() -> None:
    with (SCRIPTS / "launchd" / "com.outlook-networking.agent.plist").open("rb") as handle:
        plist = plistlib.load(handle)
    assert plist["Label"] == "com.outlook-networking.agent"
    assert plist["ProgramArguments"][-1] == "agent"
    assert plist["RunAtLoad"] is True and plist["KeepAlive"] == {"SuccessfulExit": False}


def test_windows_task() -> None:
    root = ET.parse(SCRIPTS / "windows" / "outlook-networking-agent.xml").getroot()
    assert root.tag == f"{{{TASK_NS['t']}}}Task"
    arguments = root.findtext("t:Actions/t:Exec/t:Arguments", namespaces=TASK_NS)
    assert arguments == "-m outlook_networking agent"
    assert root.find("t:Triggers/t:LogonTrigger", TASK_NS) is not None
    settings = root.find("t:Settings", TASK_NS)
    assert settings is not None
    assert settings.findtext("t:MultipleInstancesPolicy", namespaces=TASK_NS) == "IgnoreNew"
    assert settings.findtext("t:ExecutionTimeLimit", namespaces=TASK_NS) == "PT0S"
