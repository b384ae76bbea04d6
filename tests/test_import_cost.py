"""Imports cost only what they use: the grouping's heavy libraries load when a grouping runs.

Each module is imported in a fresh interpreter (this test process has long loaded everything).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# BERTopic, scikit-learn, SciPy, PyTorch, UMAP; spaCy itself (its French tokenizer tables cost ~3 s).
HEAVY = ("bertopic", "sklearn", "scipy", "torch", "umap", "hdbscan", "spacy")


def loaded_after_import(module: str) -> list[str]:
    """The heavy top-level packages found in sys.modules once `module` is imported, in a new process."""
    code = (
        "import importlib, json, sys\n"
        f"importlib.import_module({module!r})\n"
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "module",
    [
        "facilitation.adapters.topics",
        "facilitation.adapters.topics.grouping",
        "facilitation.adapters.topics.csv_input",
        "facilitation.services.harvest",
        "cli",
        "facilitation.composition",
        "web",
        "web.resident",
    ],
)
def test_importing_loads_no_grouping_library(module):
    assert loaded_after_import(module) == []


def test_the_stop_list_is_spacys_own():
    """Read from spaCy's file without its package: the very same words as spaCy's import gives."""
    from spacy.lang.fr.stop_words import STOP_WORDS

    from facilitation.adapters.topics.french import STOP_WORDS as read

    assert read == frozenset(STOP_WORDS) and len(read) > 400


def test_accents_are_stripped_as_scikit_learn_does():
    from sklearn.feature_extraction.text import strip_accents_unicode

    from facilitation.adapters.topics.french import FRENCH_STOP_WORDS, strip_accents

    words = [*FRENCH_STOP_WORDS, "Déchets", "ŒUVRE", "ﬁn", "façade", "x²", "naïve", "Ça"]
    assert [strip_accents(w) for w in words] == [strip_accents_unicode(w) for w in words]
