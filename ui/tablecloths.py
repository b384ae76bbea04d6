"""The tablecloths' panel shared by the captain's page and « Animer »: attach a photo of a table ×
round (a file, or the laptop's camera), see and remove the photos, read their words as drafts and
add the drafts a person ticked (facilitation/services/tablecloths.py). Drafts live in this session only."""

from __future__ import annotations

import streamlit as st

from facilitation.adapters.ocr import UNAVAILABLE
from facilitation.domain.model import Round
from facilitation.domain.wording import plural
from facilitation.services import tablecloths
from ui.runtime import app, settings, show_errors, store

PHOTO_TYPES = ["jpg", "jpeg", "png", "webp"]
FLASH_KEY = "tablecloth_flash"


def _drafts_key(photo_id: str) -> str:
    return f"tablecloth_drafts_{photo_id}"


def tablecloth_panel(
    cafe_id: str, table_number: int, round_: Round, *, table_code: str | None = None
) -> None:
    """One table × round: its photos, a way to attach one more, and the drafts read on each.

    `table_code`: the captain's (their own table and rounds only); None for the organiser."""
    key = f"tablecloth_{round_.id}_{table_number}"
    photos = show_errors(
        tablecloths.photos_at,
        store(),
        cafe_id,
        table_number=table_number,
        round_id=round_.id,
        table_code=table_code,
    )
    if photos is None:
        return
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        st.success(flash)
    _attach(cafe_id, table_number, round_, table_code, key, len(photos))
    if not photos:
        st.caption(f"Aucune photo de nappe pour le tour {round_.position}.")
        return
    reader = app().text_reader()
    readable = reader.available()
    if not readable:
        st.info(UNAVAILABLE)
    for index, photo in enumerate(photos, start=1):
        with st.container(border=True, key=f"tablecloth_photo_{photo.id}"):
            st.image(photo.content, caption=f"Photo {index} · tour {round_.position}", width="stretch")
            read, remove = st.columns(2)
            if readable and read.button("Lire le texte (brouillons)", key=f"read_{photo.id}"):
                with st.spinner("Lecture de la photo…"):
                    drafts = show_errors(
                        tablecloths.read_drafts,
                        store(),
                        cafe_id,
                        photo.id,
                        reader,
                        max_chars=settings().cafe_max_contribution_chars,
                        table_code=table_code,
                    )
                if drafts is not None:
                    st.session_state[_drafts_key(photo.id)] = drafts
            if remove.button("Retirer cette photo", key=f"remove_{photo.id}") and show_errors(
                tablecloths.remove, store(), cafe_id, photo.id, table_code=table_code
            ):
                st.session_state.pop(_drafts_key(photo.id), None)
                st.rerun()
            _drafts(cafe_id, photo.id, table_code)


def _attach(
    cafe_id: str, table_number: int, round_: Round, table_code: str | None, key: str, count: int
) -> None:
    if count >= tablecloths.MAX_PER_TABLE_ROUND:
        st.caption("Quatre photos au plus par table et par tour : retirez-en une pour en joindre une autre.")
        return
    # A new key after each photo attached: the uploader and the camera start empty again.
    generation = st.session_state.get(f"{key}_generation", 0)
    use_camera = st.toggle("Prendre la photo avec la caméra de l'ordinateur", key=f"{key}_camera")
    if use_camera:
        st.caption(
            "Le navigateur n'ouvre la caméra que sur l'ordinateur du serveur (localhost) ou sur une "
            "adresse https ; sinon, prenez la photo avec l'appareil et joignez le fichier."
        )
        picture = st.camera_input("Photo de la nappe", key=f"{key}_shot_{generation}")
    else:
        picture = st.file_uploader(
            "Photo de la nappe (JPEG, PNG ou WebP, 8 Mo au plus)",
            type=PHOTO_TYPES,
            key=f"{key}_file_{generation}",
        )
    if st.button("Joindre la photo", key=f"{key}_attach", type="primary"):
        if picture is None:
            st.error("Choisissez d'abord une photo (ou prenez-la avec la caméra).")
            return
        data, name = picture.getvalue(), getattr(picture, "name", "photo") or "photo"
        if table_code is not None:
            done = show_errors(
                tablecloths.attach_as_captain,
                store(),
                table_code=table_code,
                round_id=round_.id,
                photo=data,
                name=name,
            )
        else:
            done = show_errors(
                tablecloths.attach,
                store(),
                cafe_id,
                table_number=table_number,
                round_position=round_.position,
                photo=data,
                name=name,
            )
        if done is not None:
            st.session_state[f"{key}_generation"] = generation + 1
            st.rerun()


def _drafts(cafe_id: str, photo_id: str, table_code: str | None) -> None:
    """The drafts read on a photo: each added only if ticked (and maybe corrected), on « Ajouter »."""
    drafts = st.session_state.get(_drafts_key(photo_id))
    if drafts is None:
        return
    if not drafts:
        st.caption("Aucun texte lisible n'a été trouvé sur cette photo.")
        return
    limit = settings().cafe_max_contribution_chars
    with st.form(f"drafts_form_{photo_id}"):
        st.caption(
            "Brouillons lus sur la photo : cochez ceux à ajouter, corrigez-les au besoin. Rien n'est "
            "enregistré sans « Ajouter »."
        )
        chosen = []
        for index, draft in enumerate(drafts, start=1):
            tick, text = st.columns([1, 8])
            keep = tick.checkbox(f"Garder {index}", key=f"keep_{photo_id}_{index}")
            edited = text.text_input(
                f"Brouillon {index}", value=draft, max_chars=limit, key=f"draft_{photo_id}_{index}"
            )
            if keep:
                chosen.append(edited)
        submitted = st.form_submit_button("Ajouter")
    if submitted:
        added = show_errors(
            tablecloths.add_drafts, store(), cafe_id, photo_id, chosen, max_chars=limit, table_code=table_code
        )
        if added is not None:
            # The drafts go once added: the message is shown after the rerun that takes their form away.
            st.session_state.pop(_drafts_key(photo_id), None)
            st.session_state[FLASH_KEY] = (
                f"{plural(added, 'contribution ajoutée', 'contributions ajoutées')} à la table."
                if added
                else "Ces brouillons avaient déjà été ajoutés : rien de nouveau."
            )
            st.rerun()


def round_name(round_: Round) -> str:
    """« Tour 2 (en cours) », « Tour 1 (fermé) », « Tour 3 (à venir) »."""
    state = "en cours" if round_.is_open else "fermé" if round_.closed_at else "à venir"
    return f"Tour {round_.position} ({state})"


def captain_tablecloths(cafe_id: str, table_number: int, table_code: str) -> None:
    """The captain's « Photo de la nappe »: their table, the open round or the one just closed."""
    rounds = show_errors(tablecloths.captain_rounds, store(), table_code)
    if not rounds:
        return
    with st.expander("Photo de la nappe", icon="📷"):
        by_id = {r.id: r for r in rounds}
        chosen = st.radio(
            "Tour de la nappe",
            list(by_id),
            format_func=lambda rid: round_name(by_id[rid]),
            horizontal=True,
            key="tablecloth_round",
        )
        tablecloth_panel(cafe_id, table_number, by_id[chosen or rounds[0].id], table_code=table_code)
