"""TLP 2.0 in every format: STIX marking-definition objects, MISP ``tlp:`` tags, distribution.

The STIX objects are the ones OASIS publishes for TLP 2.0 (cti-stix-common-objects,
``extension-definition-specifications/tlp-2.0``): fixed ids, ``created`` 2022-10-01 and the
property extension ``extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d``. The ``stix2``
library only ships TLP 1.0 constants (WHITE, GREEN, AMBER, RED); importing understands those too
(WHITE is CLEAR), and MISP's ``tlp:white`` and ``tlp:ex:…`` spellings.
"""

from __future__ import annotations

from typing import Any, Final

__all__ = [
    "MISP_DISTRIBUTION",
    "TLP2_EXTENSION",
    "TLP2_IDS",
    "marking_from_misp_tags",
    "marking_from_stix",
    "misp_tag",
    "tlp2_definition",
]

TLP2_EXTENSION: Final = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP2_IDS: Final = {
    "clear": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "amber": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "amber+strict": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "red": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
TLP1_IDS: Final = {
    # stix2.v21.TLP_WHITE/GREEN/AMBER/RED (STIX 2.1 §7.2.1.4)
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": "clear",
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": "green",
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": "amber",
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": "red",
}
_BY_ID: Final = {**{v: k for k, v in TLP2_IDS.items()}, **TLP1_IDS}
_TLP_WORDS: Final = {
    "clear": "clear",
    "white": "clear",
    "green": "green",
    "amber": "amber",
    "amber+strict": "amber+strict",
    "amber-strict": "amber+strict",
    "red": "red",
}

MISP_DISTRIBUTION: Final = {
    # MISP distribution levels: 0 your organisation only, 1 this community only,
    # 2 connected communities, 3 all communities. The recipient's MISP keeps AMBER inside the
    # recipient's organisation (TLP:AMBER = the organisation and its clients).
    "clear": 3,
    "green": 1,
    "amber": 0,
}


def tlp2_definition(marking: str) -> dict[str, Any]:
    """The OASIS TLP 2.0 marking-definition object of ``marking``."""
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": TLP2_IDS[marking],
        "created": "2022-10-01T00:00:00.000Z",
        "name": f"TLP:{marking.upper()}",
        "extensions": {
            TLP2_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": marking}
        },
    }


def marking_from_stix(definition: dict[str, Any]) -> str | None:
    """The TLP level a marking-definition object states, or None when it is not TLP."""
    known = _BY_ID.get(str(definition.get("id", "")))
    if known is not None:
        return known
    ext = definition.get("extensions")
    if isinstance(ext, dict) and isinstance(ext.get(TLP2_EXTENSION), dict):
        word = str(ext[TLP2_EXTENSION].get("tlp_2_0", "")).lower()
        if word in _TLP_WORDS:
            return _TLP_WORDS[word]
    if definition.get("definition_type") == "tlp" and isinstance(
        definition.get("definition"), dict
    ):
        word = str(definition["definition"].get("tlp", "")).lower()
        return _TLP_WORDS.get(word)
    name = str(definition.get("name", "")).lower()
    if name.startswith("tlp:"):
        return _TLP_WORDS.get(name[4:])
    return None


def marking_of_ref(ref: str) -> str | None:
    """The TLP level of a well-known marking-definition id (TLP 1.0 or 2.0)."""
    return _BY_ID.get(ref)


def misp_tag(marking: str) -> str:
    return f"tlp:{marking}"


def marking_from_misp_tags(names: list[str]) -> str | None:
    """The most restrictive TLP level among MISP tag names, or None when none is TLP."""
    from tocsin.share.model import most_restrictive

    found = []
    for name in names:
        lowered = name.strip().lower()
        if lowered.startswith("tlp:"):
            word = lowered[4:].strip('"')
            if word.startswith("ex:"):
                continue  # tlp:ex:chr and friends are extensions, not levels
            if word in _TLP_WORDS:
                found.append(_TLP_WORDS[word])
    return most_restrictive(found) if found else None
