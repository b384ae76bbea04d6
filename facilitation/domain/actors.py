"""Who acts: the names the audit log and the harvest's versions give the people and programs that act."""

from __future__ import annotations

import re

ORGANISER = "organisateur"
# Reads the library, downloads, writes field fiches, photos and comments; changes nothing else.
MARKETING = "équipe marketing"
COMMAND_LINE = "ligne de commande"
SYSTEM = "système"  # the server itself (at start), or a thread where nobody was set
_TABLE_ACTOR = re.compile(r"(capitaine|lien habitant), table [1-9][0-9]{0,2}")


def captain(table_number: int) -> str:
    """« capitaine, table N »."""
    return f"capitaine, table {table_number}"


def resident_link(table_number: int) -> str:
    """« lien habitant, table N »: a phone that joined by the table's link."""
    return f"lien habitant, table {table_number}"


def known_actor(actor: str) -> bool:
    """True for an actor the app names: a staff role, the command line, the system, a table."""
    return actor in (ORGANISER, MARKETING, COMMAND_LINE, SYSTEM) or bool(_TABLE_ACTOR.fullmatch(actor))
