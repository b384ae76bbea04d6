"""The harvest page's two levels: themes as headings over their sub-themes' expanders, each theme
with its provenance and agreement, and the « Thèmes » corrections (rename, move a sub-theme)."""

from __future__ import annotations

import re

from facilitation.services import harvest
from tests.conftest import harvest_by_keywords, make_cafe
from tests.pages.apptest import app, labelled


def test_harvest_page_lists_themes_with_their_sub_themes_and_corrects_them(store):
    cafe, _ = make_cafe(store)
    scope, first = harvest_by_keywords(
        store,
        cafe,
        (
            "Le chauffage est froid dans les logements",
            "Le radiateur est froid dans les logements",
            "L'ascenseur des parties communes tombe en panne",
            "L'escalier des parties communes est sale",
        ),
        ["chauffage", "radiateur", "ascenseur", "escalier"],
    )
    at = app(organiser=True, page="pages/organiser_harvest.py", cafe=cafe.id)

    heat = next(t.parent for t in first.topics if t.label == "Chauffage")
    common = next(t.parent for t in first.topics if t.label == "Ascenseur")
    assert heat != common and {next(t.parent for t in first.topics if t.label == "Radiateur")} == {heat}
    headings = [h.value.replace("\\", "") for h in at.subheader]
    assert sorted(headings) == sorted(t.label for t in first.themes) and len(headings) == 2
    shown = "\n".join(m.value for m in at.markdown).replace("\\", "")
    assert re.search(
        r"2 sous-thèmes · 2 contributions · 2 habitants · 1 table · tour 1 · 0 soutien — avis : ", shown
    )
    expanders = [e.label for e in at.expander if re.search(r"\d+ contributions?, ", e.label)]
    assert len(expanders) == 4  # every sub-theme in its expander, under its theme

    labelled(at.selectbox, "Thème").set_value(common)
    labelled(at.text_input, "Nouveau nom du thème").input("Le bâtiment")
    labelled(at.button, "Renommer le thème").click().run()
    assert not at.exception
    assert "Le bâtiment" in [h.value for h in at.subheader]

    lift = next(t.key for t in first.topics if t.label == "Ascenseur")
    labelled(at.selectbox, "Sous-thème").set_value(lift)
    labelled(at.selectbox, "Vers le thème").set_value(heat)
    labelled(at.button, "Déplacer le sous-thème").click().run()
    latest = harvest.latest_version(store, scope)
    assert latest.number == 3 and latest.topic(lift).parent == heat
    shown = "\n".join(m.value for m in at.markdown).replace("\\", "")
    assert "3 sous-thèmes · 3 contributions" in shown and "1 sous-thème · 1 contribution" in shown
