"""Grouping stability: adding one contribution to 300 should move at most 10 % of the others.

Same seed twice on the same texts must give the same groups; then one SIB-200 French sentence is
added to a 300-sentence sample and the share of the first 300 that change group is counted, after
matching old and new groups by overlap (Hungarian assignment). Two ways, in the same run:
- « re-run »: what the harvest does when it is run again — the grouping starts from the previous
  version's groups (`start_from`), same number of groups;
- « afresh »: the grouping computed from scratch on the 301 texts (as « Regrouper à neuf »).
The vector cache is on, so the sentence encoder runs once per text. Several samples and sentences.

Then the harvest itself, as the facilitator runs it (use cases on a SQLite file, same samples): a
first run, every group retained, a re-run with nothing new (groups moved, versions saved, asked to
confirm?), a person's move of one contribution, then one contribution added and a re-run (share of
the 300 that change group, by group key, « À classer » counted as a group; the person's move kept?).
Last, the demo café harvested and re-run with nothing new (groups changed, « À classer » sizes).

    .venv/bin/python -m bench.topics_stability [--trials 5] [--out bench/results/topics_stability.json]
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment

from bench.common import bench_parser, write_results
from bench.topics_quality import sib200
from facilitation.adapters.topics import BertopicGrouper
from facilitation.adapters.topics.embeddings import MemoryVectorCache

ROOT = Path(__file__).resolve().parent.parent


def moved_share(before: list[int], after: list[int]) -> float:
    """Share of texts whose group changed, once old and new groups are matched by overlap."""
    old_ids, new_ids = sorted(set(before)), sorted(set(after))
    overlap = np.zeros((len(old_ids), len(new_ids)))
    for old, new in zip(before, after, strict=True):
        overlap[old_ids.index(old), new_ids.index(new)] += 1
    rows, cols = linear_sum_assignment(-overlap)
    return 1 - overlap[rows, cols].sum() / len(before)


def placement(version) -> dict[str, str]:
    """Each contribution's group key in a harvest version (« À classer » as a group of its own)."""
    found = {cid: topic.key for topic in version.topics for cid in topic.contribution_ids}
    return found | {cid: "à classer" for cid in version.unsorted}


def harvest_trial(sample: list[str], added: str, cache_dir: Path) -> dict:
    """The harvest use cases on one sample: re-run with nothing new, then with one contribution more."""
    from sqlalchemy import insert

    from bench.common import fill_cafes
    from facilitation.adapters.clock import utcnow
    from facilitation.adapters.storage import open_store
    from facilitation.adapters.storage.schema import contributions
    from facilitation.domain.access import new_id
    from facilitation.services import cafes, harvest

    store = open_store(f"sqlite:///{cache_dir / 'harvest.db'}")
    fill_cafes(store, sample, cafe_count=1)
    (cafe,) = cafes.list_cafes(store)
    scope = harvest.scope_of([cafe.id])
    grouper = BertopicGrouper()
    first = harvest.run_harvest(store, grouper, scope)
    kept = harvest.set_kept(store, scope, [t.key for t in first.topics])
    asked = False
    try:
        same = harvest.run_harvest(store, grouper, scope)
    except harvest.ConfirmationNeeded:
        asked, same = True, harvest.latest_version(store, scope)
    before = placement(kept)
    moved_nothing_new = sum(before[c] != placement(same).get(c) for c in before) / len(before)
    # A person moves the most central contribution of the largest group to the smallest one.
    largest = max(kept.topics, key=lambda t: len(t.contribution_ids))
    smallest = min(kept.topics, key=lambda t: len(t.contribution_ids))
    person = largest.representative_ids[0]
    corrected = harvest.move_contribution(store, scope, person, smallest.key)
    round_id = cafes.list_rounds(store, cafe.id)[0].id
    table_id = cafes.list_tables(store, cafe.id)[0].id
    with store.engine.begin() as connection:
        connection.execute(
            insert(contributions),
            [
                {
                    "id": new_id(),
                    "cafe_id": cafe.id,
                    "round_id": round_id,
                    "table_id": table_id,
                    "text": added,
                    "source": "capitaine",
                    "created_at": utcnow(),
                }
            ],
        )
    try:
        plus_one = harvest.run_harvest(store, grouper, scope)
        asked_after_adding = False
    except harvest.ConfirmationNeeded:
        asked_after_adding, plus_one = True, None
    after = placement(plus_one) if plus_one else {}
    corrected_at = placement(corrected)
    store.dispose()
    return {
        "rerun_nothing_new_moved": round(moved_nothing_new, 3),
        "rerun_nothing_new_saved_a_version": same.number != kept.number,
        "rerun_nothing_new_asked_confirmation": asked,
        "harvest_moved_after_adding_one": round(
            sum(corrected_at[c] != after.get(c) for c in corrected_at) / len(corrected_at), 3
        )
        if plus_one
        else None,
        "harvest_adding_one_asked_confirmation": asked_after_adding,
        "persons_move_kept": bool(plus_one) and after.get(person) == smallest.key,
    }


