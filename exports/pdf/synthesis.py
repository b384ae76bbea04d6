"""The synthesis of a café: cover, key figures, questions, retained topics with verbatims, charts."""

from __future__ import annotations

import io

from PIL import Image as PILImage
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Image, KeepInFrame, KeepTogether, PageBreak, Spacer, Table, TableStyle

from exports.pdf.base import BRAND, FONT, LIGHT, MUTED, build_pdf, french_date, para, printable, quote
from facilitation.domain.wording import percent, plural, shorten
from facilitation.services.synthesis import (
    CafeSynthesis,
    Quote,
    RoundTablecloths,
    ThemeSummary,
    TopicSummary,
    opinion_brief,
)

WIDTH = 174 * mm  # A4 minus margins
SUMMARY_HEIGHT = 240 * mm  # the first page's frame (A4 minus margins, running header and footer)


def _noun(count: int, singular: str) -> str:
    """The noun alone, agreeing with the figure printed above it."""
    return plural(count, singular).split(" ", 1)[1]


def _topic_figures(topic: TopicSummary) -> str:
    figures = [plural(topic.size, "contribution"), plural(topic.supports, "soutien")]
    if topic.agreement:
        figures.append(f"{plural(topic.agreement, 'personne')} d'accord aux tables")
    return " · ".join(figures)


def _heading(summary: ThemeSummary | TopicSummary) -> list:
    """A theme's or a topic's name, where it was said and what the residents think of it."""
    return [
        para(summary.label, "h2"),
        para(summary.provenance.text(), "small", bold=True),
        para(f"Avis : {summary.opinion_text}", "small"),
    ]


def _cited(q: Quote, theme: str = "") -> list:
    """A resident's words with where and when they were said (and under which theme)."""
    where = f"{theme} — {q.source}" if theme else q.source
    return [quote(shorten(q.text, 200)), para(where, "small")]


def _themes(themes: list[ThemeSummary]) -> list:
    """Every theme with its sub-themes, each level with its provenance and agreement."""
    story = [
        para("Thèmes et sous-thèmes", "h1"),
        para(
            "Chaque thème réunit des sous-thèmes voisins ; ses chiffres et son avis sont ceux de tous ses "
            "sous-thèmes ensemble.",
            "small",
        ),
    ]
    for theme in themes:
        block = _heading(theme)
        for topic in theme.topics:
            block += [
                para(f"— {topic.label}", "body"),
                para(f"{topic.provenance.text()} · avis : {opinion_brief(topic.opinion)}", "small"),
            ]
        story.append(KeepTogether(block[:5]))
        story += block[5:]
    return story


MARKED_LABEL = "question qui émerge, marquée à la table"
NOTICED_LABEL = "relevée parmi les contributions"


def _questions(synthesis: CafeSynthesis) -> list:
    """The questions that emerged, at the head of the summary: those marked at the tables first."""
    if not synthesis.questions:
        return []
    story = [para("Les questions qui ont émergé", "h2")]
    for q in synthesis.questions:
        label = MARKED_LABEL if q.marked else NOTICED_LABEL
        story += [quote(shorten(q.text, 200)), para(f"{q.source} · {label}", "small")]
    return story


def _paths(synthesis: CafeSynthesis) -> list:
    """The ideas that travelled: one plain line per idea that prolongs another."""
    story = [para("Le parcours des idées", "h1")]
    if not synthesis.paths:
        story.append(para("Aucune idée n'a été notée comme prolongeant une idée d'une autre table.", "small"))
        return story
    story.append(
        para(
            f"{plural(len(synthesis.paths), 'idée prolonge', 'idées prolongent')} une idée entendue à une "
            "autre table ou à un autre tour :",
            "small",
        )
    )
    for path in synthesis.paths:
        story.append(
            KeepTogether(
                [
                    para(path.line, "body"),
                    para(f"prolonge : « {shorten(path.origin, 160)} »", "small"),
                ]
            )
        )
    return story


