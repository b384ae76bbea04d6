"""Grouping stability: adding one contribution to 300 should move at most 10 % of the others.

Same seed twice on the same texts must give the same groups; then one SIB-200 French sentence is
added to a 300-sentence sample and the share of the first 300 that change group is counted, after
matching old and new groups by overlap (Hungarian assignment). Two ways, in the same run:
- « re-run »: what the harvest does when it is run again — the grouping starts from the previous
  version's groups (`start_from`), same number of groups;
- « afresh »: the grouping computed from scratch on the 301 texts (as « Regrouper à neuf »).
The vector cache is on, so the sentence encoder runs once per text. Several samples and sentences.

    .venv/bin/python -m bench.topics_stability [--trials 5] [--out bench/results/topics_stability.json]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment

from bench.topics_quality import sib200
from facilitation.topics import BertopicGrouper
from facilitation.topics.embeddings import MemoryVectorCache

ROOT = Path(__file__).resolve().parent.parent


def moved_share(before: list[int], after: list[int]) -> float:
    """Share of texts whose group changed, once old and new groups are matched by overlap."""
    old_ids, new_ids = sorted(set(before)), sorted(set(after))
    overlap = np.zeros((len(old_ids), len(new_ids)))
    for old, new in zip(before, after, strict=True):
        overlap[old_ids.index(old), new_ids.index(new)] += 1
    rows, cols = linear_sum_assignment(-overlap)
    return 1 - overlap[rows, cols].sum() / len(before)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "topics_stability.json")
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
        trials.append(
            {
                "trial": trial,
                "same_input_same_groups": first.assignments == repeat.assignments,
                "moved_after_adding_one": round(moved_share(first.assignments, rerun.assignments[:-1]), 3),
                "moved_afresh": round(moved_share(first.assignments, afresh.assignments[:-1]), 3),
                "topics_before": len(first.topics),
                "topics_after": len(rerun.topics),
                "topics_afresh": len(afresh.topics),
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
    }
    print(json.dumps({k: v for k, v in summary.items() if k != "trials"}), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
