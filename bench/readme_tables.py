"""The README's results tables, generated from bench/results/*.json so that they cannot drift.

The README holds each table between two markers, `<!-- bench:NAME -->` and `<!-- /bench -->`; this
script writes what is between them from the benches' files (every row says the machine and the date
it was measured on). Prose that interprets the figures stays outside the markers and states none.

    .venv/bin/python -m bench.readme_tables --write   # after a bench run: rewrite the tables
    .venv/bin/python -m bench.readme_tables --check   # exit 1 when the README and the files disagree

tests/test_readme.py runs the check in the suite.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

from facilitation.domain.wording import decimal, percent, plural

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
README = ROOT / "README.md"
BLOCK = re.compile(r"(<!-- bench:(?P<name>[a-z_]+) -->\n)(?P<body>.*?)(<!-- /bench -->)", re.S)


def _load(name: str):
    return json.loads((RESULTS / f"{name}.json").read_text(encoding="utf-8"))


def _measured(*sources: dict) -> str:
    """« 2 vCPU Intel Xeon, 24 Gio, Python 3.11, 27/11/2026 »: the first source that says it."""
    for source in sources:
        if source.get("machine") and source.get("date"):
            day = date.fromisoformat(source["date"]).strftime("%d/%m/%Y")
            return f"{source['machine']}, {day}"
    raise ValueError("a result without its machine and date (bench.common.write_results stamps them)")


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _d(value: float, digits: int = 2) -> str:
    """A French decimal that never reads « -0,00 »."""
    return decimal(round(value, digits) + 0.0, digits)


def _n(value: int) -> str:
    return decimal(value, 0)


def _s(seconds: float, digits: int = 1) -> str:
    return f"{decimal(seconds, digits)} s"


def _ms(milliseconds: float, digits: int = 1) -> str:
    return f"{decimal(milliseconds, digits)} ms"


def _kb(size: int) -> str:
    return f"{decimal(size / 1000, 1)} Ko" if size < 1_000_000 else f"{decimal(size / 1_000_000, 2)} Mo"


def _range(values: list[float], render: Callable[[float], str]) -> str:
    low, high = min(values), max(values)
    return render(low) if render(low) == render(high) else f"{render(low)} à {render(high)}"


# -- grouping --------------------------------------------------------------------------------------
QUALITY_METHODS = ["spaCy+LSA (before)", "spaCy+LSA+USE", "spaCy+LSA+USE+Ward", "LDA", "TF-IDF + KMeans"]
DATASETS = {"sib200-fra": "SIB-200 fr", "residents-fr": "habitants (projet)"}


def topics_quality() -> str:
    results = _load("topics_quality")
    rows = []
    for key, label in DATASETS.items():
        by_size: dict[int, dict[str, dict]] = {}
        for row in results[key]:
            by_size.setdefault(row["n"], {})[row["method"]] = row
        for n, methods in by_size.items():
            best_nmi = max(methods[m]["nmi"] for m in QUALITY_METHODS)
            best_ari = max(methods[m]["ari"] for m in QUALITY_METHODS)

            def score(value: float, best: float) -> str:
                return f"**{_d(value)}**" if value == best else _d(value)

            rows.append(
                [label, _n(n), str(methods[QUALITY_METHODS[0]]["k"])]
                + [score(methods[m]["nmi"], best_nmi) for m in QUALITY_METHODS]
                + [score(methods[m]["ari"], best_ari) for m in QUALITY_METHODS]
                + [_measured(methods[QUALITY_METHODS[0]], results)]
            )
    names = ["avant", "+USE", "actuel", "LDA", "TF-IDF+KMeans"]
    header = ["jeu de données", "n", "groupes", *(f"NMI {m}" for m in names), *(f"ARI {m}" for m in names)]
    return _table([*header, "mesuré sur, le"], rows)


def topics_automatic() -> str:
    results = _load("topics_quality")
    rows = []
    for key, label in DATASETS.items():
        for row in results[f"{key} automatic"]:
            low, high = row["k_range"]
            chosen = str(low) if low == high else f"{low} à {high}"
            rows.append(
                [
                    label,
                    _n(row["n"]),
                    f"{chosen} ({row['k_centre']})",
                    _d(row["nmi"]),
                    _d(row["ari"]),
                    percent(row["unsorted"], 1 if row["unsorted"] < 0.1 else 0),
                    percent(row["misgrouped_unsorted"]),
                    percent(row["misgrouped"]),
                    _measured(row, results),
                ]
            )
    header = [
        "jeu de données",
        "n",
        "groupes choisis (centre √(n/2))",
        "NMI",
        "ARI",
        "« À classer »",
        "mal groupées parmi elles",
        "mal groupées en tout",
        "mesuré sur, le",
    ]
    return _table(header, rows)


def topics_stability() -> str:
    results = _load("topics_stability")
    trials = results["trials"]
    moved = [t["moved_after_adding_one"] for t in trials]
    afresh = [t["moved_afresh"] for t in trials]
    harvest_moved = [t["harvest_moved_after_adding_one"] for t in trials]
    demo = results["demo_cafe_rerun"]
    measured = _measured(results)
    count = len(trials)

    def share(value: float) -> str:
        return percent(value, 1)

    rows = [
        [
            "mêmes contributions, regroupées deux fois",
            f"mêmes groupes {sum(t['same_input_same_groups'] for t in trials)} fois sur {count}",
            measured,
        ],
        [
            "récolte relancée sans rien de nouveau : contributions déplacées, version enregistrée, "
            "confirmation demandée",
            f"{share(max(t['rerun_nothing_new_moved'] for t in trials))} au plus ; "
            f"{sum(t['rerun_nothing_new_saved_a_version'] for t in trials)} version, "
            f"{sum(t['rerun_nothing_new_asked_confirmation'] for t in trials)} confirmation sur {count}",
            measured,
        ],
        [
            f"une phrase ajoutée puis récolte relancée : part des {results['n']} autres qui changent de "
            "groupe ; déplacement fait par une personne gardé",
            f"{_range(harvest_moved, share)} ; gardé {sum(t['persons_move_kept'] for t in trials)} fois "
            f"sur {count}",
            measured,
        ],
        [
            "moteur seul relancé depuis les groupes actuels, une phrase ajoutée : part des autres qui "
            "changent de groupe",
            f"{share(sum(moved) / count)} en moyenne ({_range(moved, share)})",
            measured,
        ],
        [
            "moteur seul, regroupement à neuf, une phrase ajoutée",
            f"{share(sum(afresh) / count)} en moyenne ({_range(afresh, share)})",
            measured,
        ],
        [
            "café de démonstration relancé sans rien de nouveau : groupes changés, « À classer » avant → "
            "après",
            f"{demo['groups_changed_by_rerun']} sur {demo['groups']} ; "
            f"{demo['unsorted_before']} → {demo['unsorted_after']}",
            measured,
        ],
    ]
    return _table(["mesure", f"résultat ({count} tirages)", "mesuré sur, le"], rows)


# -- phones and screens ----------------------------------------------------------------------------
VERSIONS = {"courante": "actuelle", "cafe-before": "application Streamlit (avant)"}


def resident_page() -> str:
    results = _load("resident_page")
    rows = [
        [
            VERSIONS.get(row["version"], row["version"]),
            "local" if row["network"] == "loopback" else row["network"],
            _kb(row["bytes_until_usable"] + row.get("websocket_bytes", 0)),
            _s(row["seconds_until_usable"], 2 if row["seconds_until_usable"] < 1 else 1),
            _measured(row, results),
        ]
        for row in results["first_load"]
    ]
    phones = results["phones"]
    table = _table(
        ["page", "réseau", "octets transférés", "secondes jusqu'au champ utilisable", "mesuré sur, le"], rows
    )
    phone_rows = [
        [
            f"{phones['phones']} téléphones, 3 idées chacun (réglages par défaut)",
            f"{phones['acknowledged']} acquittés, {phones['lost']} perdu, {phones['duplicated']} doublon",
            f"p50 {_ms(phones['server_p50_ms'], 0)}, p95 {_ms(phones['server_p95_ms'], 0)}",
            f"{_s(phones['server_cpu_s'])}, {phones['server_peak_mb']} Mo",
            _measured(phones, results),
        ]
    ]
    header = [
        "scénario",
        "envois",
        "envoi → merci (au serveur)",
        "CPU, mémoire crête du serveur",
        "mesuré sur, le",
    ]
    return table + "\n" + _table(header, phone_rows)


def room_limits() -> str:
    results = _load("room_limits")
    half_open = {row["version"]: row for row in results["half_open"]}
    flooded = {row["version"]: row for row in results["flooded_table"]}

    def held(row: dict) -> str:
        if not row["acknowledged"]:
            silent = f"{row['failed']} téléphones sans réponse en 10 s"
            return f"**{row['acknowledged']} envoi acquitté sur {row['sent']}** ({silent})"
        return (
            f"{row['acknowledged']} acquittés sur {row['sent']}, **{row['lost']} perdu** ; envoi → merci au "
            f"téléphone p50 {_s(row['phone_p50_ms'] / 1000, 2)}, "
            f"p95 **{_s(row['phone_p95_ms'] / 1000, 2)}**, "
            f"au serveur p95 {_s(row['server_p95_ms'] / 1000, 2)} ; CPU serveur {_s(row['server_cpu_s'])}, "
            f"{row['server_peak_mb']} Mo"
        )

    def flood(row: dict) -> str:
        return (
            f"{_kb(row['bytes_until_usable'])} transférés, "
            f"champ utilisable en **{_s(row['seconds_until_usable'])}** ; "
            f"état relu {_kb(row['state_bytes'])}"
        )

    before, now = "cafe-before-limits", "courante"
    measured = _measured(results)
    rows = [
        [
            f"{_n(half_open[now]['half_open_target'])} connexions à moitié ouvertes tenues pendant que "
            f"{half_open[now]['phones']} téléphones envoient 3 idées chacun",
            held(half_open[before]),
            held(half_open[now]),
            measured,
        ],
        [
            f"table inondée ({flooded[now]['table_ideas']} idées de "
            f"{_n(flooded[now]['idea_chars'])} caractères), "
            f"premier chargement du téléphone en {flooded[now]['network']}",
            flood(flooded[before]),
            flood(flooded[now]),
            measured,
        ],
    ]
    return _table(["scénario", "avant", "maintenant", "mesuré sur, le"], rows)


def cafe_rehearsal() -> str:
    results = _load("cafe_rehearsal")
    edges = results["round_edges"]
    measured = _measured(results)
    lost = len(results["lost"])
    rows = [
        [
            f"{results['phones']} téléphones ({results['phone_ideas_acknowledged']} idées) et "
            f"{results['captains']} capitaines ({results['captain_sentences_typed']} phrases)",
            f"**{lost} / {results['duplicated']} / {results['merged_or_unknown']} / {results['misfiled']}**",
            f"envoi → merci au serveur p50 {_s(results['server_p50_ms'] / 1000)}, p95 "
            f"{_s(results['server_p95_ms'] / 1000)} ; CPU serveur {_s(results['server_cpu_s'])}, "
            f"{results['server_peak_mb']} Mo",
            measured,
        ],
        [
            f"bords des tours : {edges['captains']} capitaines, "
            f"{edges['round_changes']} changements de tour, "
            f"{edges['sentences_entered']} phrases entrées ({edges['stored']} enregistrées, "
            f"{edges['kept_as_drafts']} gardées en brouillon)",
            f"**{len(edges['lost'])} / {edges['duplicated']} / {edges['merged_or_unknown']} / "
            f"{edges['misfiled']}**",
            f"champ fermé après la fin d'un tour p95 **{_s(edges['box_close_p95_s'], 2)}** (pire "
            f"{_s(edges['box_close_max_s'], 2)}), rouvert p95 **{_s(edges['box_reopen_p95_s'], 2)}** (pire "
            f"{_s(edges['box_reopen_max_s'], 2)}) ; cible p95 < 2 s",
            measured,
        ],
    ]
    return _table(
        ["scénario", "perdues / en double / fusionnées / mal rangées", "délais", "mesuré sur, le"], rows
    )


def load_residents() -> str:
    results = _load("load_residents")
    rows = [
        [
            str(row["residents"]),
            str(row["submits"]),
            _s(row["p50_s"]),
            _s(row["p95_s"]),
            _s(row["server_cpu_s"]),
            f"{row['server_peak_mb']} Mo",
            str(row["lost_writes"]),
            _measured(row),
        ]
        for row in results
    ]
    header = [
        "N",
        "envois",
        "envoi → merci p50 (navigateur)",
        "p95",
        "CPU serveur",
        "mémoire crête serveur",
        "écritures perdues",
        "mesuré sur, le",
    ]
    return _table(header, rows)


# -- speed and memory ------------------------------------------------------------------------------
def speed() -> str:
    rows = []
    speed_rows = {(r["mode"], r.get("vectors")): r for r in _load("topics_speed")}
    load = speed_rows["load", None]
    rows.append(
        [
            "import du code de regroupement + modèle spaCy + encodeur de phrases, processus neuf",
            f"{_s(load['import_s'])} + {_s(load['spacy_load_s'])} + {_s(load['encoder_load_s'])} "
            f"({_s(load['process_wall_s'])} de processus), {_n(load['peak_rss_mb'])} Mo",
            "réduire",
            _measured(load),
        ]
    )
    warm = speed_rows["warm", None]
    rows.append(
        [
            f"{warm['n']} contributions, processus déjà chaud, vecteurs en cache (relance)",
            f"**{_s(warm['cached_s'], 2)}**",
            "< 1 s",
            _measured(warm),
        ]
    )
    rows.append(
        [
            f"{warm['n']} contributions, processus déjà chaud, sans cache",
            f"**{_s(warm['uncached_s'], 2)}**",
            "< 3 s",
            _measured(warm),
        ]
    )
    for cache, text, target in (
        ("cached", "processus neuf, vecteurs en cache", "< 60 s, < 1,2 Go"),
        ("uncached", "rien en cache (elle range les vecteurs)", "–"),
    ):
        row = speed_rows["harvest", cache]
        rows.append(
            [
                f"récolte multi-cafés de {_n(row['n'])} contributions (SQLite), {text}",
                f"**{_s(row['process_wall_s'])}**, **{_n(row['peak_rss_mb'])} Mo** crête",
                target,
                _measured(row),
            ]
        )
    cli = speed_rows["cli topics", None]
    rows.append(
        [
            f"`python -m facilitation topics` sur un nouveau CSV de {_n(cli['n'])} lignes (rien en cache)",
            f"**{_s(cli['process_wall_s'], 0)}**, {_n(cli['peak_rss_mb'])} Mo",
            "< 4 min",
            _measured(cli),
        ]
    )
    for row in _load("search_speed"):
        medians = [query["median_ms"] for query in row["queries"].values()]
        engine = "SQLite FTS5" if row["database"] == "sqlite" else "PostgreSQL"
        rows.append(
            [
                f"recherche dans {_n(row['rows'])} contributions, {engine}",
                f"{_range(medians, lambda v: _ms(v, 0))} "
                f"(médiane de 5, {len(medians)} requêtes dont filtres lieu + dates)",
                "< 200 ms",
                _measured(row),
            ]
        )
    pdf = _load("pdf_speed")
    rows.append(
        [
            f"synthèse PDF d'un café de {pdf['contributions']} contributions",
            f"{_s(pdf['median_s'], 2)} (médiane de {pdf['runs']})",
            "< 2 s",
            _measured(pdf),
        ]
    )
    handover = _load("handover_pdfs")
    rows.append(
        [
            f"passages de relais d'un café de {handover['tables']} tables après le tour 1 "
            f"({_n(handover['ideas'])} idées, un PDF par table) : `.venv/bin/python -m bench.handover_pdfs`",
            f"**{_s(handover['all_tables_median_s'])}** les {handover['tables']} (médiane de "
            f"{handover['runs']}, pire {_s(handover['all_tables_max_s'])} ; lecture "
            f"{_ms(handover['read_median_ms'], 0)}) ; {_ms(handover['pdf_per_table_median_ms'], 0)} par PDF "
            f"(p95 {_ms(handover['pdf_per_table_p95_ms'], 0)}) ; "
            f"{_ms(handover['one_table_with_its_read_median_ms'], 0)} pour « Imprimer » d'un capitaine "
            f"(lecture comprise) ; {plural(max(handover['pages_per_pdf']), 'page', 'pages')} au plus",
            f"< 5 s les {handover['tables']}",
            _measured(handover),
        ]
    )
    photo = _load("tablecloth_photo")
    ocr = (
        f" ; lue par Tesseract en {_s(photo['ocr_s'])}, {photo['ocr_drafts']} brouillons, "
        f"lignes imprimées retrouvées {photo['ocr_lines_found']}"
        if photo.get("ocr_s") is not None
        else ""
    )
    width, height = (int(side) for side in re.match(r"(\d+)×(\d+)", photo["photo"]).groups())
    rows.append(
        [
            f"photo de nappe de {decimal(width * height / 1e6, 0)} mégapixels ({width}×{height}, JPEG de "
            f"{_kb(photo['input_kb'] * 1024)} avec EXIF GPS) jointe par le cas "
            "d'usage (SQLite) : `.venv/bin/python -m bench.tablecloth_photo`",
            f"jointe en **{_s(photo['attach_median_s'])}** (médiane de {photo['runs']}, pire "
            f"{_s(photo['attach_max_s'])} ; réencodage seul {_s(photo['reencode_median_s'])}) ; gardée en "
            f"{photo['stored_pixels']}, {_kb(photo['stored_kb'] * 1024)}, "
            f"{'métadonnées restantes' if photo['metadata_left'] else 'sans métadonnée'}{ocr}",
            "< 3 s",
            _measured(photo),
        ]
    )
    writers = _load("storage_writers")
    for key, label in (("sqlite", "SQLite"), ("postgresql", "PostgreSQL (pool 5 + 10)")):
        row = writers[key]
        rows.append(
            [
                f"100 écrivains simultanés × 10 envois, {label}",
                f"{row['writes_per_s']} envois/s, p50 {_ms(row['p50_ms'], 0)}, "
                f"p95 {_s(row['p95_ms'] / 1000)}, "
                f"{row['lost_writes']} perdu, {row['supports_counted']}/{row['supports_expected']} soutiens",
                "0 perdu",
                _measured(writers),
            ]
        )
    phones = _load("phones_and_captains")
    before, after = phones["before"], phones["after"]
    scenario = phones["scenario"]
    rows.append(
        [
            f"{scenario['phones']} téléphones qui rafraîchissent leur table pendant que "
            f"{scenario['captains']} capitaines écrivent, SQLite, {_s(scenario['seconds'], 0)} — "
            f"commit {before['commit']} → commit {after['commit']}, dans le même lancement",
            f"lecture p95 {_ms(before['read_p95_ms'])} → **{_ms(after['read_p95_ms'])}** (p50 "
            f"{_ms(before['read_p50_ms'])} → {_ms(after['read_p50_ms'])}, "
            f"pire {_ms(before['read_max_ms'])} → "
            f"{_ms(after['read_max_ms'])}) ; envoi p95 {_ms(before['write_p95_ms'])} → "
            f"{_ms(after['write_p95_ms'])} ; {after['errors']} erreur",
            "un rafraîchissement en une transaction, qui n'attend pas les écritures",
            _measured(phones),
        ]
    )
    screens = _load("idle_screens")
    default, project = (next(r for r in screens["runs"] if r["post_script_gc"] is gc) for gc in (True, False))
    rows.append(
        [
            f"écrans Streamlit d'un café au repos ({default['screens']} navigateurs) puis "
            f"{screens['scenario']['rounds']} nouveaux tours, SQLite — ramasse-miettes de Streamlit après "
            "chaque exécution (défaut) → sans (réglage du projet)",
            f"CPU au repos {decimal(default['idle_cpu_cores'])} cœur → "
            f"**{decimal(project['idle_cpu_cores'])} cœur** ; écran qui suit un nouveau tour : "
            f"médiane {_follow(default, 'follow_p50_s')} → **{_follow(project, 'follow_p50_s')}**, "
            f"pire {_follow(default, 'follow_max_s')} → **{_follow(project, 'follow_max_s')}** ; "
            f"{_never_loaded(default)} → {_never_loaded(project)} ; "
            f"mémoire crête {default['server_peak_rss_mib']} → {project['server_peak_rss_mib']} Mo",
            "un écran suit un nouveau tour en moins de 5 s",
            _measured(screens),
        ]
    )
    return _table(["mesure", "résultat", "cible", "mesuré sur, le"], rows)


def _follow(run: dict, key: str) -> str:
    """A screen's delay to follow a new round; « aucun » when no screen followed any round."""
    return "— (aucun n'a suivi)" if run[key] is None else _s(run[key])


