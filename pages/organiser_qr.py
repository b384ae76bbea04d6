"""Organiser: each table's QR code and join link, on the installation's checked public address."""

import streamlit as st

from facilitation.services import cafes, public_address
from ui.access import require_organiser
from ui.display import literal_markdown
from ui.organiser import current_cafe
from ui.runtime import app, end_page, settings, show_errors, store

require_organiser()
st.title("QR codes des tables")
cafe = current_cafe()
config = settings()
service = app().documents

base_url = public_address.public_base_url(store(), config.cafe_public_base_url)
with st.form("public_address"):
    typed = st.text_input(
        "Adresse publique de l'application (celle que les téléphones atteignent)",
        value=base_url,
        help="Gardée dans la base pour toute l'installation : QR codes, PNG, cartes, affiche et "
        "ligne de commande l'utilisent. Sur le réseau du café, c'est en général "
        "http://<adresse IP de l'ordinateur>:8501.",
    )
    if st.form_submit_button("Enregistrer l'adresse"):
        saved = show_errors(public_address.set_public_base_url, store(), typed)
        if saved:
            base_url = saved
            st.success("Adresse enregistrée : les QR codes ci-dessous et les documents l'utilisent.")
if public_address.only_this_computer(base_url):
    st.warning(
        "Cette adresse ne désigne que cet ordinateur : les téléphones des habitants ne pourront pas "
        "l'ouvrir. Indiquez l'adresse de l'ordinateur sur le réseau du café avant d'imprimer."
    )
st.caption(f"Les QR codes ci-dessous mènent à : **{base_url}**")

tables = cafes.list_tables(store(), cafe.id)
if not tables:
    st.info("Ce café n'a pas encore de table : ajoutez-en dans « Préparer ».")
    end_page()


def document(kind: str) -> bytes:
    return service.build(store(), cafe.id, kind, base_url=base_url)[1]


cards_col, poster_col = st.columns(2)
cards_col.download_button(
    "Cartes de table (PDF, une page A5 par table)",
    data=lambda: document("cartes"),
    file_name=f"cartes-tables-{cafe.held_on:%Y-%m-%d}.pdf",
    mime="application/pdf",
    type="primary",
)
poster_col.download_button(
    "Affiche A4 avec les QR codes de toutes les tables (PDF)",
    data=lambda: document("affiche_qr"),
    file_name=f"affiche-qr-{cafe.held_on:%Y-%m-%d}.pdf",
    mime="application/pdf",
)

with st.expander("Un QR code a circulé (photo, réseau social) ? Révoquer les liens"):
    st.markdown(
        "Révoquer rend les anciens QR codes inutilisables : il faut ensuite réimprimer les cartes "
        "des tables concernées."
    )
    numbers = {t.number: t.label() for t in tables}
    chosen = st.selectbox("Table", list(numbers), format_func=numbers.get)
    left, right = st.columns(2)
    if left.button("Révoquer le lien de cette table") and show_errors(
        cafes.revoke_links, store(), cafe.id, chosen
    ):
        st.rerun()
    if right.button("Révoquer les liens de toutes les tables") and show_errors(
        cafes.revoke_links, store(), cafe.id
    ):
        st.rerun()

columns = st.columns(3)
for index, table in enumerate(tables):
    link = show_errors(cafes.join_link, store(), cafe.id, table.number, base_url)
    if link is None:
        continue
    with columns[index % 3], st.container(border=True):
        st.subheader(literal_markdown(table.label()), anchor=False)
        png = service.qr_png(link, table.label())
        st.image(png, caption=literal_markdown(f"QR code de la {table.label().lower()}"), width=220)
        st.code(link, language=None)
        st.download_button(
            f"Télécharger le PNG de la table {table.number}",
            data=png,
            file_name=f"qr-table-{table.number}.png",
            mime="image/png",
            key=f"download_{table.id}",
        )
