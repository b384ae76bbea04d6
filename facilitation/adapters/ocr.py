"""Reading the words written on a tablecloth's photo: offered as drafts, never stored as such.

OCR runs behind `TextReader` (a fake in unit tests). `TesseractReader` calls Debian's `tesseract`
binary with its French data (`tesseract-ocr-fra`), offline, in a subprocess with a time limit; where
either is missing it says it is unavailable and the pages say so. `draft_lines` turns what was read
into short cleaned sentences a person confirms one by one (facilitation/services/tablecloths.py).
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from typing import Protocol

from facilitation.domain.model import forbidden_character

READ_SECONDS = 60  # a 1600-pixel photo takes a few seconds; a stuck process is stopped
MAX_DRAFTS = 40
MIN_LETTERS = 3
UNAVAILABLE = (
    "La lecture du texte des photos n'est pas disponible sur cet ordinateur (Tesseract et ses données "
    "françaises, paquets Debian tesseract-ocr et tesseract-ocr-fra, ne sont pas installés)."
)


class TextReader(Protocol):
    """Reads the printed or written words of a photo."""

    def available(self) -> bool:
        """Whether reading can run here."""
        ...

    def read(self, jpeg: bytes) -> str:
        """The text read on the photo, lines as they were found (OcrFailed when reading fails)."""
        ...


class OcrFailed(Exception):
    """Reading stopped: the message says why, in French."""


class TesseractReader:
    """Tesseract (French) through its command-line binary: no network, no Python binding."""

    def __init__(self, binary: str = "tesseract", language: str = "fra") -> None:
        self.binary = binary
        self.language = language

    def available(self) -> bool:
        return _has_language(self.binary, self.language)

    def read(self, jpeg: bytes) -> str:
        try:
            done = subprocess.run(
                [self.binary, "stdin", "stdout", "-l", self.language, "--psm", "3"],
                input=jpeg,
                capture_output=True,
                timeout=READ_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise OcrFailed(f"La lecture a duré plus de {READ_SECONDS} s : elle a été arrêtée.") from None
        except OSError:
            raise OcrFailed(UNAVAILABLE) from None
        if done.returncode != 0:
            raise OcrFailed("La photo n'a pas pu être lue (Tesseract a refusé l'image).")
        return done.stdout.decode("utf-8", errors="replace")


@functools.cache
def _has_language(binary: str, language: str) -> bool:
    path = shutil.which(binary)
    if path is None:
        return False
    try:
        listed = subprocess.run([path, "--list-langs"], capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return language in listed.stdout.decode("utf-8", errors="replace").split()


_BULLET = re.compile(r"^\s*(?:[-–—•*·>+]|\d{1,2}[.)])\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[A-ZÀ-ÖØ-Þ«\"'])")
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


def draft_lines(raw: str, max_chars: int) -> list[str]:
    """What OCR read, as drafts: paragraphs joined (a word cut by a hyphen at a line's end mended),
    bullets and sentences split, characters nobody types removed, spaces collapsed; lines with
    fewer than three letters (stray marks) or mostly symbols dropped, repeats once, at most
    MAX_DRAFTS, each cut to `max_chars`."""
    drafts: list[str] = []
    seen: set[str] = set()
    for item in _items(raw):
        cleaned = "".join(ch for ch in item if forbidden_character(ch) is None and ch not in "\n\t")
        cleaned = re.sub(r"\s+", " ", cleaned).strip(" -–—•*·|_~=")
        letters = len(_LETTER.findall(cleaned))
        if letters < MIN_LETTERS or letters < len(cleaned.replace(" ", "")) / 2:
            continue
        cleaned = cleaned[:max_chars].rstrip()
        key = cleaned.casefold()
        if key not in seen:
            seen.add(key)
            drafts.append(cleaned)
        if len(drafts) >= MAX_DRAFTS:
            break
    return drafts


def _items(raw: str) -> list[str]:
    """Paragraphs (blank-line separated) split at bullets and at lines of stray marks, then into
    sentences."""
    items: list[str] = []
    for paragraph in re.split(r"\n\s*\n", raw.replace("\r", "").replace("\f", "\n\n")):
        current: list[str] = []
        for line in paragraph.split("\n"):
            noise = len(_LETTER.findall(line)) < MIN_LETTERS  # a stray mark or rule ends an item
            if (noise or _BULLET.match(line)) and current:
                items.append(_joined(current))
                current = []
            if not noise:
                current.append(_BULLET.sub("", line))
        if current:
            items.append(_joined(current))
    return [sentence for item in items for sentence in _SENTENCE_END.split(item)]


def _joined(lines: list[str]) -> str:
    text = ""
    for line in (line.strip() for line in lines):
        if not line:
            continue
        if text.endswith("-") and line[:1].islower():
            text = text[:-1] + line  # « loge-\nments » → « logements »
        else:
            text = f"{text} {line}" if text else line
    return text
