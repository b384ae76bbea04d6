"""A realistic demo café in progress, built through the real use cases."""

from __future__ import annotations

import csv
import random
from datetime import datetime, timedelta
from importlib import resources

from facilitation import cafes
from facilitation.access import new_id
from facilitation.contributions import submit_contribution, supporter_key
from facilitation.domain import Cafe, Source
from facilitation.storage.base import UnitOfWork

DEMO_QUESTIONS = (
    ("Qu'est-ce qui vous gêne au quotidien dans la résidence ?", 20),
    ("Quelles idées pour mieux vivre ensemble et s'entraider entre voisins ?", 20),
    ("Parmi ces idées, lesquelles tester en priorité, et avec qui ?", 25),
)
DEMO_TABLES = (
    (1, "Les Tilleuls", "Amina"),
    (2, "Les Platanes", "Bernard"),
    (3, "Les Érables", "Chloé"),
    (4, "Les Cèdres", "Djamel"),
)


def resident_ideas() -> list[dict[str, str]]:
    """The bundled French resident-style contributions, each labelled with its topic."""
    text = resources.files("facilitation.data").joinpath("resident_ideas_fr.csv").read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def create_demo_cafe(uow: UnitOfWork, *, max_chars: int = 2000, now: datetime | None = None) -> Cafe:
    """A café of 3 rounds × 4 tables, ~120 contributions; rounds 1–2 closed, round 3 open."""
    now = now or uow.clock()
    rng = random.Random(2026)
    with uow:  # the demo café appears whole, or not at all
        cafe = cafes.create_cafe(
            uow,
            title="Café concertation — Bien vivre aux Tilleuls",
            held_on=now.date(),
            theme="mieux-vivre ensemble",
            residence="Résidence Les Tilleuls",
            quartier="Quartier des Pentes",
            commune="Villeurbanne",
            description="Venez dire ce qui compte pour vous dans la résidence : vos idées seront "
            "étudiées par l'Atelier d'innovation.",
            now=now - timedelta(days=7),
        )
        for number, name, captain in DEMO_TABLES:
            cafes.add_table(uow, cafe.id, number=number, name=name, captain_name=captain)
        rounds = [
            cafes.add_round(uow, cafe.id, question=question, planned_minutes=minutes)
            for question, minutes in DEMO_QUESTIONS
        ]
        ideas = resident_ideas()
        rng.shuffle(ideas)
        per_round = len(ideas) // len(rounds)
        # Round 3 opened half an hour ago; every timestamp stays in the past.
        start = now - timedelta(minutes=75)
        for index, round_ in enumerate(rounds):
            opened = start + timedelta(minutes=22 * index)
            cafes.open_round(uow, cafe.id, round_.id, now=opened)
            batch = ideas[index * per_round : (index + 1) * per_round]
            for position, idea in enumerate(batch):
                from_phone = rng.random() < 0.3
                result = submit_contribution(
                    uow,
                    cafe_id=cafe.id,
                    table_number=DEMO_TABLES[position % len(DEMO_TABLES)][0],
                    text=idea["text"],
                    source=Source.RESIDENT if from_phone else Source.CAPTAIN,
                    submission_id=new_id(),
                    max_chars=max_chars,
                    kind=None if from_phone else idea["kind"],
                    profile=None if from_phone else idea["profile"],
                    agreement_count=None if from_phone else rng.choice([None, 1, 2, 3, 4, 6]),
                    now=opened + timedelta(seconds=20 * position + 5),
                )
                for phone in range(rng.choice([0, 0, 1, 2, 3])):
                    uow.contributions.add_support(
                        result.contribution.id,
                        supporter_key(cafe.id, f"demo-phone-{phone}"),
                        opened + timedelta(seconds=20 * position + 60),
                    )
            if index < len(rounds) - 1:
                cafes.close_round(uow, cafe.id, round_.id, now=opened + timedelta(minutes=20))
    return cafe
