"""The Atelier's exchange around fiches: field fiches, threads, decisions, committee agendas.
Use cases on SQLite and PostgreSQL; the agenda PDF read back with pypdf."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest

from exports.pdf.agenda import agenda_pdf
from facilitation.domain import actors
from facilitation.domain.errors import InvalidInput, NotFound
from facilitation.domain.model import CAFE_SOURCE, FIELD_SOURCE, Committee, FicheStatus, cafe_fiche_ref
from facilitation.services import audit, exchange, harvest, synthesis
from tests.conftest import acting_as, harvest_by_keywords, make_cafe

NOW = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)


def field_fiche(store, **overrides):
    values = {
        "title": "Boîtes à livres dans les halls",
        "observation": "Les gardiens voient des livres échangés au pied des boîtes aux lettres.",
        "author": "Agence Lyon Est",
        "observed_on": date(2026, 11, 20),
        "place": "Résidence Les Tilleuls, Vaulx-en-Velin",
        "theme": "mieux-vivre ensemble",
        "now": NOW,
    }
    return exchange.create_field_fiche(store, **(values | overrides))


def cafe_with_a_kept_group(store):
    cafe, _ = make_cafe(store)
    scope, version = harvest_by_keywords(
        store, cafe, ("Chauffage froid", "Chauffage cher", "Ascenseur en panne"), ["chauffage", "ascenseur"]
    )
    harvest.set_kept(store, scope, [version.topics[0].key])
    return cafe, version.topics[0].key


def test_a_field_fiche_joins_the_cafes_fiches(store):
    cafe, key = cafe_with_a_kept_group(store)
    created = field_fiche(store)
    assert created.status is FicheStatus.NOUVELLE
    assert created.committee is Committee.SERVICES_QUALITE  # from its theme, as for cafés
    cards = exchange.all_fiches(store)
    assert {(c.source, c.title) for c in cards} == {
        (FIELD_SOURCE, "Boîtes à livres dans les halls"),
        (CAFE_SOURCE, "Chauffage"),
    }
    assert cards[0].source == CAFE_SOURCE  # held 26/11, newer than the field's 20/11
    assert exchange.find_fiche(store, cafe_fiche_ref(cafe.id, key)).title == "Chauffage"


def test_a_double_click_creates_one_field_fiche(store):
    first = field_fiche(store, fiche_id="a" * 32)
    again = field_fiche(store, fiche_id="a" * 32)
    assert again == first and len(exchange.all_fiches(store)) == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": "  "}, "Le titre"),
        ({"observation": ""}, "L'observation est vide"),
        ({"observed_on": date(2026, 12, 25)}, "dans le futur"),
        ({"theme": "astrologie"}, "Thème inconnu"),
        ({"theme": None}, "Choisissez le thème"),
        ({"committee": "Comité imaginaire"}, "Comité inconnu"),
        ({"observation": "bip\x07"}, "contrôle"),
    ],
)
def test_bad_field_fiches_are_refused_in_french_and_nothing_is_stored(store, overrides, message):
    with pytest.raises(InvalidInput, match=message):
        field_fiche(store, **overrides)
    assert exchange.all_fiches(store) == []


def test_a_thread_keeps_every_message_in_order(store):
    fiche = field_fiche(store)
    ref = exchange.all_fiches(store)[0].ref
    exchange.add_comment(store, ref, author="Claire (marketing)", text="Déjà vu à Bron ?", now=NOW)
    exchange.add_comment(store, ref, author="Karim", text="Oui, <b>fin 2025</b>.", now=NOW.replace(hour=10))
    thread = exchange.comments(store, ref)
    assert [(c.author, c.text) for c in thread] == [
        ("Claire (marketing)", "Déjà vu à Bron ?"),
        ("Karim", "Oui, <b>fin 2025</b>."),
    ]
    assert fiche.id in ref
    with pytest.raises(InvalidInput, match="Le commentaire est vide"):
        exchange.add_comment(store, ref, author="Karim", text="  ")
    with pytest.raises(NotFound):
        exchange.add_comment(store, "terrain/inconnue", author="Karim", text="Bonjour")


def test_decisions_record_who_when_which_committee_on_both_kinds_of_fiche(store):
    cafe, _ = cafe_with_a_kept_group(store)
    field_fiche(store)
    by_source = {c.source: c.ref for c in exchange.all_fiches(store)}
    with acting_as(actors.ORGANISER):
        for ref in by_source.values():
            exchange.decide(
                store,
                ref,
                status="en étude",
                committee="Comité des Projets Prioritaires",
                decided_by="Comité du 3 décembre",
                note="À chiffrer",
                now=NOW,
            )
    for ref in by_source.values():
        (decision,) = exchange.decisions(store, ref)
        assert (decision.actor, decision.decided_by, decision.at) == (
            "organisateur",
            "Comité du 3 décembre",
            NOW,
        )
        assert decision.status is FicheStatus.EN_ETUDE and decision.note == "À chiffrer"
    cards = {c.source: c for c in exchange.all_fiches(store)}
    assert {c.status for c in cards.values()} == {FicheStatus.EN_ETUDE}
    assert {c.committee for c in cards.values()} == {Committee.PROJETS_PRIORITAIRES}
    (sheet,) = synthesis.fiche_sheets(store, cafe.id)  # the café's own fiche follows the decision
    assert sheet.fiche.status is FicheStatus.EN_ETUDE


def test_editing_a_cafe_fiche_keeps_its_status_history(store):
    cafe, key = cafe_with_a_kept_group(store)
    with acting_as(actors.ORGANISER):
        synthesis.update_fiche(
            store, cafe.id, key, follow_up="Tester", committee="Comité Services et Qualité", status="écartée"
        )
        synthesis.update_fiche(
            store,
            cafe.id,
            key,
            follow_up="Tester encore",
            committee="Comité Services et Qualité",
            status="écartée",
        )
    (decision,) = exchange.decisions(store, cafe_fiche_ref(cafe.id, key))  # only a real change counts
    assert decision.status is FicheStatus.ECARTEE and decision.actor == "organisateur"


def test_the_committee_agenda_lists_what_awaits_it_and_prints(store, output_dir):
    field_fiche(store, title="Compost partagé", observed_on=date(2026, 10, 1), theme="aménagement durable")
    waiting = field_fiche(store, title="Boîtes à livres <i>halls</i>")
    decided = field_fiche(store, title="Fête des voisins")
    exchange.decide(
        store,
        exchange.find_fiche(store, f"terrain/{decided.id}").ref,
        status="industrialisée",
        committee="Comité Services et Qualité",
        decided_by="Comité du 1er octobre",
    )
    agenda = exchange.committee_agenda(store, "Comité Services et Qualité", now=NOW)
    assert [c.title for c in agenda.fiches] == [waiting.title]
    other = exchange.committee_agenda(store, "Comité des Projets Prioritaires", now=NOW)
    assert [c.title for c in other.fiches] == ["Compost partagé"]
    from pypdf import PdfReader

    pdf = agenda_pdf(agenda, "Europe/Paris")
    (output_dir / "ordre-du-jour.pdf").write_bytes(pdf)
    text = " ".join("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Ordre du jour — Comité Services et Qualité" in text
    assert "1 fiche en attente d'une décision" in text and "27 novembre 2026" in text
    assert "Boîtes à livres <i>halls</i>" in text  # printed as written, never as markup
    assert "Fête des voisins" not in text
    with pytest.raises(InvalidInput):
        exchange.committee_agenda(store, "")


def _image(format_: str, size=(3000, 2000), exif: bool = False) -> bytes:
    from PIL import Image

    image = Image.new("RGB", size, (200, 120, 40))
    out = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[0x010E] = "Chez Mme Dupont, 12 rue des Lilas"  # ImageDescription
        data[0x8825] = {2: (45.0, 45.0, 0.0)}  # GPSInfo: latitude
        image.save(out, format=format_, exif=data)
    else:
        image.save(out, format=format_)
    return out.getvalue()


def test_photos_are_kept_small_upright_and_without_metadata(store):
    from PIL import Image

    with_gps = _image("JPEG", exif=True)
    assert b"Dupont" in with_gps
    fiche = field_fiche(store, photos=[("hall.jpg", with_gps), ("plan.png", _image("PNG", (800, 600)))])
    stored = exchange.fiche_photos(store, f"terrain/{fiche.id}")
    assert len(stored) == 2 and all(s.startswith(b"\xff\xd8") for s in stored)  # JPEG both
    first = Image.open(io.BytesIO(stored[0]))
    assert max(first.size) == 1600 and not first.getexif()
    assert b"Dupont" not in stored[0]


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([("notes.jpg", b"pas une image")], "n'est pas une photo lisible"),
        ([("anim.gif", None)], "n'est pas une photo JPEG, PNG ou WebP"),
        ([("bombe.png", "bomb")], "trop grande"),
        ([(f"p{i}.png", None) for i in range(5)], "Quatre photos au plus"),
    ],
)
def test_bad_photos_refuse_the_fiche_and_store_nothing(store, files, message):
    def content(name, data):
        if data == "bomb":
            return _image("PNG", (8000, 6000))  # 48 million pixels in a few hundred kilobytes
        if data is None:
            return _image("GIF" if name.endswith(".gif") else "PNG", (40, 40))
        return data

    with pytest.raises(InvalidInput, match=message):
        field_fiche(store, photos=[(name, content(name, data)) for name, data in files])
    assert exchange.all_fiches(store) == []


def test_photos_from_the_field_are_added_to_a_fiche_after_its_own(store):
    from PIL import Image

    fiche = field_fiche(store, photos=[("hall.png", _image("PNG", (40, 40)))])
    ref = f"terrain/{fiche.id}"
    with acting_as(actors.MARKETING):
        total = exchange.add_photos(
            store, ref, [("cour.png", _image("PNG", (90, 30))), ("x.png", _image("PNG"))]
        )
    assert total == 3
    sizes = [Image.open(io.BytesIO(photo)).size for photo in exchange.fiche_photos(store, ref)]
    assert sizes == [(40, 40), (90, 30), (1600, 1067)]  # the fiche's own first, then in the given order
    (event, *_) = audit.audit_records(store, timezone="Europe/Paris")
    assert (event["acteur"], event["action"], event["objet"], event["details"]) == (
        "équipe marketing",
        "photos ajoutées à une fiche",
        ref,
        "2 photos",
    )
    # Four at most in all: two more are refused with what is still possible, and nothing is stored.
    with pytest.raises(InvalidInput, match="en a déjà 3, ajoutez-en 1 au plus"):
        exchange.add_photos(
            store, ref, [("a.png", _image("PNG", (40, 40))), ("b.png", _image("PNG", (40, 40)))]
        )
    with pytest.raises(InvalidInput, match="n'est pas une photo lisible"):
        exchange.add_photos(store, ref, [("notes.jpg", b"pas une image")])
    with pytest.raises(InvalidInput, match="au moins une photo"):
        exchange.add_photos(store, ref, [])
    with pytest.raises(NotFound):
        exchange.add_photos(store, "terrain/inconnue", [("a.png", _image("PNG", (40, 40)))])
    assert len(exchange.fiche_photos(store, ref)) == 3
    assert exchange.add_photos(store, ref, [("d.png", _image("PNG", (40, 40)))]) == 4


def test_a_cafe_fiche_takes_photos_too_and_its_erasure_takes_them(store):
    from facilitation.services import rgpd

    cafe, key = cafe_with_a_kept_group(store)
    ref = cafe_fiche_ref(cafe.id, key)
    exchange.add_photos(store, ref, [("salle.png", _image("PNG", (40, 40)))])
    assert len(exchange.fiche_photos(store, ref)) == 1
    (event, *_) = audit.audit_records(store, cafe_id=cafe.id, timezone="Europe/Paris")
    assert event["action"] == "photos ajoutées à une fiche"
    rgpd.erase_cafe(store, cafe.id, confirm_title=cafe.title)
    assert exchange.fiche_photos(store, ref) == []


def test_today_in_paris_is_not_the_future_when_utc_is_still_yesterday(store):
    """23:30 UTC on 6 December is 00:30 on the 7th in Paris: the form's default date is the 7th."""
    late = datetime(2026, 12, 6, 23, 30, tzinfo=UTC)
    fiche = field_fiche(store, observed_on=date(2026, 12, 7), now=late)
    assert fiche.observed_on == date(2026, 12, 7)
    with pytest.raises(InvalidInput, match="dans le futur"):
        field_fiche(store, observed_on=date(2026, 12, 8), fiche_id="b" * 32, now=late)
