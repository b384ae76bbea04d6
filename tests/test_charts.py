"""Harvest charts are pure functions: check the figures' data, and that user text is escaped."""

import pytest

from facilitation.adapters import charts
from facilitation.services import cafes, harvest
from tests.conftest import add_idea, make_cafe
from tests.fakes import KeywordGrouper


@pytest.fixture
def harvest_view(sqlite_store):
    cafe, rounds = make_cafe(sqlite_store)
    texts = ["<b>Chauffage</b> froid", "Chauffage cher", "Ascenseur <img src=x>", "Ascenseur lent", "Jardin"]
    for i, text in enumerate(texts):
        if i == 3:
            cafes.open_round(sqlite_store, cafe.id, rounds[1].id)
        add_idea(sqlite_store, cafe, text, table=1 + i % 2)
    scope = harvest.scope_of([cafe.id])
    grouper = KeywordGrouper(["chauffage", "ascenseur", "jardin"])
    harvest.run_harvest(sqlite_store, grouper, scope)
    version = harvest.latest_version(sqlite_store, scope)
    harvest.rename_topic(sqlite_store, scope, version.topics[0].key, "<i>Se chauffer</i>")
    return harvest.harvest_view(sqlite_store, scope)


def test_topic_sizes_shows_contributions_and_supports(harvest_view):
    figure = charts.topic_sizes(harvest_view)
    sizes = dict(zip(figure.data[0].y, figure.data[0].x, strict=True))
    assert sizes == {"&lt;i&gt;Se chauffer&lt;/i&gt;": 2, "Ascenseur": 2, "Jardin": 1}
    assert figure.data[1].name == "Soutiens"


def test_heatmaps_count_by_table_and_round(harvest_view):
    by_table = charts.topic_by_table(harvest_view)
    assert list(by_table.data[0].x) == ["Table 1 — Table des 1", "Table 2 — Table des 2"]
    assert sum(map(sum, by_table.data[0].z)) == 5
    by_round = charts.topic_by_round(harvest_view)
    assert list(by_round.data[0].x) == ["Tour 1", "Tour 2"]
    ascenseur = list(by_round.data[0].y).index("Ascenseur")
    assert list(by_round.data[0].z[ascenseur]) == [1, 1]


def test_map_hover_text_is_escaped(harvest_view):
    figure = charts.contribution_map(harvest_view)
    hover = [text for trace in figure.data for text in trace.text]
    assert len(hover) == 5
    assert "&lt;b&gt;Chauffage&lt;/b&gt; froid" in hover and "Ascenseur &lt;img src=x&gt;" in hover
    assert not any("<b>" in text or "<img" in text for text in hover)


def test_evolution_has_one_line_per_topic(harvest_view):
    figure = charts.topics_over_time(harvest_view)
    assert len(figure.data) == 3 and all(len(trace.x) == 1 for trace in figure.data)
