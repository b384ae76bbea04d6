"""What leaves the app is masked: a table of formats, flagged names however written, and names kept
out of topic labels, keywords, fiches, exports and the audit log. On SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
import time

import pytest
from pypdf import PdfReader

from exports.documents import render, single_fiche
from facilitation.domain.errors import InvalidInput
from facilitation.domain.privacy import MASKED_SUMMARY, mask_personal_data, personal_spans, restore_masked
from facilitation.services import audit, cafes, contributions, harvest, rgpd, synthesis
from tests.conftest import add_idea, committed, harvest_by_keywords, make_cafe
from tests.fakes import KeywordGrouper

OPTIONS = {"base_url": "http://x", "timezone": "Europe/Paris"}
PHONE, MAIL, NAME = "[téléphone masqué]", "[courriel masqué]", "[nom masqué]"
NUMBER, ADDRESS = "[n° masqué]", "[adresse masquée]"

MASKING_CASES = [
    # phones, French and foreign, in every layout
    ("Appelez le +33 (0)6 12 34 56 78", f"Appelez le {PHONE}"),
    ("Tél. 06/12/34/56/78 le soir", f"Tél. {PHONE} le soir"),
    ("mon numéro 061 234 5678 merci", f"mon numéro {PHONE} merci"),
    ("06 12 34 56 78 ou 04.78.12.34.56", f"{PHONE} ou {PHONE}"),
    ("joignable au0612345678", f"joignable au{PHONE}"),
    ("ma sœur au +212 6 12 34 56 78", f"ma sœur au {PHONE}"),
    ("en Belgique +32 470 12 34 56", f"en Belgique {PHONE}"),
    ("à Londres +44 20 7946 0958", f"à Londres {PHONE}"),
    ("0033 6 12 34 56 78 le matin", f"{PHONE} le matin"),
    ("+33 6 12 34 56 78", PHONE),
    ("06-12-34-56-78", PHONE),
    ("06_12_34_56_78 !", f"{PHONE} !"),
    ("06 / 12 / 34 / 56 / 78", PHONE),
    # tricks: invisible characters, other digits, look-alike letters
    ("appelez le 06\u200b12\u200b34\u200b56\u200b78", f"appelez le {PHONE}"),
    ("06\u200d12\u00ad34\u206056\ufeff78 svp", f"{PHONE} svp"),
    ("tél ０６ １２ ３４ ５６ ７８", f"tél {PHONE}"),
    ("٠٦١٢٣٤٥٦٧٨ (ma fille)", f"{PHONE} (ma fille)"),
    ("\U0001d7ce\U0001d7d4 12 34 56 78", PHONE),
    ("06\u00a012\u00a034\u00a056\u00a078", PHONE),
    ("06\u202f12\u202f34\u202f56\u202f78", PHONE),
    ("O6 l2 34 56 78 le soir", f"{PHONE} le soir"),
    ("06 I2 3O 56 78", PHONE),
    ("06‑12‑34‑56‑78", PHONE),
    # e-mails, however the @ is written
    ("Écrivez à jean.dupont@mail.fr", f"Écrivez à {MAIL}"),
    ("jean @ gmail.com pour le club", f"{MAIL} pour le club"),
    ("jean(at)gmail.com", MAIL),
    ("jean [at] gmail [dot] com", MAIL),
    ("jean arobase gmail point com", MAIL),
    ("jean.dupont@\u200bmail.fr", MAIL),
    ("ｊｅａｎ＠ｍａｉｌ．ｆｒ", MAIL),
    ("durand06@example.fr", MAIL),
    # a civility then a name
    ("appelez Mme Durand au 06 12 34 56 78", f"appelez Mme {NAME} au {PHONE}"),
    ("Monsieur Jean-Paul Martin a dit non", f"Monsieur {NAME} a dit non"),
    ("M. Dupont est gentil", f"M. {NAME} est gentil"),
    ("Mlle Zoé Lefèvre, du 3e", f"Mlle {NAME}, du 3e"),
    ("Madame Nguyen et Mr Smith", f"Madame {NAME} et Mr {NAME}"),
    ("le Dr Benali passe lundi", f"le Dr {NAME} passe lundi"),
    ("Docteur Ait-Said", f"Docteur {NAME}"),
    ("MME DURAND se plaint", f"MME {NAME} se plaint"),
    ("voir M. de Villepin", f"voir M. {NAME}"),
    ("Mademoiselle O'Brien", f"Mademoiselle {NAME}"),
    ("Mme\u00a0Durand", f"Mme\u00a0{NAME}"),
    # dwellings and addresses: a household is masked
    ("Fuite à l'appartement 12, porte B3", f"Fuite à l'appartement {NUMBER}, porte {NUMBER}"),
    ("appt 4b au fond", f"appt {NUMBER} au fond"),
    ("la porte b3 grince", f"la porte {NUMBER} grince"),
    ("logt 15 et logement n° 16", f"logt {NUMBER} et logement {NUMBER}"),
    ("j'habite au 12bis", f"j'habite au {NUMBER}"),
    ("au 12 rue des Lilas 69003 depuis 2010", f"au {ADDRESS} depuis 2010"),
    ("3 bis, avenue Jean Jaurès, au fond", f"{ADDRESS}, au fond"),
    ("porte n° 7 et bât. B", f"porte {NUMBER} et bât. B"),
    ("boîte aux lettres 23 arrachée", f"boîte aux lettres {NUMBER} arrachée"),
    # attack pass: other separators, combining marks, names typed without capitals or in other scripts
    ("06•12•34•56•78", PHONE),
    ("06,12,34,56,78 le soir", f"{PHONE} le soir"),
    ("06 ; 12 ; 34 ; 56 ; 78", PHONE),
    ("06·12·34·56·78", PHONE),
    ("06~12~34~56~78 ou 06+12+34+56+78", f"{PHONE} ou {PHONE}"),
    ("\u041e6 12 34 56 78 (О cyrillique)", f"{PHONE} (О cyrillique)"),
    ("➏ 12 34 56 78", PHONE),
    ("06 l2 34 S6 78 ou O6 Z2 34 56 7B", f"{PHONE} ou {PHONE}"),
    ("06\u280012\u280034\u280056\u280078", PHONE),
    ("\u041cme Durand (М cyrillique)", f"\u041cme {NAME} (М cyrillique)"),
    ("la tour B2 du bâtiment 3B, 10 m² et 20 m²", None),
    ("Horaires 08:30 09:45 10:15 11:00", None),
    ("mon mail jean.dupont@gmail merci", f"mon mail {MAIL} merci"),
    ("jean.dupont@hotmail,fr", f"{MAIL},fr"),
    ("rdv @ la salle des fêtes", None),
    ("les 01, 02, 03, 04 et 05 juin", None),
    ("06 1\u03012 34 56 78", PHONE),
    ("0\u20dd6 12 34 56 78", PHONE),
    ("Mme Du\u0301rand a appelé", f"Mme {NAME} a appelé"),
    ("appelez mme durand demain", f"appelez mme {NAME} demain"),
    ("Mme. durand et mr smith", f"Mme. {NAME} et mr {NAME}"),
    ("M Durand au 2e", f"M {NAME} au 2e"),
    ("Mme Šimić et Mme Łukasiewicz", f"Mme {NAME} et Mme {NAME}"),
    ("Monsieur Đorđević", f"Monsieur {NAME}"),
    ("Mme Мария Иванова", f"Mme {NAME}"),
    ("on va chez les Durand ce soir", f"on va chez les {NAME} ce soir"),
    ("la famille Nguyen-Tran est là", f"la famille {NAME} est là"),
    ("mme est venue, mlle la gardienne aussi", None),
    ("c'est la mme chose, en mme temps", None),
    ("une famille nombreuse, les courses chez Lidl", None),
    ("5 m. de haut et la tour M est fermée", None),
    # what must stay as it is: the building's landmarks, dates, counts, ordinary words
    ("Le 12 mai, 3 personnes à 19 degrés en 2024", None),
    ("Porte d'entrée lourde, escalier de secours", None),
    ("la porte a été forcée deux fois", None),
    ("les escaliers et les logements sociaux", None),
    ("12 34 56 78 voitures dans la rue des Lilas", None),
    ("Rendez-vous le 12/05/2024 à 18h30", None),
    ("Bâtiment c, escalier 2", None),
    ("bâtiment B, 3e étage, tour 2", None),
    ("l'ascenseur du bât. C est en panne", None),
    ("escalier 3 : la lumière ne marche pas", None),
    ("dans la résidence des Tilleuls", None),
    ("M. le maire est venu", None),
    ("madame la directrice a promis", None),
    ("Mme est partie", None),
    ("l'entrée B est sale", None),
    ("Il a 2O ans et lOl", None),
    ("Il y a 10 ans, 4 fois par an", None),
    ("café à 1,50 € et 20 %", None),
    ("Œuvre collective, ﬁnale réussie 🎉👍", None),
    ("Les élèves de l’école Jean Moulin", None),
    ("la tour 2 et le parking P3", None),
    ("Réunion du 06/12 à 14h", None),
    ("code postal 69003", None),
    ("c'est pr Noël, le Pr Martin viendra", f"c'est pr Noël, le Pr {NAME} viendra"),
]


@pytest.mark.parametrize(("text", "expected"), MASKING_CASES)
def test_personal_data_is_masked_in_every_usual_format(text, expected):
    assert mask_personal_data(text) == (text if expected is None else expected)


NAME_CASES = [
    (["Hélène Dupont"], "Helene est venue", f"{NAME} est venue"),
    (["Hélène Dupont"], "HÉLÈNE DUPONT a dit", f"{NAME} a dit"),
    (["Hélène Dupont"], "mme dupont gentille", f"mme {NAME} gentille"),
    (["Hélène Dupont"], "Hélène\u00a0Dupont vient", f"{NAME} vient"),
    (["Jean-Pierre"], "Jean Pierre et Jean–Pierre", f"{NAME} et {NAME}"),
    (["Jean Pierre"], "JEAN-PIERRE a aidé", f"{NAME} a aidé"),
    (["Martin"], "Mme Martin se plaint, martine non", f"Mme {NAME} se plaint, martine non"),
    (["Martin"], "M. MARTIN, appartement porte 4", f"M. {NAME}, appartement porte {NUMBER}"),
    (["Zoë"], "zoe et Zoé", f"{NAME} et {NAME}"),
]


@pytest.mark.parametrize(("names", "text", "expected"), NAME_CASES)
def test_flagged_names_are_masked_however_they_are_written(names, text, expected):
    assert mask_personal_data(text, names) == expected


def test_the_method_note_says_exactly_what_is_masked():
    assert "adresses e-mail" in MASKED_SUMMARY and "téléphone" in MASKED_SUMMARY
    assert "12 rue des Lilas" in MASKED_SUMMARY and "noms signalés" in MASKED_SUMMARY


FLAGGED = ["Martin", "Jean", "Hélène Dupont"]
TEXTS = [
    "Martin de l'appartement porte 4 veut aider ses voisins",
    "Martin propose d'aider pour les courses",
    "Helene est gentille avec tout le monde, aider Helene",
    "dupont gentille et serviable, il faut aider",
    "Jean voudrait un banc devant l'entrée",
    "Un banc devant l'entrée pour Jean et les anciens",
]


def test_flagged_names_never_reach_labels_keywords_fiches_exports_or_the_log(store, tmp_path):
    cafe, _ = make_cafe(store)
    for text in TEXTS:
        add_idea(store, cafe, text)
    for name in FLAGGED:
        rgpd.flag_name(store, cafe.id, name, by_organiser=True)
    scope = harvest.scope_of([cafe.id])
    # A grouper that labels topics with the words it is given: what it sees is what leaks.
    grouper = KeywordGrouper(["martin aider", "helene gentille", "dupont gentille", "jean banc", "banc"])
    version = harvest.run_harvest(store, grouper, scope)
    harvest.set_kept(store, scope, [t.key for t in version.topics])
    seen = json.dumps([t.label for t in harvest.latest_version(store, scope).topics])
    outputs = [seen]
    for kind in ("contributions_csv", "groupes_csv", "cafe_json"):
        outputs.append(render(store, cafe.id, kind, **OPTIONS)[1].decode("utf-8-sig"))
    for kind in ("synthese", "fiches"):
        name, pdf = render(store, cafe.id, kind, **OPTIONS)
        outputs.append(name)
    pdf = render(store, cafe.id, "synthese", **OPTIONS)[1]
    outputs.append(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    for sheet in synthesis.fiche_sheets(store, cafe.id):
        outputs += [sheet.topic.label, " ".join(sheet.topic.keywords), sheet.fiche.follow_up]
        outputs.append(single_fiche(store, cafe.id, sheet.topic.key)[0])
    outputs.append(json.dumps(audit.audit_records(store, timezone="Europe/Paris"), ensure_ascii=False))
    everything = "\n".join(outputs).casefold()
    for leak in ("martin", "helene", "hélène", "dupont", "jean"):
        assert leak not in everything, leak


def test_a_follow_up_typed_with_a_name_is_masked_in_the_fiche(store):
    cafe, _ = make_cafe(store)
    scope, version = harvest_by_keywords(
        store, cafe, ("Chauffage froid", "Chauffage en panne"), ["chauffage"]
    )
    harvest.set_kept(store, scope, [version.topics[0].key])
    rgpd.flag_name(store, cafe.id, "Durand", by_organiser=True)
    synthesis.update_fiche(
        store,
        cafe.id,
        version.topics[0].key,
        follow_up="Rappeler M. Durand au 06 12 34 56 78",
        committee="Comité Services et Qualité",
        status="nouvelle",
    )
    (sheet,) = synthesis.fiche_sheets(store, cafe.id)
    assert sheet.fiche.follow_up == f"Rappeler M. {NAME} au {PHONE}"


def test_a_captains_flag_waits_for_the_organiser(store):
    cafe, _ = make_cafe(store)
    add_idea(store, cafe, "le chauffage est froid")
    assert rgpd.flag_name(store, cafe.id, "le") == []  # a captain's flag: nothing masked yet
    assert rgpd.names_to_confirm(store, cafe.id) == ["le"]
    records = render(store, cafe.id, "contributions_csv", **OPTIONS)[1].decode("utf-8-sig")
    assert "le chauffage est froid" in records
    rgpd.unflag_name(store, cafe.id, "le")  # the organiser turns it down
    rgpd.flag_name(store, cafe.id, "Durand")
    assert rgpd.confirm_name(store, cafe.id, "Durand") == ["Durand"]
    assert rgpd.names_to_confirm(store, cafe.id) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Écrivez à jean.dupont@mail.fr", "Écrivez à [courriel masqué]"),
        (
            "Appelez le 06 12 34 56 78 ou le +33 6 12 34 56 78",
            "Appelez le [téléphone masqué] ou le [téléphone masqué]",
        ),
        ("04.78.12.34.56 / 0612345678", "[téléphone masqué] / [téléphone masqué]"),
        ("Fuite à l'appartement 12, porte B3", "Fuite à l'appartement [n° masqué], porte [n° masqué]"),
        (
            "appt 4B, logement n° 15, bâtiment C",
            "appt [n° masqué], logement [n° masqué], bâtiment C",
        ),
        ("Mme Martin se plaint, martine non", "Mme [nom masqué] se plaint, martine non"),
        ("Le 12 mai, 3 personnes à 19 degrés en 2024", "Le 12 mai, 3 personnes à 19 degrés en 2024"),
        ("Porte d'entrée lourde, escalier de secours", "Porte d'entrée lourde, escalier de secours"),
        ("porte n° 7 et bât. B", "porte [n° masqué] et bât. B"),
    ],
)
def test_personal_data_is_masked(text, expected):
    assert mask_personal_data(text, ["Martin"]) == expected


def test_documents_and_exports_are_masked_while_the_original_stays(store):
    cafe, _ = make_cafe(store)
    secret = "Chauffage en panne chez Mme Durand, appartement 12, appelez le 06 12 34 56 78"
    add_idea(store, cafe, secret)
    add_idea(store, cafe, "Chauffage froid")
    rgpd.flag_name(store, cafe.id, "Durand", by_organiser=True)
    scope = harvest.scope_of([cafe.id])
    version = harvest.run_harvest(store, KeywordGrouper(["chauffage"]), scope)
    harvest.set_kept(store, scope, [version.topics[0].key])
    masked = (
        "Chauffage en panne chez Mme [nom masqué], appartement [n° masqué], appelez le [téléphone masqué]"
    )
    for kind in ("contributions_csv", "cafe_json"):
        data = render(store, cafe.id, kind, **OPTIONS)[1].decode("utf-8-sig")
        assert masked in data and "Durand" not in data and "06 12" not in data
    pdf = render(store, cafe.id, "synthese", **OPTIONS)[1]
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "[nom masqué]" in text and "Durand" not in text and "06 12 34" not in text
    assert any(
        c.text == secret for c in committed(store).contributions.in_cafe(cafe.id)
    )  # the organiser keeps it


def test_flagged_names_are_checked_and_never_logged(store):
    cafe, _ = make_cafe(store)
    assert rgpd.flag_name(store, cafe.id, "  Durand ", by_organiser=True) == ["Durand"]
    with pytest.raises(InvalidInput, match="deux lettres"):
        rgpd.flag_name(store, cafe.id, "X")
    assert "Durand" not in json.dumps(audit.audit_records(store, timezone="Europe/Paris"), ensure_ascii=False)
    assert rgpd.unflag_name(store, cafe.id, "Durand") == []


def test_saving_a_fiche_shown_masked_keeps_its_hidden_follow_up(store):
    cafe, _ = make_cafe(store)
    scope, version = harvest_by_keywords(
        store, cafe, ("Chauffage froid", "Chauffage en panne"), ["chauffage"]
    )
    key = version.topics[0].key
    harvest.set_kept(store, scope, [key])
    committee = "Comité Services et Qualité"
    typed = "Rappeler Mme Durand au 06 12 34 56 78"
    synthesis.update_fiche(store, cafe.id, key, follow_up=typed, committee=committee, status="nouvelle")
    (sheet,) = synthesis.fiche_sheets(store, cafe.id)
    assert sheet.fiche.follow_up == f"Rappeler Mme {NAME} au {PHONE}"
    # The organiser saves the form as shown, with its status changed: nothing typed is lost.
    synthesis.update_fiche(
        store, cafe.id, key, follow_up=sheet.fiche.follow_up, committee=committee, status="en étude"
    )
    assert committed(store).documents.fiches(cafe.id)[0].follow_up == typed


def test_restoring_puts_each_hidden_piece_back_in_order():
    original = "Mme Durand 06 12 34 56 78, sinon Mme Petit 07 11 22 33 44"
    edited = f"Mme {NAME} ({PHONE}), sinon Mme {NAME} {PHONE} !"
    assert restore_masked(edited, original) == "Mme Durand (06 12 34 56 78), sinon Mme Petit 07 11 22 33 44 !"
    assert restore_masked(f"{NAME} {MAIL}", "rien") == f"{NAME} {MAIL}"  # nothing hidden: labels stay


def test_mask_labels_are_not_words_the_grouping_reads(store):
    cafe, _ = make_cafe(store)
    add_idea(store, cafe, "Chauffage en panne, appelez le 06 12 34 56 78")
    add_idea(store, cafe, "06 12 34 56 78")  # nothing but a number: still a contribution to group
    add_idea(store, cafe, "Chauffage froid, voir Mme Durand", table=2)
    # Groups by the first word it finds: « masqué » or « téléphone » read as words would name a group.
    grouper = KeywordGrouper(["masqué", "téléphone", "chauffage"])
    version = harvest.run_harvest(store, grouper, harvest.scope_of([cafe.id]))
    assert [topic.label for topic in version.topics] == ["Chauffage"]


@pytest.mark.parametrize(
    "edited",
    [
        f"Chauffage en panne, appelez {NAME}",  # the civility taken away
        f"Chauffage en panne, appelez le mot {NAME} au {PHONE}",
        f"Chauffage en panne, appelez Mme {NAME} au x{PHONE}0",  # glued to letters and digits
    ],
)
def test_a_correction_cannot_pull_a_hidden_piece_out_of_its_mask(store, edited):
    cafe, _ = make_cafe(store)
    typed = "Chaufage en panne, appelez Mme Durand au 06 12 34 56 78"
    planted = add_idea(store, cafe, typed)
    code = cafes.get_table(store, cafe.id, 1).code
    with pytest.raises(InvalidInput, match="ferait apparaître en clair"):
        contributions.edit_contribution(
            store, table_code=code, contribution_id=planted.id, text=edited, max_chars=2000
        )
    assert committed(store).contributions.get(planted.id).text == typed  # nothing changed
    # Kept in place, the labels give the hidden pieces back.
    contributions.edit_contribution(
        store,
        table_code=code,
        contribution_id=planted.id,
        text=f"Chauffage en panne, appelez Mme {NAME} au {PHONE}",
        max_chars=2000,
    )
    assert committed(store).contributions.get(planted.id).text == typed.replace("Chaufage", "Chauffage")


@pytest.mark.parametrize("word", ["a" * 2000, "a." * 1000, "É" * 2000])
def test_one_long_word_is_read_once_not_from_every_letter(word):
    # Every phone redraws a table's ideas: a 2,000-letter word took 0.08 to 0.35 s when the e-mail
    # patterns were tried from each of its letters. Best of three, to ignore a busy machine.
    costs = []
    for _ in range(3):
        start = time.perf_counter()
        personal_spans(word)
        costs.append(time.perf_counter() - start)
    assert min(costs) < 0.04
