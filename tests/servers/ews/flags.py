"""A message's follow-up flag (``t:Flag``) as Exchange 2013 and later keep it.

- A flag is ``FlagStatus`` (NotFlagged, Flagged, Complete) with optional ``StartDate``,
  ``DueDate`` and ``CompleteDate`` ("Flag", web-service-reference/flag: introduced in Exchange
  Server 2013).
- Which dates a request may set depends on the status ([MS-OXWSCORE] 2.2.4.23 FlagType): "If the
  FlagStatus element is set to Flagged, the CompleteDate element MUST not be set in the request,
  and the StartDate and DueDate elements MUST be set or unset in pair; if the FlagStatus element
  is set to Complete, the StartDate and DueDate elements MUST not be set in the request; if the
  FlagStatus element is set to NotFlagged, the CompleteDate, StartDate, and DueDate elements
  MUST not be set in the request. Otherwise, ErrorInvalidArgument ... will be returned."
- Dates come back in UTC with a ``Z``, like every date-time Exchange returns.
- A message that was never flagged, or whose flag was cleared, reads as ``NotFlagged`` with no
  dates: the test mailbox keeps no ``Flag`` field for it at all, so a cleared flag leaves the
  item exactly as it was before it was flagged.

Exports: ``set_flag``, ``default_flag``.
"""

from __future__ import annotations

from lxml import etree

from .replies import ItemError, tm
from .xmlfields import ews_datetime, parse_datetime, sub, t

_DATES = ("StartDate", "DueDate", "CompleteDate")
_ALLOWED = {
    "NotFlagged": frozenset(),
    "Flagged": frozenset({"StartDate", "DueDate"}),
    "Complete": frozenset({"CompleteDate"}),
}


def _invalid(why: str) -> ItemError:
    return ItemError("ErrorInvalidArgument", f"The flag is invalid: {why}.")


def set_flag(fields: dict[str, etree._Element], new: etree._Element) -> None:
    """Store ``new`` (a ``t:Flag`` from SetItemField) in an item's ``fields``, or refuse it."""
    status = new.findtext(tm("FlagStatus")) or ""
    if status not in _ALLOWED:
        raise _invalid(f"unknown status {status!r}")
    dates = {name: new.findtext(tm(name)) for name in _DATES if new.find(tm(name)) is not None}
    extra = set(dates) - _ALLOWED[status]
    if extra:
        raise _invalid(f"{status} takes no {sorted(extra)[0]}")
    if status == "Flagged" and len({"StartDate", "DueDate"} & set(dates)) == 1:
        raise _invalid("StartDate and DueDate go together")
    if status == "NotFlagged":
        fields.pop("Flag", None)
        return
    flag = t("Flag")
    sub(flag, "FlagStatus", status)
    for name in _DATES:
        if name in dates:
            try:
                sub(flag, name, ews_datetime(parse_datetime(dates[name] or "")))
            except ValueError:
                raise _invalid(f"{name} is not a date-time") from None
    fields["Flag"] = flag


def default_flag() -> etree._Element:
    """What a message without a flag reads as."""
    flag = t("Flag")
    sub(flag, "FlagStatus", "NotFlagged")
    return flag
