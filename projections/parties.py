"""Blind indexes of the parties: find a repeat claimant by ID number, name or phone without decrypting.

The sealed ``person`` records carry keyed HMACs of their ID number, name and phone (computed by the
vault when the data was sealed). This view copies those digests with the case and party they belong
to; erasing a person removes their rows, so an erased person cannot even be found.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Column, Connection, Index, MetaData, String, Table, select

from domain.dispute import Dispute
from projections.base import Projection, ViewTables, topics_of
from projections.bulk import delete_rows, upsert
from projections.reading import open_view

metadata = MetaData()
party_blind_index = Table(
    "party_blind_index",
    metadata,
    Column("dispute_id", String(36), primary_key=True),
    Column("party_id", String(32), primary_key=True),
    Column("field", String(16), primary_key=True),
    Column("digest", String(64), nullable=False),
    Index("ix_party_blind_index_digest", "field", "digest"),
)

SEARCHABLE = ("id_number", "name", "phone")


def _digests(party: dict[str, Any]) -> list[tuple[str, str]]:
    person = party.get("person") or {}
    index = person.get("index") if isinstance(person, dict) else None
    return [(field, digest) for field, digest in (index or {}).items() if field in SEARCHABLE]


class PartyIndexView(Projection):
    name = "party_index"
    version = 1
    metadata = metadata
    topics = topics_of(Dispute.Registered, Dispute.PartyAdded, Dispute.PersonalDataErased)

    def process(self, connection: Connection, tables: ViewTables, events: Sequence[Any]) -> None:
        digests: dict[tuple[str, str, str], str] = {}
        erased: set[tuple[str, str]] = set()
        for event in events:
            dispute_id = str(event.originator_id)
            if isinstance(event, Dispute.PersonalDataErased):
                party = (dispute_id, event.party_id)
                erased.add(party)
                digests = {key: digest for key, digest in digests.items() if key[:2] != party}
                continue
            parties = [*event.claimants, *event.respondents] if isinstance(event, Dispute.Registered) else [event.party]
            for party in parties:
                digests.update(((dispute_id, party["party_id"], field), digest) for field, digest in _digests(party))
        key = ["dispute_id", "party_id"]
        # Erasures first: a party erased and then added again in the batch keeps its new rows.
        delete_rows(connection, tables.party_blind_index, sorted(erased), key=key)
        rows = [{"dispute_id": d, "party_id": p, "field": f, "digest": digest} for (d, p, f), digest in digests.items()]
        upsert(connection, tables.party_blind_index, rows, key=[*key, "field"], replace=["digest"])


def dispute_ids_for_party(connection: Connection, field: str, digest: str) -> list[str]:
    """The disputes where a party's ``field`` has this blind-index ``digest`` (inside ``engine.begin()``)."""
    if field not in SEARCHABLE:
        raise ValueError(f"{field}: searchable fields are {', '.join(SEARCHABLE)}")
    table = open_view(connection, PartyIndexView()).party_blind_index
    rows = connection.execute(
        select(table.c.dispute_id).where(table.c.field == field, table.c.digest == digest).distinct()
    ).all()
    return sorted(row.dispute_id for row in rows)
