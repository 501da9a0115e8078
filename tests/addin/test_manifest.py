"""The add-in manifest: valid against Microsoft's XSDs, least permission, consistent URLs."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema

from outlook_networking.addin.manifest import (
    ADDIN_ID,
    DEFAULT_PORT,
    render_manifest,
    write_manifest,
)
from outlook_networking.errors import UsageError

REPO = Path(__file__).resolve().parents[2]
COMMITTED = REPO / "manifest" / "manifest.xml"
STATIC = REPO / "src" / "outlook_networking" / "addin" / "static"

NS = {
    "o": "http://schemas.microsoft.com/office/appforoffice/1.1",
    "v10": "http://schemas.microsoft.com/office/mailappversionoverrides",
    "v11": "http://schemas.microsoft.com/office/mailappversionoverrides/1.1",
    "bt": "http://schemas.microsoft.com/office/officeappbasictypes/1.0",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
XSI_TYPE = f"{{{NS['xsi']}}}type"


@pytest.fixture(scope="module")
def schema(shared_dir: Path) -> xmlschema.XMLSchema:
    # The main schema imports the basic types and both VersionOverrides schemas (1.0 imports 1.1),
    # so the nested 1.1 block is validated too, not skipped as "lax" content.
    xsd = shared_dir / "schemas" / "office-addin" / "OfficeAppManifestV1_1.xsd"
    return xmlschema.XMLSchema(xsd)


def problems(schema: xmlschema.XMLSchema, text: str) -> list[str]:
    """Schema errors plus the rules the XSD cannot express (it allows Permissions to be left out,
    which Outlook reads as Restricted: too little to read the sender)."""
    try:
        found = [error.reason or str(error) for error in schema.iter_errors(text)]
    except xmlschema.XMLSchemaException as exc:  # an xsi:type the schemas do not define
        found = [str(exc)]
    root = ET.fromstring(text)
    permissions = root.find("o:Permissions", NS)
    if permissions is None or permissions.text != "ReadItem":
        found.append("Permissions must be ReadItem")
    return found


def test_committed_manifest_is_the_generated_one() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == render_manifest(DEFAULT_PORT)


def test_committed_manifest_is_valid(schema: xmlschema.XMLSchema) -> None:
    assert problems(schema, COMMITTED.read_text(encoding="utf-8")) == []


SURFACES = [
    "MessageReadCommandSurface",
    "AppointmentAttendeeCommandSurface",  # a meeting the owner was invited to
    "AppointmentOrganizerCommandSurface",  # a meeting the owner organises (its compose form)
]


def test_manifest_asks_for_a_button_opening_the_pane_on_messages_and_meetings() -> None:
    root = ET.fromstring(render_manifest())
    assert root.get(XSI_TYPE) == "MailApp"
    assert root.findtext("o:Id", namespaces=NS) == ADDIN_ID
    assert root.findtext("o:Permissions", namespaces=NS) == "ReadItem"
    assert root.find("o:FormSettings/o:Form", NS).get(XSI_TYPE) == "ItemRead"  # type: ignore[union-attr]
    rules = root.findall("o:Rule/o:Rule", NS)
    assert [(r.get("ItemType"), r.get("FormType")) for r in rules] == [
        ("Message", "Read"),
        ("Appointment", "Read"),
    ]
    for prefix in ("v10", "v11"):
        points = root.findall(f".//{prefix}:ExtensionPoint", NS)
        assert [p.get(XSI_TYPE) for p in points] == SURFACES
        for point in points:
            action = point.find(f".//{prefix}:Action", NS)
            assert action is not None and action.get(XSI_TYPE) == "ShowTaskpane"
            assert action.findtext(f"{prefix}:SourceLocation", namespaces=NS) is not None
        controls = [c.get("id") for c in root.iter(f"{{{NS[prefix]}}}Control")]
        assert len(set(controls)) == len(SURFACES)
    pinned = root.findall(".//v11:ExtensionPoint", NS)
    assert [p.findtext(".//v11:SupportsPinning", namespaces=NS) for p in pinned] == [
        "true",
        None,
        None,
    ]
    assert root.find(".//v10:Action/v10:SupportsPinning", NS) is None


def test_every_resource_reference_resolves_in_its_block() -> None:
    root = ET.fromstring(render_manifest())
    blocks = [root.find("v10:VersionOverrides", NS), root.find(".//v11:VersionOverrides", NS)]
    for prefix, block in zip(("v10", "v11"), blocks, strict=True):
        assert block is not None
        resources = block.find(f"{prefix}:Resources", NS)
        assert resources is not None
        defined = {node.get("id") for node in resources.iter() if node.get("id")}
        hosts = block.find(f"{prefix}:Hosts", NS)
        assert hosts is not None
        used = {node.get("resid") for node in hosts.iter() if node.get("resid")}
        assert used and used <= defined, used - defined


@pytest.mark.parametrize("port", [443, 50123, 65535])
def test_manifest_for_another_port_is_valid_and_points_there(
    schema: xmlschema.XMLSchema, tmp_path: Path, port: int
) -> None:
    path = write_manifest(tmp_path / "manifest.xml", port=port)
    text = path.read_text(encoding="utf-8")
    assert problems(schema, text) == []
    urls = re.findall(r'DefaultValue="(https?://[^"]+)"', text)
    assert len(urls) >= 8
    assert all(url.startswith(f"https://127.0.0.1:{port}/") for url in urls), urls
    assert str(DEFAULT_PORT) not in text


def test_every_url_names_a_file_the_server_serves() -> None:
    paths = set(re.findall(r"https://127\.0\.0\.1:\d+/([\w.-]+)", render_manifest()))
    assert {"taskpane.html", "icon-16.png", "icon-32.png", "icon-80.png"} <= paths
    missing = [name for name in paths if not (STATIC / name).is_file()]
    assert missing == []


@pytest.mark.parametrize("port", [0, -1, 65536])
def test_port_out_of_range_is_refused(port: int) -> None:
    with pytest.raises(UsageError):
        render_manifest(port)


GOOD = render_manifest()
BROKEN = {
    "wrong xsi:type": GOOD.replace('xsi:type="MailApp"', 'xsi:type="TaskPaneApp"', 1),
    "missing Permissions": GOOD.replace("  <Permissions>ReadItem</Permissions>\n", ""),
    "unknown permission": GOOD.replace(">ReadItem<", ">ReadEverything<"),
    "broader permission": GOOD.replace(">ReadItem<", ">ReadWriteMailbox<"),
    "missing activation rule": re.sub(r"  <Rule xsi:type=\"RuleCollection\".*?\n  </Rule>\n", "",
                                      GOOD, flags=re.S),
    "id is no GUID": GOOD.replace(ADDIN_ID, "outlook-networking"),
    "pinning in the 1.0 block": GOOD.replace(
        '<SourceLocation resid="TaskpaneUrl"/>\n                  </Action>',
        '<SourceLocation resid="TaskpaneUrl"/>\n'
        "                  <SupportsPinning>true</SupportsPinning>\n                  </Action>",
        1,
    ),
    "bad value in the nested 1.1 block": GOOD.replace(
        "<SupportsPinning>true</SupportsPinning>", "<SupportsPinning>yes</SupportsPinning>"
    ),
    "no desktop settings": GOOD.replace("<DesktopSettings>", "<Settings>").replace(
        "</DesktopSettings>", "</Settings>"
    ),
    "misspelt appointment surface": GOOD.replace(
        '"AppointmentAttendeeCommandSurface"', '"AppointmentAttendeeSurface"', 1
    ),
    "appointment rule without a form type": GOOD.replace(
        ' ItemType="Appointment" FormType="Read"', ' ItemType="Appointment"'
    ),
    "unknown item type": GOOD.replace('ItemType="Appointment"', 'ItemType="Meeting"'),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_copies_are_refused(schema: xmlschema.XMLSchema, name: str) -> None:
    broken = BROKEN[name]
    assert broken != GOOD, "the breakage did not apply"
    assert problems(schema, broken) != []


def test_every_text_outlook_shows_has_its_german_form() -> None:
    """DisplayName, Description and every resource string carry an Override for de-DE, the
    German catalog's translation of the default value (Outlook shows it to German users)."""
    from outlook_networking.i18n import Wording

    german = Wording("de")
    root = ET.fromstring(render_manifest(DEFAULT_PORT))
    texts = [root.find("o:DisplayName", NS), root.find("o:Description", NS)]
    texts += root.findall(".//bt:ShortStrings/bt:String", NS)
    texts += root.findall(".//bt:LongStrings/bt:String", NS)
    assert len(texts) == 2 + 2 * 4  # both VersionOverrides blocks: two short, two long strings
    for text in texts:
        assert text is not None
        overrides = [o for o in text if o.tag.endswith("}Override")]
        assert [o.get("Locale") for o in overrides] == ["de-DE"], text.get("DefaultValue")
        default = text.get("DefaultValue", "")
        assert overrides[0].get("Value") == german.gettext(default)
    description = root.find("o:Description", NS)
    assert description is not None
    assert "Besprechung" in description[0].get("Value", "")
