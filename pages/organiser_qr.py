"""Organiser: each table's QR code and join link, on a base URL checked before printing."""

import streamlit as st

from exports.qr import qr_png
from facilitation import cafes
from ui.access import require_organiser
from ui.display import literal_markdown
from ui.organiser import current_cafe
from ui.runtime import settings, show_errors, store

require_organiser()
st.title("QR codes des tables")
cafe = current_cafe()

base_url = st.text_input(
    "Adresse publique de l'application (celle que les téléphones atteignent)",
    value=settings().cafe_public_base_url,
    help="Réglage CAFE_PUBLIC_BASE_URL. Sur le réseau du café, c'est en général "
    "http://<adresse IP de l'ordinateur>:8501.",
)
if any(host in base_url for host in ("localhost", "127.0.0.1", "[::1]")):
    st.warning(
        "Cette adresse ne désigne que cet ordinateur : les téléphones des habitants ne pourront pas "
        "l'ouvrir. Indiquez l'adresse de l'ordinateur sur le réseau du café avant d'imprimer."
    )
st.caption(f"Les QR codes ci-dessous mènent à : **{base_url}**")

tables = cafes.list_tables(store(), cafe.id)
if not tables:
    st.info("Ce café n'a pas encore de table : ajoutez-en dans « Préparer ».")
    st.stop()

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
        png = qr_png(link)
        st.image(png, caption=f"QR code de la {table.label().lower()}", width=220)
        st.code(link, language=None)
        st.download_button(
            "Télécharger le PNG",
            data=png,
            file_name=f"qr-table-{table.number}.png",
            mime="image/png",
            key=f"download_{table.id}",
        )