def _never_loaded(run: dict) -> str:
    """How many screens never showed the open question in 120 s (older results did not count them)."""
    never = len(run.get("never_loaded_in_120_s", []))
    return plural(never, "écran jamais chargé", "écrans jamais chargés")


BLOCKS: dict[str, Callable[[], str]] = {
    "topics_quality": topics_quality,
    "topics_automatic": topics_automatic,
    "topics_stability": topics_stability,
    "resident_page": resident_page,
    "room_limits": room_limits,
    "cafe_rehearsal": cafe_rehearsal,
    "load_residents": load_residents,
    "speed": speed,
}


def generated(readme: str) -> str:
    """The README with every generated block written from the results files."""
    found = {match["name"] for match in BLOCK.finditer(readme)}
    missing = set(BLOCKS) - found
    if missing:
        raise ValueError(
            f"README.md lacks the blocks {sorted(missing)} (<!-- bench:NAME --> … <!-- /bench -->)"
        )
    unknown = found - set(BLOCKS)
    if unknown:
        raise ValueError(f"README.md has blocks no function writes: {sorted(unknown)}")
    return BLOCK.sub(lambda m: m.group(1) + BLOCKS[m["name"]]() + m.group(4), readme)


def differences(readme: str) -> list[str]:
    """The names of the blocks whose text is not what the results files give."""
    bodies = {match["name"]: match["body"] for match in BLOCK.finditer(readme)}
    return [name for name, build in BLOCKS.items() if bodies.get(name) != build()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", action="store_true", help="rewrite the README's tables from the files")
    action.add_argument("--check", action="store_true", help="exit 1 when they disagree")
    args = parser.parse_args()
    readme = README.read_text(encoding="utf-8")
    if args.write:
        README.write_text(generated(readme), encoding="utf-8")
        return 0
    generated(readme)  # every block is there
    stale = differences(readme)
    if stale:
        print(
            f"README.md disagrees with bench/results for: {', '.join(stale)} (run --write)", file=sys.stderr
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