def _summary_page(synthesis: CafeSynthesis) -> list:
    """The one-page summary a committee reads first: the questions that emerged, themes ranked by
    support and agreement, the strongest quotes with their provenance."""
    story = [para("L'essentiel en une page", "h2"), *_questions(synthesis)]
    if not synthesis.harvested:
        story.append(para("Les contributions de ce café n'ont pas encore été regroupées par thème.", "small"))
    elif synthesis.ranking:
        story.append(para("Les thèmes, classés par soutiens et par accord", "h2"))
        rows = [[para(h, "cell", bold=True) for h in ("Thème", "D'où ça vient", "Avis")]]
        for topic in synthesis.ranking:
            rows.append(
                [
                    para(shorten(topic.label, 80), "cell", bold=True),
                    para(topic.provenance.text(), "cell"),
                    para(opinion_brief(topic.opinion), "cell"),
                ]
            )
        table = Table(rows, colWidths=[46 * mm, 50 * mm, WIDTH - 96 * mm], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.3, LIGHT),
                ]
            )
        )
        story.append(table)
    if synthesis.strongest:
        story.append(para("Les paroles les plus fortes", "h2"))
        for theme, q in synthesis.strongest:
            story += _cited(q, theme)
    return story


def _figures_table(synthesis: CafeSynthesis) -> Table:
    f = synthesis.figures
    share = percent(f["from_residents"] / f["contributions"] if f["contributions"] else 0)
    cells = [
        (f["contributions"], _noun(f["contributions"], "contribution")),
        (f["tables"], _noun(f["tables"], "table")),
        (f["rounds"], _noun(f["rounds"], "tour")),
        (share, "depuis les téléphones"),
        (f["supports"], _noun(f["supports"], "soutien") + " (+1)"),
    ]
    table = Table(
        [[para(value, "h1") for value, _ in cells], [para(label, "small") for _, label in cells]],
        colWidths=[WIDTH / len(cells)] * len(cells),
    )
    table.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), LIGHT), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _sizes_chart(synthesis: CafeSynthesis) -> Drawing:
    """Native (vector) bar chart of retained topic sizes: text stays extractable."""
    topics = list(reversed(synthesis.topics[:12]))
    height = 30 + 22 * len(topics)
    drawing = Drawing(WIDTH, height)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 62 * mm, 10, WIDTH - 70 * mm, height - 25
    chart.data = [[t.size for t in topics], [t.supports for t in topics]]
    chart.categoryAxis.categoryNames = [printable(shorten(t.label, 38)) for t in topics]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = BRAND
    chart.bars[1].fillColor = colors.HexColor("#d9a5ac")
    chart.barSpacing = 1
    drawing.add(chart)
    drawing.add(
        String(
            0,
            height - 10,
            "Contributions (foncé) et soutiens (clair) par groupe retenu",
            fontName=FONT,
            fontSize=9,
            fillColor=MUTED,
        )
    )
    return drawing


# Table columns per printed block: 12 numbered columns fit the A4 width beside the topic column;
# a café with more tables (up to 999) gets one block per 12 tables, the topic column repeated.
TABLES_PER_BLOCK = 12


def _topic_by_table(synthesis: CafeSynthesis) -> list:
    """Topics × tables, cells shaded by count (a heat table), in blocks of TABLES_PER_BLOCK tables."""
    labels = synthesis.table_labels
    peak = max((t.tables.get(label, 0) for t in synthesis.topics for label in labels), default=0) or 1
    blocks: list = []
    if len(labels) > TABLES_PER_BLOCK:
        blocks.append(para("Colonnes : numéros de table.", "small"))
    for start in range(0, max(1, len(labels)), TABLES_PER_BLOCK):
        chunk = labels[start : start + TABLES_PER_BLOCK]
        if len(labels) > TABLES_PER_BLOCK:
            blocks.append(para(f"Tables {start + 1} à {start + len(chunk)}", "small", bold=True))
        blocks += [
            _heat_table(synthesis, chunk, peak, numbered=len(labels) > TABLES_PER_BLOCK),
            Spacer(1, 3 * mm),
        ]
    return blocks


