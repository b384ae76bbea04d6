"""Ideas that travel and questions that emerge on the staff pages (AppTest): the captain links and
marks, the harvest page charts the paths, « Préparer » offers earlier cafés' questions (issue #23)."""

from __future__ import annotations

import json
from datetime import date

from facilitation.services import cafes, harvest
from tests.conftest import add_idea, committed, make_cafe
from tests.fakes import KeywordGrouper
from tests.pages.apptest import app, labelled
from tests.test_travel import mark_question


def test_a_captain_links_an_idea_to_one_heard_elsewhere_and_marks_a_question(store):
    cafe, rounds = make_cafe(store, tables=3)
    first = add_idea(store, cafe, "Un composteur partagé", table=1)
    add_idea(store, cafe, "Repeindre la cage d'escalier", table=3)
    cafes.open_round(store, cafe.id, rounds[1].id)
    later = add_idea(store, cafe, "Un composteur à chaque étage", table=2)
    at = app(page="pages/captain.py", code=cafes.get_table(store, cafe.id, 2).code)
    assert any(e.label.startswith("Elle prolonge une idée d'une autre table") for e in at.expander)
    chooser = labelled(at.selectbox, "Elle prolonge l'idée")
    # Ideas of other tables of the earlier round, with where they were said (typeable to search).
    assert [chooser.format_func(o) for o in chooser.options[1:]] or chooser.options
    offered = " | ".join(chooser.options)
    assert "Table 1, tour 1 : Un composteur partagé" in offered and "Table 3, tour 1" in offered
    chooser.set_value(first.id)
    labelled(at.checkbox, "C'est une question qui émerge").check()
    labelled(at.button, "Enregistrer").click().run()
    assert not at.exception, at.exception
    stored = committed(store).contributions.get(later.id)
    assert (stored.builds_on, stored.emerging_question) == (first.id, True)
    captions = "\n".join(c.value for c in at.caption)
    assert "prolonge une idée d'une autre table" in captions and "question qui émerge" in captions


def test_the_harvest_page_charts_the_paths_of_ideas(store):
    from facilitation.services.demo import create_demo_cafe

    cafe = create_demo_cafe(store)
    harvest.run_harvest(
        store, KeywordGrouper(["chauffage", "ascenseur", "jardin"]), harvest.scope_of([cafe.id])
    )
    at = app(organiser=True, page="pages/organiser_harvest.py", cafe=cafe.id)
    assert not at.exception, at.exception
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    (paths,) = [
        s
        for s in specs
        if "Parcours des idées" in json.dumps(s["layout"].get("title", ""), ensure_ascii=False)
    ]
    # One arrow per idea of the demo that prolongs another, from its table and round to the other's.
    arrows = paths["layout"]["annotations"]
    assert len(arrows) == 6 and all(a["showarrow"] for a in arrows)
    hover = " ".join(t for trace in paths["data"] for t in trace.get("text", []))
    assert "Table 2, tour 1 → Table 1, tour 2" in hover and "prolonge" in hover


def test_prepare_offers_the_questions_that_emerged_at_earlier_cafes(store):
    earlier, _ = make_cafe(store)
    asked = add_idea(store, earlier, "Qui entretient le jardin partagé ?")
    mark_question(store, earlier, asked)
    following = cafes.create_cafe(
        store,
        cafes.CafeDetails(
            title="Café suivant", held_on=date(2026, 12, 10), theme="numérique", commune="Lyon"
        ),
    )
    at = app(organiser=True, page="pages/organiser_prepare.py", cafe=following.id)
    assert any(e.label.startswith("Questions qui ont émergé (1 question") for e in at.expander)
    shown = "\n".join(m.value for m in at.markdown).replace("\\", "")  # Markdown-escaped
    assert "Qui entretient le jardin partagé ?" in shown and "Café des Tilleuls" in shown
    labelled(at.button, "Ajouter un tour avec cette question").click().run()
    assert not at.exception, at.exception
    (round_,) = cafes.list_rounds(store, following.id)
    assert round_.question == "Qui entretient le jardin partagé ?"
