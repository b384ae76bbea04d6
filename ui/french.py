"""Streamlit's built-in English, said in French on every Streamlit page.

Streamlit 1.67 has no locale setting: its widgets write their hints (« Press Enter to submit form »),
menus (« Select all », « No results »), uploader (« Drag and drop files here », « Limit … per
file ») and tooltips (« Close », « Fullscreen », « Download as CSV ») in English from its own
JavaScript. One small script, drawn by app.py on every run and allowed by the staff pages' policy by
its hash (web/security.py), watches the page and rewrites those words where a person reads them:
text, placeholders, aria-labels and tooltips. It only changes the words, never the elements, so
Streamlit's own updates keep working (they write their English again; it is rewritten again).
"""

from __future__ import annotations

import json

import streamlit as st

# Whole texts (a text node, a placeholder, an aria-label, a title) → French.
FRENCH_WORDS: dict[str, str] = {
    "Select all": "Tout sélectionner",
    "No results": "Aucun résultat",
    "Choose an option": "Choisissez une option",
    "Choose options": "Choisissez des options",
    "Select...": "Choisir…",
    "Clear all": "Tout effacer",
    "Clear value": "Effacer",
    "Clear": "Effacer",
    "Selected values": "Valeurs choisies",
    "Multiselect options": "Options",
    "Selectbox options": "Options",
    "Open": "Ouvrir",
    "Delete": "Supprimer",
    "Drag and drop file here": "Glissez-déposez un fichier ici",
    "Drag and drop a file here": "Glissez-déposez un fichier ici",
    "Drag and drop files here": "Glissez-déposez des fichiers ici",
    "Drag and drop directories here": "Glissez-déposez des dossiers ici",
    "Browse files": "Parcourir",
    "Upload": "Parcourir",
    "Add files": "Ajouter des fichiers",
    "file upload": "envoi de fichiers",
    "Upload directories": "Envoyer des dossiers",
    "Close": "Fermer",
    "Fullscreen": "Plein écran",
    "Close fullscreen": "Quitter le plein écran",
    "Search": "Rechercher",
    "Download as CSV": "Télécharger en CSV",
    "Copy to clipboard": "Copier",
    "Collapse sidebar": "Replier le menu",
    "Expand sidebar": "Déplier le menu",
    "View less": "Voir moins",
    "Running...": "En cours…",
    "Stop": "Arrêter",
    "Rerun": "Relancer",
    "Choose date": "Choisir une date",
    "Choose date range": "Choisir des dates",
    "Clear date": "Effacer la date",
    "Clear dates": "Effacer les dates",
    "Increment": "Augmenter",
    "Decrement": "Diminuer",
    "Number is above the allowed range.": "Nombre au-dessus du maximum.",
    "Number is below the allowed range.": "Nombre au-dessous du minimum.",
    "Send message": "Envoyer",
    # The laptop camera (a captain's photo of the tablecloth).
    "Take Photo": "Prendre la photo",
    "Clear photo": "Effacer la photo",
    "Switch camera": "Changer de caméra",
    "This app would like to use your camera.": "Cette page demande l'accès à la caméra.",
    "Learn how to allow access.": "Comment l'autoriser ?",
    "Uploading...": "Envoi…",
    "Skip to main content": "Aller au contenu",
    # Plotly's tool bar (its tooltips are data-title attributes).
    "Download plot as a png": "Télécharger en PNG",
    "Zoom in": "Zoom avant",
    "Zoom out": "Zoom arrière",
    "Pan": "Déplacer",
    "Box Select": "Sélection rectangulaire",
    "Lasso Select": "Sélection au lasso",
    "Autoscale": "Échelle automatique",
    "Reset axes": "Réinitialiser les axes",
    "Reset view": "Réinitialiser la vue",
    "Produced with Plotly.js": "Graphique Plotly.js",
    # The date picker's calendar.
    **{
        "January": "janvier",
        "February": "février",
        "March": "mars",
        "April": "avril",
        "May": "mai",
        "June": "juin",
        "July": "juillet",
        "August": "août",
        "September": "septembre",
        "October": "octobre",
        "November": "novembre",
        "December": "décembre",
    },
    **{"Su": "di", "Mo": "lu", "Tu": "ma", "We": "me", "Th": "je", "Fr": "ve", "Sa": "sa"},
}

