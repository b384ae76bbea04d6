"""Topic grouping quality: NMI and ARI against human labels, with two baselines in the same run.

Titles too: share of groups whose title shares a word stem with the group's majority human label.

Datasets: SIB-200 French (bench/data/sib200-fra, 7 categories) sampled at n = 40, 120, 300 and all
1,004, and the project's own resident-style set (facilitation/data/resident_ideas_fr.csv, 8 topics).
Every method gets the same number of topics, the one the app chooses automatically (√(n/2), 2–15).

    .venv/bin/python -m bench.topics_quality [--seeds 5] [--out bench/results/topics_quality.json]
"""

from __future__ import annotations

import csv
import json
import time
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.cluster import KMeans
from sklearn.decomposition import LatentDirichletAllocation
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from bench.common import bench_parser, write_results
from facilitation.adapters.topics import BertopicGrouper, automatic_topic_count
from facilitation.adapters.topics.embeddings import SpacyLsaEmbedder, SpacyLsaSentenceEmbedder
from facilitation.adapters.topics.french import KEYWORD_STOP_WORDS, TOKEN_PATTERN
from facilitation.adapters.topics.grouping import readable_label
from facilitation.adapters.topics.titles import content_stems
from facilitation.services.demo import resident_ideas

ROOT = Path(__file__).resolve().parent.parent

SIB = ROOT / "bench" / "data" / "sib200-fra"


def sib200() -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for split in ("train", "dev", "test"):
        with (SIB / f"{split}.tsv").open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                texts.append(row["text"])
                labels.append(row["category"])
    return texts, labels


def residents() -> tuple[list[str], list[str]]:
    ideas = resident_ideas()
    return [i["text"] for i in ideas], [i["topic"] for i in ideas]


def lda(texts: list[str], k: int, seed: int) -> list[int]:
    vectorizer = CountVectorizer(stop_words=KEYWORD_STOP_WORDS, token_pattern=TOKEN_PATTERN)
    counts = vectorizer.fit_transform(texts)
    model = LatentDirichletAllocation(n_components=k, random_state=seed, learning_method="batch", max_iter=50)
    return model.fit_transform(counts).argmax(axis=1).tolist()


def tfidf_kmeans(texts: list[str], k: int, seed: int) -> list[int]:
    matrix = TfidfVectorizer(
        stop_words=KEYWORD_STOP_WORDS, token_pattern=TOKEN_PATTERN, sublinear_tf=True
    ).fit_transform(texts)
    return KMeans(n_clusters=k, random_state=seed, n_init=10).fit_predict(matrix).tolist()


def spacy_lsa(texts: list[str], k: int, seed: int) -> list[int]:
    """The pipeline before this issue: spaCy ⊕ LSA embeddings, KMeans' own starts."""
    grouper = BertopicGrouper(SpacyLsaEmbedder(seed=seed), seed=seed, ward_start=False)
    return grouper.group(texts, n_topics=k).assignments


def spacy_lsa_use_kmeans(texts: list[str], k: int, seed: int) -> list[int]:
    """spaCy ⊕ LSA ⊕ USE multilingual v3 (centred, ×√2), KMeans' own starts."""
    grouper = BertopicGrouper(SpacyLsaSentenceEmbedder(seed=seed), seed=seed, ward_start=False)
    return grouper.group(texts, n_topics=k).assignments


def spacy_lsa_use(texts: list[str], k: int, seed: int) -> list[int]:
    """Today's pipeline at the same k: spaCy ⊕ LSA ⊕ USE, KMeans started from Ward's groups,
    every text in a group (no « À classer »), so that all methods are scored on the same footing."""
    grouper = BertopicGrouper(SpacyLsaSentenceEmbedder(seed=seed), seed=seed)
    return grouper.group(texts, n_topics=k, leave_unsorted=False).assignments


METHODS = {
    "spaCy+LSA (before)": spacy_lsa,
    "spaCy+LSA+USE": spacy_lsa_use_kmeans,
    "spaCy+LSA+USE+Ward": spacy_lsa_use,
    "LDA": lda,
    "TF-IDF + KMeans": tfidf_kmeans,
}


def shares_a_stem(title: str, human_label: str) -> bool:
    """Does the title share a word stem (accents and inflections aside) with the human label?"""
    return bool(set(content_stems(title)) & set(content_stems(human_label.replace("_", " "))))


def title_agreement(texts: list[str], labels: list[str], seeds: int) -> dict:
    """Share of groups whose title shares a stem with its members' majority human label:
    the noun-phrase title against the keyword triple it replaced."""
    noun_phrase, keyword_triple = [], []
    for seed in range(seeds):
        grouping = BertopicGrouper(seed=seed).group(
            texts, n_topics=automatic_topic_count(len(texts)), leave_unsorted=False
        )
        for topic in grouping.topics:
            majority = Counter(labels[i] for i in topic.members).most_common(1)[0][0]
            noun_phrase.append(shares_a_stem(topic.label, majority))
            keyword_triple.append(shares_a_stem(readable_label(topic.keywords), majority))
    row = {
        "n": len(texts),
        "groups": len(noun_phrase),
        "noun_phrase_title": round(float(np.mean(noun_phrase)), 3),
        "keyword_triple": round(float(np.mean(keyword_triple)), 3),
    }
    print(json.dumps(row, ensure_ascii=False), flush=True)
    return row


