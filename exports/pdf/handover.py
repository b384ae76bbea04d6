"""The host's handover of one table, on one A4 page: printed for the host who stays at the table."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import KeepInFrame, Spacer, Table

from exports.pdf.base import build_pdf, facts_table, french_date, para, quote
from exports.pdf.fiches import slug
from facilitation.domain.wording import plural
from facilitation.services.handover import Handover, support_text

WIDTH = 168 * mm  # the frame's width less its padding: nothing shrinks for a normal table
# Enough for the host to read aloud; the others are counted, not dropped silently.
PRINTED_IDEAS = 12
_PAGE_HEIGHT = 297 * mm - 2 * (18 * mm) - 14 * mm  # A4 minus build_pdf's margins, header and footer


def handover_filename(handover: Handover) -> str:
    """« relais-tour-1-table-03-cafe-des-tilleuls.pdf »: the table number sorts the files."""
    return (
        f"relais-tour-{handover.closed.position}-table-{handover.table.number:02d}-"
        f"{slug(handover.cafe.title, 30)}.pdf"
    )


def _facts(handover: Handover) -> Table:
    following = handover.following
    rows = [
        ("Café", f"{handover.cafe.title} — {french_date(handover.cafe.held_on)}"),
        ("Tour qui se termine", f"Tour {handover.closed.position} : {handover.closed.question}"),
        (
            "Question suivante",
            f"Tour {following.position} : {following.question}" if following else "C'était le dernier tour.",
        ),
    ]
    return facts_table(rows, label_width=40 * mm, width=WIDTH, align="LEFT")


def handover_pdf(handover: Handover) -> bytes:
    """One page for the table's host: the ideas to pass on, the themes, the next question."""
    story = [
        para("Passage de relais", "subtitle"),
        para(handover.table.label(), "title"),
        _facts(handover),
        para(f"Ce que la table a dit ({plural(len(handover.ideas), 'idée')})", "h1"),
    ]
    for idea in handover.ideas[:PRINTED_IDEAS]:
        story.append(quote(idea.contribution.text))
        details = [d for d in (support_text(idea), idea.theme) if d]
        if details:
            story.append(para(" · ".join(details), "small"))
    left = len(handover.ideas) - PRINTED_IDEAS
    if left > 0:
        story.append(para(f"… et {plural(left, 'autre idée', 'autres idées')}, moins soutenues.", "small"))
    if not handover.ideas:
        story.append(para("Aucune idée n'a été notée à cette table pendant ce tour."))
    story.append(para("Thèmes abordés", "h1"))
    if handover.themes:
        story += [para(f"• {label} ({plural(n, 'idée')})") for label, n in handover.themes]
    if handover.themes_note:
        story.append(para(handover.themes_note, "small"))
    if handover.following:
        story += [
            Spacer(1, 4 * mm),
            para(f"Question du tour {handover.following.position}", "h1"),
            para(handover.following.question, "h2"),
        ]
    # One page whatever the table said: long texts shrink rather than spill onto a second sheet.
    framed = KeepInFrame(WIDTH, _PAGE_HEIGHT, story, mode="shrink")
    return build_pdf(
        [framed],
        title=f"Passage de relais — {handover.table.label()} — tour {handover.closed.position}",
        subject="Passage de relais entre deux tours",
        running_header=f"{handover.cafe.title} · passage de relais · tour {handover.closed.position}",
    )
