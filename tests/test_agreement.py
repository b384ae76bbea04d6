"""Agreement labels against synthetic votes whose answer is known (thresholds at their edges)."""

from __future__ import annotations

import pytest

from facilitation.domain.agreement import (
    CONSENSUS_SHARE,
    MIN_VOTES,
    Choice,
    Label,
    Tally,
    assess,
    french_percent,
)


def _spread(agree: int, disagree: int, unsure: int, tables: int = 2) -> dict[int, Tally]:
    """The same opinions dealt round-robin over `tables` tables (no table stands apart)."""
    by_table = {n: Tally() for n in range(1, tables + 1)}
    votes = [Choice.AGREE] * agree + [Choice.DISAGREE] * disagree + [Choice.UNSURE] * unsure
    for index, choice in enumerate(votes):
        number = index % tables + 1
        by_table[number] = by_table[number] + Tally.of(choice)
    return by_table


@pytest.mark.parametrize(
    ("agree", "disagree", "unsure", "label", "side"),
    [
        (9, 0, 0, Label.TOO_FEW, None),  # one short of MIN_VOTES, however unanimous
        (10, 0, 0, Label.CONSENSUS, Choice.AGREE),  # exactly MIN_VOTES
        (6, 4, 0, Label.CONSENSUS, Choice.AGREE),  # exactly 60 %
        (5, 4, 1, Label.DIVIDED, None),  # 50 % agree
        (59, 41, 0, Label.DIVIDED, None),  # 59 %: just under
        (2, 6, 2, Label.CONSENSUS, Choice.DISAGREE),  # consensus against
        (4, 3, 3, Label.DIVIDED, None),  # exactly 30 % unsure is not « incertain »
        (4, 2, 4, Label.UNCERTAIN, None),  # 40 % unsure
        (7, 0, 4, Label.UNCERTAIN, None),  # 36 % unsure outranks a 64 % majority
        (5, 5, 0, Label.DIVIDED, None),
    ],
)
def test_label_at_the_thresholds(agree, disagree, unsure, label, side) -> None:
    result = assess(_spread(agree, disagree, unsure))
    assert result.label is label
    assert result.side is side
    assert result.tally == Tally(agree, disagree, unsure)


def test_thresholds_are_the_declared_ones() -> None:
    assert (MIN_VOTES, CONSENSUS_SHARE) == (10, 0.60)


def test_one_dissenting_table_breaks_a_consensus() -> None:
    # 7 tables all agree (5 of 6), table 8 is firmly against: 35 of 48 agree (73 %) overall.
    by_table = {n: Tally(agree=5, disagree=1) for n in range(1, 8)}
    by_table[8] = Tally(agree=0, disagree=6)
    result = assess(by_table)
    assert result.label is Label.DIVIDED
    assert result.dissenting_tables == [8]
    assert result.reach == "d'accord à 7 tables sur 8"


def test_a_table_with_too_few_opinions_cannot_veto() -> None:
    by_table = {n: Tally(agree=5, disagree=1) for n in range(1, 8)}
    by_table[8] = Tally(disagree=3)  # under TABLE_MIN_VOTES
    result = assess(by_table)
    assert result.label is Label.CONSENSUS and result.side is Choice.AGREE
    assert result.dissenting_tables == []


def test_reach_everywhere_versus_one_table() -> None:
    everywhere = assess({1: Tally(agree=4, disagree=1), 2: Tally(agree=3), 3: Tally(agree=4, unsure=1)})
    assert everywhere.reach == "d'accord à toutes les tables"
    carried = assess({1: Tally(agree=6), 2: Tally(disagree=3, agree=1), 3: Tally(unsure=2, disagree=2)})
    assert carried.reach == "porté par une table (table 1)"
    assert carried.agreeing_tables == [1]


def test_a_single_table_is_never_all_tables() -> None:
    assert assess({4: Tally(agree=12)}).reach == "porté par une table (table 4)"


def test_no_votes() -> None:
    result = assess({})
    assert result.label is Label.TOO_FEW
    assert result.reach == ""
    assert result.percent() == 0


def test_texts_in_french() -> None:
    result = assess(_spread(8, 2, 0))
    assert result.label_text == "consensus (d'accord)"
    assert result.counts_text() == "8 d'accord · 2 pas d'accord · 0 je ne sais pas"
    assert result.percent() == 80
    assert french_percent(62.5, 1) == "62,5\u202f%"


def test_a_phone_tally_knows_its_choice() -> None:
    for choice in Choice:
        assert Tally.of(choice).choice() is choice
    assert Tally(agree=3, disagree=1).choice() is None