def _heat_table(synthesis: CafeSynthesis, labels: list[str], peak: int, *, numbered: bool) -> Table:
    def heading(label: str) -> str:
        # Many columns: the table's number only ("Table 12 — Les Lilas" -> "12").
        return label.split(" — ")[0].removeprefix("Table ") if numbered else label

    rows = [
        [para("Groupe", "cell", bold=True)] + [para(heading(label), "cell", bold=True) for label in labels]
    ]
    style = [
        ("GRID", (0, 0), (-1, -1), 0.3, colors.white),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
        ("LEFTPADDING", (1, 0), (-1, -1), 2),
        ("RIGHTPADDING", (1, 0), (-1, -1), 2),
    ]
    for r, topic in enumerate(synthesis.topics, start=1):
        row = [para(topic.label, "cell")]
        for c, label in enumerate(labels, start=1):
            count = topic.tables.get(label, 0)
            alpha = 0.15 + 0.85 * count / peak
            # White figures on the darkest cells keep them readable once printed.
            row.append(para(count or "", "cell_light" if alpha > 0.6 else "cell", bold=alpha > 0.6))
            if count:
                style.append(("BACKGROUND", (c, r), (c, r), colors.Color(0.55, 0.11, 0.17, alpha=alpha)))
        rows.append(row)
    first = 60 * mm
    # Blocks keep one column width, so that the last, shorter block lines up with the others.
    other = (WIDTH - first) / (TABLES_PER_BLOCK if numbered else max(1, len(labels)))
    table = Table(rows, colWidths=[first] + [other] * len(labels), repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle(style))
    return table


# Tablecloths: two photos a row (three rows under the heading), or three a row for a round with more
# than six, so that up to fifteen tables still fit on the round's one page.
ROOMY_PHOTOS = 6


def _photo(jpeg: bytes, box_width: float, box_height: float) -> Image:
    """A photo scaled to fit box_width × box_height, its proportions kept."""
    with PILImage.open(io.BytesIO(jpeg)) as picture:
        width, height = picture.size
    scale = min(box_width / width, box_height / height)
    return Image(io.BytesIO(jpeg), width=width * scale, height=height * scale)


def _tablecloth_pages(rounds: list[RoundTablecloths]) -> list:
    """One page (more only past fifteen photos) per round: its tablecloths, captioned « Table N »."""
    story: list = []
    for round_ in rounds:
        story += [
            PageBreak(),
            para(f"Nappes du tour {round_.position}", "h1"),
            para(round_.question, "small"),
            Spacer(1, 3 * mm),
        ]
        per_row = 2 if len(round_.photos) <= ROOMY_PHOTOS else 3
        box_width = WIDTH / per_row - 6 * mm
        box_height = 62 * mm if per_row == 2 else 33 * mm
        cells = [
            [_photo(jpeg, box_width, box_height), para(caption, "cell", bold=True)]
            for caption, jpeg in round_.photos
        ]
        rows = [
            cells[i : i + per_row] + [""] * (per_row - len(cells[i : i + per_row]))
            for i in range(0, len(cells), per_row)
        ]
        grid = Table(rows, colWidths=[WIDTH / per_row] * per_row, hAlign="LEFT")
        grid.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("ALIGN", (0, 0), (-1, -1), "LEFT"),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4 * mm),
                ]
            )
        )
        story.append(grid)
    return story