def demo_rerun(cache_dir: Path) -> dict:
    """The demo café harvested, then re-run with nothing new: groups changed, « À classer » before/after."""
    from facilitation.adapters.storage import open_store
    from facilitation.services import harvest
    from facilitation.services.demo import create_demo_cafe

    store = open_store(f"sqlite:///{cache_dir / 'demo.db'}")
    scope = harvest.scope_of([create_demo_cafe(store).id])
    grouper = BertopicGrouper()
    first = harvest.run_harvest(store, grouper, scope)
    again = harvest.run_harvest(store, grouper, scope)
    store.dispose()
    members = {t.key: set(t.contribution_ids) for t in again.topics}
    changed = sum(members.get(t.key) != set(t.contribution_ids) for t in first.topics)
    return {
        "groups": len(first.topics),
        "groups_changed_by_rerun": changed,
        "unsorted_before": len(first.unsorted),
        "unsorted_after": len(again.unsorted),
        "versions_saved_by_rerun": again.number - first.number,
    }


def main() -> None:
    parser = bench_parser(__doc__, "topics_stability")
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--trials", type=int, default=5)
    args = parser.parse_args()
    texts, _ = sib200()
    cache = MemoryVectorCache()
    trials = []
    for trial in range(args.trials):
        rng = np.random.default_rng(100 + trial)
        index = rng.choice(len(texts), args.n + 1, replace=False)
        sample = [texts[i] for i in index[:-1]]
        grouper = BertopicGrouper()
        first = grouper.group(sample, cache=cache)
        repeat = grouper.group(sample, cache=cache)
        plus_one = [*sample, texts[index[-1]]]
        rerun = grouper.group(plus_one, cache=cache, start_from=[*first.assignments, None])
        afresh = grouper.group(plus_one, cache=cache)
        with tempfile.TemporaryDirectory() as folder:
            use_cases = harvest_trial(sample, texts[index[-1]], Path(folder))
        trials.append(
            {
                "trial": trial,
                "same_input_same_groups": first.assignments == repeat.assignments,
                "moved_after_adding_one": round(moved_share(first.assignments, rerun.assignments[:-1]), 3),
                "moved_afresh": round(moved_share(first.assignments, afresh.assignments[:-1]), 3),
                "topics_before": len(first.topics),
                "topics_after": len(rerun.topics),
                "topics_afresh": len(afresh.topics),
                **use_cases,
            }
        )
        print(json.dumps(trials[-1]), flush=True)
    moved = [t["moved_after_adding_one"] for t in trials]
    summary = {
        "n": args.n,
        "trials": trials,
        "moved_mean": round(float(np.mean(moved)), 3),
        "moved_max": round(float(np.max(moved)), 3),
        "moved_afresh_mean": round(float(np.mean([t["moved_afresh"] for t in trials])), 3),
        "moved_afresh_max": round(float(np.max([t["moved_afresh"] for t in trials])), 3),
        "always_same_input_same_groups": all(t["same_input_same_groups"] for t in trials),
        "harvest_rerun_nothing_new_moved_max": max(t["rerun_nothing_new_moved"] for t in trials),
        "harvest_rerun_nothing_new_never_saved_nor_asked": not any(
            t["rerun_nothing_new_saved_a_version"] or t["rerun_nothing_new_asked_confirmation"]
            for t in trials
        ),
        "harvest_moved_after_adding_one_max": max(
            (
                t["harvest_moved_after_adding_one"]
                for t in trials
                if t["harvest_moved_after_adding_one"] is not None
            ),
            default=None,
        ),
        "harvest_adding_one_never_asked": not any(t["harvest_adding_one_asked_confirmation"] for t in trials),
        "persons_move_always_kept": all(t["persons_move_kept"] for t in trials),
    }
    with tempfile.TemporaryDirectory() as folder:
        summary["demo_cafe_rerun"] = demo_rerun(Path(folder))
    print(json.dumps({k: v for k, v in summary.items() if k != "trials"}), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_results(args.out, summary)


if __name__ == "__main__":
    main()
