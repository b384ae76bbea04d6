"""Harvest charts: pure functions from a HarvestView to a Plotly figure.

Plotly renders a subset of HTML in labels and hover text, so every text people typed is escaped.
"""

from __future__ import annotations

import html
import textwrap

import plotly.graph_objects as go

from facilitation.domain.wording import plural
from facilitation.services.harvest import HarvestView
from facilitation.services.synthesis import IdeaPath

_LAYOUT = {
    "template": "plotly_white",
    "font": {"size": 14},
    "margin": {"l": 10, "r": 10, "t": 50, "b": 10},
    "separators": ", ",  # decimal comma, space between thousands (plotly: decimal then thousands)
}


def _safe(text: str, width: int = 60) -> str:
    """Escaped text, wrapped for a hover label."""
    return "<br>".join(html.escape(line) for line in textwrap.wrap(text, width)[:6])


def _labels(view: HarvestView) -> list[str]:
    return [html.escape(t.topic.label) for t in view.topics]


def topic_sizes(view: HarvestView) -> go.Figure:
    """Contributions and supports per topic, largest first."""
    topics = sorted(view.topics, key=lambda t: t.size)
    figure = go.Figure(
        [
            go.Bar(
                name="Contributions",
                y=[html.escape(t.topic.label) for t in topics],
                x=[t.size for t in topics],
                orientation="h",
            ),
            go.Bar(
                name="Soutiens",
                y=[html.escape(t.topic.label) for t in topics],
                x=[t.supports for t in topics],
                orientation="h",
            ),
        ]
    )
    return figure.update_layout(title="Taille des groupes", barmode="group", **_LAYOUT)


def _heatmap(view: HarvestView, attribute: str, title: str) -> go.Figure:
    columns = sorted({key for t in view.topics for key in getattr(t, attribute)})
    values = [[getattr(t, attribute).get(column, 0) for column in columns] for t in view.topics]
    figure = go.Figure(
        go.Heatmap(
            z=values,
            x=[html.escape(c) for c in columns],
            y=_labels(view),
            colorscale="Blues",
            hovertemplate="%{y}<br>%{x} — contributions : %{z}<extra></extra>",
        )
    )
    return figure.update_layout(title=title, **_LAYOUT)


def topic_by_table(view: HarvestView) -> go.Figure:
    """How many contributions of each topic came from each table."""
    return _heatmap(view, "tables", "Groupes × tables")


def topic_by_round(view: HarvestView) -> go.Figure:
    """How many contributions of each topic came from each round."""
    return _heatmap(view, "rounds", "Groupes × tours")


def contribution_map(view: HarvestView) -> go.Figure:
    """Every contribution on a 2-D map of meaning, coloured by topic, its text on hover."""
    figure = go.Figure()
    for topic in view.topics:
        placed = [c for c in topic.contributions if c.id in view.version.coordinates]
        figure.add_trace(
            go.Scatter(
                x=[view.version.coordinates[c.id][0] for c in placed],
                y=[view.version.coordinates[c.id][1] for c in placed],
                mode="markers",
                name=html.escape(topic.topic.label),
                text=[_safe(c.text) for c in placed],
                hovertemplate="%{text}<extra>%{fullData.name}</extra>",
                marker={"size": 10, "opacity": 0.8},
            )
        )
    figure.update_xaxes(showticklabels=False, title=None)
    figure.update_yaxes(showticklabels=False, title=None)
    return figure.update_layout(title="Carte des contributions (proches = idées voisines)", **_LAYOUT)


def topics_over_time(view: HarvestView) -> go.Figure:
    """Contributions per topic at each café, in date order (for harvests over several cafés)."""
    cafes = sorted(view.data.cafes.values(), key=lambda c: (c.held_on, c.title))
    figure = go.Figure()
    for topic in view.topics:
        figure.add_trace(
            go.Scatter(
                x=[c.held_on.isoformat() for c in cafes],
                y=[topic.cafes.get(c.id, 0) for c in cafes],
                mode="lines+markers",
                name=html.escape(topic.topic.label),
                text=[html.escape(c.title) for c in cafes],
                hovertemplate="%{text}<br>%{x} : %{y}<extra>%{fullData.name}</extra>",
            )
        )
    figure.update_xaxes(title="Date du café", type="category")
    figure.update_yaxes(title="Contributions")
    return figure.update_layout(title="Évolution des groupes d'un café à l'autre", **_LAYOUT)


def idea_paths(paths: list[IdeaPath]) -> go.Figure:
    """Where ideas travelled: tours across, tables down, one arrow per idea that prolongs another
    (its words and those it builds on on hover). Paths between the same two places are spread a
    little so that each stays visible."""
    figure = go.Figure()
    seen: dict[tuple[int, int, int, int], int] = {}
    xs, ys, hover = [], [], []
    for path in paths:
        key = (path.from_round, path.from_table, path.to_round, path.to_table)
        shift = 0.08 * seen.get(key, 0)
        seen[key] = seen.get(key, 0) + 1
        start = (path.from_round, path.from_table + shift)
        end = (path.to_round + (0.15 if path.to_round == path.from_round else 0), path.to_table + shift)
        figure.add_annotation(
            x=end[0],
            y=end[1],
            ax=start[0],
            ay=start[1],
            xref="x",
            yref="y",
            axref="x",
            ayref="y",
            showarrow=True,
            arrowhead=3,
            arrowsize=1.4,
            arrowwidth=2,
            arrowcolor="#0b4f8a",
            text="",
        )
        xs.append((start[0] + end[0]) / 2)
        ys.append((start[1] + end[1]) / 2)
        hover.append(
            f"{html.escape(path.steps)}<br><b>{_safe(path.idea)}</b><br>prolonge :<br>{_safe(path.origin)}"
        )
    places = sorted({(p.from_round, p.from_table) for p in paths} | {(p.to_round, p.to_table) for p in paths})
    figure.add_trace(
        go.Scatter(
            x=[r for r, _ in places],
            y=[t for _, t in places],
            mode="markers",
            name="Table et tour",
            text=[f"Table {t}, tour {r}" for r, t in places],
            hovertemplate="%{text}<extra></extra>",
            marker={"size": 16, "color": "#bcd3ea", "line": {"width": 2, "color": "#0b4f8a"}},
        )
    )
    figure.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="markers",
            name="Idée qui en prolonge une autre",
            text=hover,
            hovertemplate="%{text}<extra></extra>",
            marker={"size": 9, "color": "#0b4f8a"},
        )
    )
    figure.update_xaxes(title="Tour", dtick=1, tickformat="d")
    figure.update_yaxes(title="Table", dtick=1, tickformat="d", autorange="reversed")
    title = f"Parcours des idées ({plural(len(paths), 'idée prolonge', 'idées prolongent')} une autre)"
    return figure.update_layout(title=title, showlegend=False, **_LAYOUT)
