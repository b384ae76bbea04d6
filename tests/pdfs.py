"""Read the PDFs the app makes: their text, and their first pages as PNG for a person to look at."""

from __future__ import annotations

import io
import subprocess

from pypdf import PdfReader

from tests.conftest import require_tool


def pdf_text(data: bytes) -> str:
    """The document's text with line breaks and spacing folded (wrapped lines join up again)."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def render_first_pages(data: bytes, output_dir, name: str, pages: int = 2) -> list:
    """Pages as PNG in test-output/, for a person to look at (and for the QR decoder)."""
    require_tool("pdftoppm", "Debian poppler-utils, pour rendre les PDF en images")
    path = output_dir / f"{name}.pdf"
    path.write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", str(pages), str(path), str(output_dir / name)],
        check=True,
    )
    return sorted(output_dir.glob(f"{name}-*.png"))