def misgrouped(truth: list[str], predicted: list[int]) -> np.ndarray:
    """Per text: is its human label other than its group's majority label?"""
    majority = {
        group: Counter(t for t, p in zip(truth, predicted, strict=True) if p == group).most_common(1)[0][0]
        for group in set(predicted)
    }
    return np.array([t != majority[p] for t, p in zip(truth, predicted, strict=True)])


def evaluate_automatic(texts, labels, sizes, seeds) -> list[dict]:
    """The app's automatic grouping as it runs: its own number of groups, « À classer » on.

    NMI/ARI count « À classer » as one more group (a fair penalty); the share set aside and how often
    those texts would have been misgrouped (their human label differs from their group's majority,
    with « À classer » off) tell whether it sets aside the right texts.
    """
    rows = []
    for n in sizes:
        found = {"k": [], "nmi": [], "ari": [], "unsorted": [], "misgrouped_unsorted": [], "misgrouped": []}
        for seed in range(seeds):
            rng = np.random.default_rng(seed)
            index = np.arange(len(texts)) if n >= len(texts) else rng.choice(len(texts), n, replace=False)
            sample = [texts[i] for i in index]
            truth = [labels[i] for i in index]
            grouper = BertopicGrouper(SpacyLsaSentenceEmbedder(seed=seed), seed=seed)
            grouping = grouper.group(sample)
            whole = grouper.group(sample, n_topics=len(grouping.topics), leave_unsorted=False)
            wrong = misgrouped(truth, whole.assignments)
            found["k"].append(len(grouping.topics))
            found["nmi"].append(normalized_mutual_info_score(truth, grouping.assignments))
            found["ari"].append(adjusted_rand_score(truth, grouping.assignments))
            found["unsorted"].append(len(grouping.unsorted) / len(sample))
            found["misgrouped"].append(wrong.mean())
            if grouping.unsorted:
                found["misgrouped_unsorted"].append(wrong[grouping.unsorted].mean())
        rows.append(
            {
                "n": min(n, len(texts)),
                "method": "automatique (k adaptatif, À classer)",
                "k_range": [min(found["k"]), max(found["k"])],
                "k_centre": automatic_topic_count(min(n, len(texts))),
            }
            | {
                key: round(float(np.mean(values)), 3)
                for key, values in found.items()
                if key != "k" and values
            }
        )
        print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
    return rows


def evaluate(texts, labels, sizes, seeds) -> list[dict]:
    rows = []
    for n in sizes:
        for method, run in METHODS.items():
            nmis, aris, seconds = [], [], []
            for seed in range(seeds):
                rng = np.random.default_rng(seed)
                index = np.arange(len(texts)) if n >= len(texts) else rng.choice(len(texts), n, replace=False)
                sample = [texts[i] for i in index]
                truth = [labels[i] for i in index]
                start = time.perf_counter()
                predicted = run(sample, automatic_topic_count(len(sample)), seed)
                seconds.append(time.perf_counter() - start)
                nmis.append(normalized_mutual_info_score(truth, predicted))
                aris.append(adjusted_rand_score(truth, predicted))
            rows.append(
                {
                    "n": min(n, len(texts)),
                    "k": automatic_topic_count(min(n, len(texts))),
                    "method": method,
                    "nmi": round(float(np.mean(nmis)), 3),
                    "ari": round(float(np.mean(aris)), 3),
                    "nmi_sd": round(float(np.std(nmis)), 3),
                    "ari_sd": round(float(np.std(aris)), 3),
                    "seconds": round(float(np.mean(seconds)), 2),
                }
            )
            print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
    return rows


def main() -> None:
    parser = bench_parser(__doc__, "topics_quality")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--sizes", default="40,120,300,1004")
    parser.add_argument("--methods", default=",".join(METHODS), help="comma-separated subset of the methods")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    for unwanted in set(METHODS) - set(args.methods.split(",")):
        del METHODS[unwanted]
    results = {
        "sib200-fra": evaluate(*sib200(), sizes, args.seeds),
        "residents-fr": evaluate(*residents(), [120], args.seeds),
        "sib200-fra automatic": evaluate_automatic(*sib200(), sizes, args.seeds),
        "residents-fr automatic": evaluate_automatic(*residents(), [120], args.seeds),
        # SIB-200's labels are English ("science/technology"): only the resident set's French
        # labels can share a stem with a French title.
        "residents-fr titles": title_agreement(*residents(), args.seeds),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_results(args.out, results)


if __name__ == "__main__":
    main()
