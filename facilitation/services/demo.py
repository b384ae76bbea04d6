"""A realistic demo café in progress, built through the real use cases."""

from __future__ import annotations

import csv
import random
from dataclasses import replace
from datetime import datetime, timedelta
from importlib import resources

from facilitation.domain.access import new_id
from facilitation.domain.agreement import Choice, Tally, captain_voter
from facilitation.domain.model import Cafe, Contribution, Source
from facilitation.services import cafes
from facilitation.services.contributions import Submission, submit_contribution, supporter_key
from facilitation.services.ports import UnitOfWork

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


# How the demo's rooms lean on each subject, so that a new user sees every label at once: shared by
# every table, divided, uncertain, carried by one table against the others.
DEMO_LEANINGS = {
    "chauffage": (0.85, 0.1),
    "ascenseur": (0.8, 0.1),
    "proprete": (0.7, 0.15),
    "espaces_verts": (0.75, 0.1),
    "securite": (0.45, 0.45),
    "lien_social": (0.8, 0.1),
    "numerique": (0.1, 0.1),  # mostly « je ne sais pas »
    "mobilite": None,  # carried by table 1
}


def _opinion(rng: random.Random, topic: str, table: int) -> Choice:
    """One resident's answer on a demo idea of `topic`, heard at `table`."""
    leaning = DEMO_LEANINGS.get(topic, (0.6, 0.2))
    agree, disagree = leaning if leaning is not None else ((0.9, 0.05) if table == 1 else (0.05, 0.9))
    draw = rng.random()
    return Choice.AGREE if draw < agree else Choice.DISAGREE if draw < agree + disagree else Choice.UNSURE


def _demo_votes(
    uow: UnitOfWork,
    rng: random.Random,
    cafe: Cafe,
    contribution: Contribution,
    topic: str,
    table: int,
    supporters: list[str],
    now: datetime,
) -> None:
    """Phones' votes (the demo's supports are their « d'accord ») and, at some tables, a show of hands."""
    for phone in supporters:
        uow.contributions.set_vote(cafe.id, contribution.id, phone, table, Tally.of(Choice.AGREE), now)
    for phone in range(len(supporters), len(supporters) + rng.choice([0, 1, 2])):
        choice = _opinion(rng, topic, table)
        if choice is Choice.AGREE:
            continue  # a « d'accord » from a phone is also a support: the demo's are counted above
        voter = supporter_key(cafe.id, f"demo-phone-{phone}")
        uow.contributions.set_vote(cafe.id, contribution.id, voter, table, Tally.of(choice), now)
    if contribution.source is Source.CAPTAIN and rng.random() < 0.8:
        hands = Tally()
        for _ in range(rng.randint(5, 8)):
            hands = hands + Tally.of(_opinion(rng, topic, table))
        uow.contributions.set_vote(cafe.id, contribution.id, captain_voter(table), table, hands, now)


# How many ideas of rounds 2 and 3 prolong one heard at another table, and how many questions are
# marked as emerging: enough for the harvest's chart of paths and the synthesis' lists.
DEMO_PATHS_PER_ROUND = 3
DEMO_MARKED_QUESTIONS = 2


def _demo_travel(uow: UnitOfWork, made: list[tuple[Contribution, str, int, int]]) -> None:
    """Ideas that travelled (one of an earlier round, same subject, another table) and questions
    that emerged, on contributions already stored: `made` is (contribution, topic, table, round)."""
    for round_index in (1, 2):
        linked = 0
        for contribution, topic, table, _ in (m for m in made if m[3] == round_index):
            origin = next((c for c, t, n, r in made if r < round_index and t == topic and n != table), None)
            if origin is None or linked >= DEMO_PATHS_PER_ROUND:
                continue
            uow.contributions.update(replace(contribution, builds_on=origin.id))
            linked += 1
    questions = [c for c, _, _, r in made if r < 2 and c.text.rstrip().endswith("?")]
    questions = questions or [c for c, _, _, r in made if r == 1]
    for contribution in questions[:DEMO_MARKED_QUESTIONS]:
        current = uow.contributions.get(contribution.id) or contribution
        uow.contributions.update(replace(current, emerging_question=True))


def resident_ideas() -> list[dict[str, str]]:
    """The bundled French resident-style contributions, each labelled with its topic."""
    text = resources.files("facilitation.data").joinpath("resident_ideas_fr.csv").read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def create_demo_cafe(uow: UnitOfWork, *, max_chars: int = 2000, now: datetime | None = None) -> Cafe:
    """A café of 3 rounds × 4 tables, ~120 contributions; rounds 1–2 closed, round 3 open."""
    now = now or uow.clock()
    rng = random.Random(2026)
    opinions = random.Random(22)  # its own draws: the demo's contributions stay those of before
    with uow:  # the demo café appears whole, or not at all
        cafe = cafes.create_cafe(
            uow,
            cafes.CafeDetails(
                title="Café concertation — Bien vivre aux Tilleuls",
                held_on=now.date(),
                theme="mieux-vivre ensemble",
                residence="Résidence Les Tilleuls",
                quartier="Quartier des Pentes",
                commune="Villeurbanne",
                description="Venez dire ce qui compte pour vous dans la résidence : vos idées seront "
                "étudiées par l'Atelier d'innovation.",
            ),
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
        made: list[tuple[Contribution, str, int, int]] = []
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
                    submission=Submission(
                        text=idea["text"],
                        submission_id=new_id(),
                        max_chars=max_chars,
                        kind=None if from_phone else idea["kind"],
                        profile=None if from_phone else idea["profile"],
                        agreement_count=None if from_phone else rng.choice([None, 1, 2, 3, 4, 6]),
                    ),
                    source=Source.RESIDENT if from_phone else Source.CAPTAIN,
                    now=opened + timedelta(seconds=20 * position + 5),
                )
                supporters = [
                    supporter_key(cafe.id, f"demo-phone-{phone}")
                    for phone in range(rng.choice([0, 0, 1, 2, 3]))
                ]
                voted_at = opened + timedelta(seconds=20 * position + 60)
                for supporter in supporters:
                    uow.contributions.add_support(result.contribution.id, supporter, voted_at)
                table = DEMO_TABLES[position % len(DEMO_TABLES)][0]
                made.append((result.contribution, idea["topic"], table, index))
                _demo_votes(
                    uow, opinions, cafe, result.contribution, idea["topic"], table, supporters, voted_at
                )
            if index < len(rounds) - 1:
                cafes.close_round(uow, cafe.id, round_.id, now=opened + timedelta(minutes=20))
        _demo_travel(uow, made)
    return cafe