def synthesis_pdf(synthesis: CafeSynthesis) -> bytes:
    """The café's synthesis as a printable PDF (A4)."""
    cafe = synthesis.cafe
    summary = [
        para("Synthèse du café concertation", "small"),
        para(cafe.title, "h1"),
        para(f"{french_date(cafe.held_on)} · {cafe.place.label()}", "small"),
        *_summary_page(synthesis),
    ]
    story = [
        # One page, whatever the café: a long summary is drawn smaller rather than spill over.
        KeepInFrame(WIDTH, SUMMARY_HEIGHT, summary, mode="shrink"),
        PageBreak(),
        Spacer(1, 30 * mm),
        para("Synthèse du café concertation", "subtitle"),
        para(cafe.title, "title"),
        para(f"{french_date(cafe.held_on)} · {cafe.place.label()}", "subtitle"),
        para(f"Thème de l'Atelier : {cafe.theme.value}", "subtitle"),
        para(f"Organisé par {synthesis.organiser}", "subtitle"),
        Spacer(1, 8 * mm),
    ]
    if cafe.description:
        story.append(para(cafe.description))
    story += [Spacer(1, 6 * mm), _figures_table(synthesis), Spacer(1, 4 * mm)]
    story.append(
        para(
            f"{plural(synthesis.figures['from_captains'], 'contribution saisie', 'contributions saisies')} "
            "par les capitaines de table, "
            f"{plural(synthesis.figures['from_residents'], 'envoyée', 'envoyées')} par les habitants depuis "
            "leur téléphone.",
            "small",
        )
    )
    story.append(para(f"Document généré le {french_date(synthesis.generated_at)}.", "small"))
    story.append(PageBreak())

    story.append(para("Les questions posées", "h1"))
    for round_ in synthesis.rounds:
        story.append(para(f"Tour {round_.position} — {round_.question}", "body"))

    story.append(para("Ce que les habitants ont dit", "h1"))
    if not synthesis.harvested:
        story.append(para("Les contributions de ce café n'ont pas encore été regroupées par thème."))
    else:
        if synthesis.themes:
            story += _themes(synthesis.themes)
        if synthesis.topics:
            story.append(
                para(
                    f"{plural(len(synthesis.topics), 'sujet retenu', 'sujets retenus')} par l'Atelier pour "
                    "ses fiches d'observation, puis les autres sujets évoqués.",
                    "small",
                )
            )
            story.append(_sizes_chart(synthesis))
        for topic in synthesis.topics:
            block = [
                *_heading(topic),
                para(_topic_figures(topic), "small"),
                para(f"Mots-clés : {', '.join(topic.keywords)}", "small"),
            ]
            for q in topic.quotes[:5]:
                block += _cited(q)
            story.append(KeepTogether(block[:7]))
            story += block[7:]
        if synthesis.others:
            story.append(para("Autres sujets évoqués", "h1"))
            if not synthesis.topics:
                story.append(
                    para("Aucun sujet n'a encore été retenu pour les fiches d'observation.", "small")
                )
            for topic in synthesis.others:
                block = [*_heading(topic), para(_topic_figures(topic), "small")]
                story.append(KeepTogether(block + [c for q in topic.quotes[:1] for c in _cited(q)]))
        if synthesis.topics:
            story.append(para("Groupes × tables", "h1"))
            story += _topic_by_table(synthesis)

    story += _paths(synthesis)

    story.append(para("Tour par tour", "h1"))
    for round_ in synthesis.rounds:
        story.append(para(f"Tour {round_.position} : {round_.question}", "h2"))
        story.append(
            para(
                f"{plural(round_.contributions, 'contribution')}, "
                f"dont {round_.from_residents} depuis un téléphone."
            )
        )
        if round_.topics:
            story.append(
                para("Groupes retenus : " + ", ".join(f"{label} ({n})" for label, n in round_.topics))
            )

    if synthesis.unsorted:
        story.append(para("À classer", "h1"))
        count = len(synthesis.unsorted)
        waiting = f"{plural(count, 'contribution ne ressemble', 'contributions ne ressemblent')} " + (
            "assez à aucun groupe ; elle attend d'être classée :"
            if count == 1
            else "assez à aucun groupe ; elles attendent d'être classées :"
        )
        story.append(para(waiting, "small"))
        story += [quote(text) for text in synthesis.unsorted]

    story.append(para("Mis de côté", "h1"))
    if synthesis.set_aside:
        count = len(synthesis.set_aside)
        story.append(
            para(f"{plural(count, 'contribution jugée', 'contributions jugées')} hors sujet :", "small")
        )
        story += [quote(text) for text in synthesis.set_aside]
    else:
        story.append(para("Aucune contribution n'a été mise de côté."))

    story.append(para("Méthode", "h1"))
    story.append(para(synthesis.method_note))
    story += _tablecloth_pages(synthesis.tablecloths)
    return build_pdf(
        story,
        title=f"Synthèse — {cafe.title}",
        subject=f"Synthèse du café concertation du {french_date(cafe.held_on)}, {cafe.place.label()}",
        running_header=f"Synthèse · {cafe.title} · {cafe.held_on:%d/%m/%Y}",
    )
