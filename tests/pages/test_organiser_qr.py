"""The tables' QR codes (pages/organiser_qr.py): the public address they carry, and revoking a
table's link."""

from __future__ import annotations

import subprocess

import pytest

from facilitation.domain.errors import AccessDenied
from facilitation.services import cafes, contributions
from tests.conftest import committed, make_cafe, require_tool
from tests.pages.apptest import app, labelled
from tests.pdfs import render_first_pages


def test_qr_page_stores_the_checked_address_for_every_qr_code_and_document(store, output_dir):
    cafe, _ = make_cafe(store, tables=3)
    at = app(organiser=True, page="pages/organiser_qr.py", cafe=cafe.id)
    assert "ne désigne que cet ordinateur" in at.warning[0].value
    links = [c.value for c in at.code]
    assert len(links) == 3 and all(link.startswith(f"http://localhost:8501/j/{cafe.id}.") for link in links)
    label = "Adresse publique de l'application (celle que les téléphones atteignent)"
    labelled(at.text_input, label).input("192.168.1.20")
    labelled(at.button, "Enregistrer l'adresse").click().run()
    assert "Adresse publique invalide" in at.error[0].value
    labelled(at.text_input, label).input("http://192.168.1.20:8501/")
    labelled(at.button, "Enregistrer l'adresse").click().run()
    assert not at.warning
    assert all(c.value.startswith("http://192.168.1.20:8501/j/") for c in at.code)
    # Leaving the page forgets nothing: the address is the installation's, in the database.
    again = app(organiser=True, page="pages/organiser_qr.py", cafe=cafe.id)
    assert all(c.value.startswith("http://192.168.1.20:8501/j/") for c in again.code)
    downloads = [b.proto.label for b in again.get("download_button")]
    assert downloads[:2] == [
        "Cartes de table (PDF, une page A5 par table)",
        "Affiche A4 avec les QR codes de toutes les tables (PDF)",
    ]
    assert downloads[2:] == [f"Télécharger le PNG de la table {n}" for n in (1, 2, 3)]
    # « Fiches et documents » prints the cards with the same address.
    fiches = app(organiser=True, page="pages/organiser_fiches.py", cafe=cafe.id)
    labelled(fiches.selectbox, "Document").select("cartes")
    labelled(fiches.button, "Générer").click().run()
    (made,) = committed(store).documents.in_cafe(cafe.id)
    zbarimg = require_tool("zbarimg", "Debian zbar-tools, pour décoder les QR codes")
    first_page = render_first_pages(
        committed(store).documents.get(made.id).content, output_dir, "page-qr-cartes", pages=1
    )[0]
    decoded = subprocess.run([zbarimg, "--quiet", "--raw", str(first_page)], capture_output=True, text=True)
    assert decoded.stdout.strip() == cafes.join_link(store, cafe.id, 1, "http://192.168.1.20:8501")


def test_qr_page_revokes_a_tables_link(store):
    cafe, _ = make_cafe(store)
    old = cafes.join_link(store, cafe.id, 1, "http://localhost:8501")
    at = app(organiser=True, page="pages/organiser_qr.py", cafe=cafe.id)
    labelled(at.button, "Révoquer le lien de cette table").click().run()
    assert cafes.get_table(store, cafe.id, 1).link_generation == 1
    assert old not in [c.value for c in at.code] and len(at.code) == 2
    with pytest.raises(AccessDenied, match="n'est plus valable"):
        contributions.join_table(store, old.split("/j/")[1])
