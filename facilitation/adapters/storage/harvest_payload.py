"""How a harvest version is kept: one JSON document per version, read back into domain objects."""

from __future__ import annotations

from typing import Any

from facilitation.adapters.storage.rows import to_model
from facilitation.domain.model import HarvestVersion, ThemeGroup, TopicGroup


def _topic_json(topic: TopicGroup) -> dict[str, Any]:
    return {
        "key": topic.key,
        "label": topic.label,
        "keywords": list(topic.keywords),
        "contribution_ids": list(topic.contribution_ids),
        "representative_ids": list(topic.representative_ids),
        "kept": topic.kept,
        "renamed": topic.renamed,
        "cohesion": topic.cohesion,
        "parent": topic.parent,
    }


def _topic(data: dict[str, Any]) -> TopicGroup:
    return TopicGroup(
        key=data["key"],
        label=data["label"],
        keywords=tuple(data["keywords"]),
        contribution_ids=tuple(data["contribution_ids"]),
        representative_ids=tuple(data["representative_ids"]),
        kept=data["kept"],
        renamed=data["renamed"],
        cohesion=data.get("cohesion"),  # absent from versions saved before it existed
        parent=data.get("parent", ""),  # likewise: versions saved before themes existed
    )


def version_payload(version: HarvestVersion) -> dict[str, Any]:
    """The JSON document stored for a version."""
    return {
        "topics": [_topic_json(t) for t in version.topics],
        "set_aside": list(version.set_aside),
        "unsorted": list(version.unsorted),
        "unmatched": [_topic_json(t) for t in version.unmatched],
        "coordinates": version.coordinates,
        "method": version.method,
        "themes": [{"key": t.key, "label": t.label, "renamed": t.renamed} for t in version.themes],
    }


def version_from(row: Any) -> HarvestVersion:
    """A version from its stored row (older versions have no « À classer » nor unmatched topics)."""
    payload = row.payload
    return to_model(
        HarvestVersion,
        row,
        topics=tuple(_topic(t) for t in payload["topics"]),
        set_aside=tuple(payload["set_aside"]),
        coordinates=payload["coordinates"],
        method=payload["method"],
        unsorted=tuple(payload.get("unsorted", ())),
        unmatched=tuple(_topic(t) for t in payload.get("unmatched", ())),
        themes=tuple(
            ThemeGroup(key=t["key"], label=t["label"], renamed=t["renamed"])
            for t in payload.get("themes", ())
        ),
    )