# Texts with a part that varies: [JavaScript regular expression, French replacement].
FRENCH_PATTERNS: list[tuple[str, str]] = [
    (r"^Press Enter to submit form$", "Entrée pour envoyer le formulaire"),
    (r"^Press Enter to apply$", "Entrée pour valider"),
    (r"^Press (⌘|Ctrl)\+Enter to submit form$", "$1+Entrée pour envoyer le formulaire"),
    (r"^Press (⌘|Ctrl)\+Enter to apply$", "$1+Entrée pour valider"),
    (r"^(?:Limit )?(\d+(?:\.\d+)?) ?([KMGT])B per file$", "$1 $2o au plus par fichier"),
    (r"^(?:Limit )?(\S+) per file$", "$1 au plus par fichier"),
    (r"^Select (\d+) matches$", "Sélectionner les $1 résultats"),
    (r"^Add: (.*)$", "Ajouter : $1"),
    (r"^Remove (.*)$", "Retirer $1"),
    (r"^View (\d+) more$", "Voir $1 de plus"),
    (
        r"^You can only select up to (\d+) options?\. Remove an option first\.$",
        "$1 choix au plus : retirez-en un d'abord.",
    ),
]

_SCRIPT_TEMPLATE = r"""
if (!window.cafeFrench) {
  const words = new Map(Object.entries(WORDS));
  const patterns = PATTERNS.map(([source, french]) => [new RegExp(source), french]);
  const attributes = ["placeholder", "aria-label", "title", "data-title"];
  const french = (text) => {
    const trimmed = text.trim();
    if (!trimmed) return null;
    if (words.has(trimmed)) return text.replace(trimmed, words.get(trimmed));
    // A tool bar's label naming its element: « Fullscreen: QR code de la table 1 ».
    const labelled = /^([A-Z][A-Za-z ]+): ([\s\S]*)$/.exec(trimmed);
    if (labelled && words.has(labelled[1])) {
      return text.replace(trimmed, `${words.get(labelled[1])} : ${labelled[2]}`);
    }
    for (const [pattern, replacement] of patterns) {
      if (pattern.test(trimmed)) return text.replace(trimmed, trimmed.replace(pattern, replacement));
    }
    return null;
  };
  const attribute = (element, name) => {
    const value = element.getAttribute(name);
    const said = value === null ? null : french(value);
    if (said !== null) element.setAttribute(name, said);
  };
  const translate = (node) => {
    if (node.nodeType === Node.TEXT_NODE) {
      const said = french(node.nodeValue);
      if (said !== null) node.nodeValue = said;
      return;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    for (const element of [node, ...node.querySelectorAll("*")]) {
      for (const name of attributes) attribute(element, name);
    }
    const texts = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
    while (texts.nextNode()) translate(texts.currentNode);
  };
  window.cafeFrench = new MutationObserver((changes) => {
    for (const change of changes) {
      if (change.type === "childList") change.addedNodes.forEach(translate);
      else if (change.type === "characterData") translate(change.target);
      else attribute(change.target, change.attributeName);
    }
  });
  window.cafeFrench.observe(document.documentElement, {
    subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: attributes,
  });
  translate(document.body);
  document.documentElement.lang = "fr";
}
"""
FRENCH_SCRIPT = _SCRIPT_TEMPLATE.replace("WORDS", json.dumps(FRENCH_WORDS, ensure_ascii=False)).replace(
    "PATTERNS", json.dumps(FRENCH_PATTERNS, ensure_ascii=False)
)

_SCRIPT_HTML = "<span hidden data-cafe-french></span><script>{script}</script>"
# The script's own element takes no room at the top of the page.
_HIDE_SCRIPT_ELEMENT = "<style>.stElementContainer:has([data-cafe-french]) { display: none; }</style>"


def french_interface() -> None:
    """Draw, at the top of the page, the script that puts Streamlit's own words in French."""
    st.html(_HIDE_SCRIPT_ELEMENT)
    st.html(_SCRIPT_HTML.format(script=FRENCH_SCRIPT), unsafe_allow_javascript=True)
