"""User configurations (GetUserConfiguration and friends): the master category list lives here.

Exchange keeps named configuration objects per folder (``CategoryList`` on the calendar) with
optional Dictionary, XmlData and BinaryData parts; these handlers store and return them as sent.

Exports: ``get_user_configuration``, ``create_user_configuration``,
``update_user_configuration``, ``delete_user_configuration``.
"""

from __future__ import annotations

import base64
import copy

from lxml import etree

from .mailbox import Mailbox, UserConfig
from .replies import NOT_FOUND, ItemError, mm, resolve_folder, response, response_message, tm
from .xmlfields import sub


def _config_key(box: Mailbox, name_elem: etree._Element) -> tuple[tuple[str, str], str]:
    folder = resolve_folder(box, name_elem[0])
    name = name_elem.get("Name", "")
    return (folder.id, name), name


def get_user_configuration(box: Mailbox, req: etree._Element) -> etree._Element:
    root, messages = response("GetUserConfiguration")
    name_elem = req.find(mm("UserConfigurationName"))
    wanted = set((req.findtext(mm("UserConfigurationProperties")) or "All").split())
    try:
        key, name = _config_key(box, name_elem)
        config = box.user_configs.get(key)
        if config is None:
            raise ItemError("ErrorItemNotFound", NOT_FOUND)
    except ItemError as err:
        response_message(messages, "GetUserConfiguration", err)
        return root
    msg = response_message(messages, "GetUserConfiguration")
    out = etree.SubElement(msg, mm("UserConfiguration"))
    name_out = sub(out, "UserConfigurationName", Name=name)
    name_out.append(_copy(name_elem[0]))
    every = "All" in wanted
    if every or "Id" in wanted:
        sub(out, "ItemId", Id=config.id, ChangeKey=config.changekey)
    if (every or "Dictionary" in wanted) and config.dictionary is not None:
        out.append(_copy(config.dictionary))
    if (every or "XmlData" in wanted) and config.xml_data is not None:
        sub(out, "XmlData", base64.b64encode(config.xml_data).decode())
    if (every or "BinaryData" in wanted) and config.binary_data is not None:
        sub(out, "BinaryData", base64.b64encode(config.binary_data).decode())
    return root


def _copy(elem: etree._Element) -> etree._Element:
    return copy.deepcopy(elem)


def _store_config(box: Mailbox, config_elem: etree._Element, config: UserConfig) -> None:
    xml = config_elem.findtext(tm("XmlData"))
    binary = config_elem.findtext(tm("BinaryData"))
    dictionary = config_elem.find(tm("Dictionary"))
    if xml is not None:
        config.xml_data = base64.b64decode(xml)
    if binary is not None:
        config.binary_data = base64.b64decode(binary)
    if dictionary is not None:
        config.dictionary = _copy(dictionary)
    config.changekey = box.new_changekey()


def create_user_configuration(box: Mailbox, req: etree._Element) -> etree._Element:
    root, messages = response("CreateUserConfiguration")
    config_elem = req.find(mm("UserConfiguration"))
    try:
        with box.lock:
            key, name = _config_key(box, config_elem.find(tm("UserConfigurationName")))
            if key in box.user_configs:
                raise ItemError("ErrorItemSave", "A configuration object with that name exists.")
            config = UserConfig(id=box._new_id("C"), changekey="", name=name, folder_id=key[0])
            _store_config(box, config_elem, config)
            box.user_configs[key] = config
    except ItemError as err:
        response_message(messages, "CreateUserConfiguration", err)
        return root
    response_message(messages, "CreateUserConfiguration")
    return root


def update_user_configuration(box: Mailbox, req: etree._Element) -> etree._Element:
    root, messages = response("UpdateUserConfiguration")
    config_elem = req.find(mm("UserConfiguration"))
    try:
        with box.lock:
            key, _ = _config_key(box, config_elem.find(tm("UserConfigurationName")))
            config = box.user_configs.get(key)
            if config is None:
                raise ItemError("ErrorItemNotFound", NOT_FOUND)
            _store_config(box, config_elem, config)
    except ItemError as err:
        response_message(messages, "UpdateUserConfiguration", err)
        return root
    response_message(messages, "UpdateUserConfiguration")
    return root


def delete_user_configuration(box: Mailbox, req: etree._Element) -> etree._Element:
    root, messages = response("DeleteUserConfiguration")
    try:
        with box.lock:
            key, _ = _config_key(box, req.find(mm("UserConfigurationName")))
            if box.user_configs.pop(key, None) is None:
                raise ItemError("ErrorItemNotFound", NOT_FOUND)
    except ItemError as err:
        response_message(messages, "DeleteUserConfiguration", err)
        return root
    response_message(messages, "DeleteUserConfiguration")
    return root


def convert_id(box: Mailbox, req: etree._Element) -> etree._Element:
    """Only what version probing needs: every id is reported malformed, the header does the rest."""
    del box
    root, messages = response("ConvertId")
    for _ in req.find(mm("SourceIds")):
        response_message(
            messages, "ConvertId", ItemError("ErrorInvalidIdMalformed", "Id is malformed.")
        )
    return root
