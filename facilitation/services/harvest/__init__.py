"""Harvests: group a scope's contributions into topics, let a person correct them, show the result.

model.py is the pure model (corrections and a re-run's carry-over, on versions), service.py the use
cases on a unit of work, views.py what pages, documents and the command line show. Callers use the
names below: `from facilitation import harvest`, then `harvest.run_harvest(...)`.
"""

from facilitation.domain.harvest_versions import ConfirmationNeeded, RerunPlan
from facilitation.services.harvest.service import (
    NO_THEME_LABEL,
    CafeFilter,
    ContributionVectors,
    ScopeData,
    find_cafes,
    latest_version,
    merge_themes,
    merge_topics,
    move_contribution,
    move_topic_to_theme,
    parse_named_topics,
    plan_harvest,
    rename_theme,
    rename_topic,
    restore_unmatched,
    restore_version,
    run_guided_harvest,
    run_harvest,
    scope_data,
    scope_of,
    set_aside,
    set_kept,
    split_theme,
    split_topic,
    versions,
)
from facilitation.services.harvest.views import (
    UNTHEMED,
    HarvestView,
    ThemeView,
    TopicView,
    harvest_view,
    view,
)

__all__ = [
    "NO_THEME_LABEL",
    "UNTHEMED",
    "CafeFilter",
    "ConfirmationNeeded",
    "ContributionVectors",
    "HarvestView",
    "RerunPlan",
    "ScopeData",
    "ThemeView",
    "TopicView",
    "find_cafes",
    "harvest_view",
    "latest_version",
    "merge_themes",
    "merge_topics",
    "move_contribution",
    "move_topic_to_theme",
    "parse_named_topics",
    "plan_harvest",
    "rename_theme",
    "rename_topic",
    "restore_unmatched",
    "restore_version",
    "run_guided_harvest",
    "run_harvest",
    "scope_data",
    "scope_of",
    "set_aside",
    "set_kept",
    "split_theme",
    "split_topic",
    "versions",
    "view",
]
