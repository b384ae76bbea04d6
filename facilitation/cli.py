"""Command line of Café concertation. Every command honours DATABASE_URL."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from facilitation import audit, cafes, public_address
from facilitation.access import hash_password
from facilitation.demo import create_demo_cafe
from facilitation.errors import CafeError, InvalidInput
from facilitation.records import EXPORT_COLUMNS, contribution_records
from facilitation.settings import SETTINGS, Settings, load_settings
from facilitation.storage import open_store

BASE_URL_HELP = "adresse publique (défaut : celle enregistrée, sinon CAFE_PUBLIC_BASE_URL)"


def _base_url(store, settings: Settings, given: str | None) -> str:
    return given or public_address.public_base_url(store, settings.cafe_public_base_url)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m facilitation",
        description="Café concertation : préparer, animer et exporter des cafés concertation.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMANDE")

    commands.add_parser("demo", help="crée un café de démonstration en cours et affiche son id")

    join = commands.add_parser("join-url", help="affiche le lien habitant d'une table")
    join.add_argument("cafe_id", metavar="CAFE_ID")
    join.add_argument("--table", type=int, required=True, help="numéro de la table")
    join.add_argument("--base-url", help=BASE_URL_HELP)

    tables = commands.add_parser(
        "tables", help="une ligne par table : numéro, nom, code capitaine, lien habitant"
    )
    tables.add_argument("cafe_id", metavar="CAFE_ID")

    round_cmd = commands.add_parser("round", help="ouvre le tour N ou ferme le tour ouvert d'un café")
    round_cmd.add_argument("cafe_id", metavar="CAFE_ID")
    round_actions = round_cmd.add_subparsers(dest="action", required=True, metavar="ACTION")
    round_actions.add_parser("open", help="ouvre le tour N (le tour ouvert est fermé)").add_argument(
        "position", type=int, metavar="N"
    )
    round_actions.add_parser("close", help="ferme le tour ouvert")

    public_url = commands.add_parser("public-url", help="affiche ou enregistre l'adresse publique")
    public_url.add_argument("url", nargs="?", metavar="URL", help="nouvelle adresse (sinon : l'afficher)")

    export = commands.add_parser("export", help="exporte toutes les contributions d'un café")
    export.add_argument("cafe_id", metavar="CAFE_ID")
    export.add_argument("--format", choices=("json", "csv"), default="csv")
    export.add_argument("--out", type=Path, help="fichier de sortie (défaut : sortie standard)")

    topics = commands.add_parser("topics", help="groupe en thèmes les textes d'un fichier CSV")
    topics.add_argument("input", type=Path, metavar="INPUT.csv")
    topics.add_argument("--text-column", required=True, metavar="COL", help="colonne des textes")
    topics.add_argument("--topics", type=int, metavar="K", help="nombre de groupes (défaut : automatique)")
    topics.add_argument("--lang", default="fr", help="langue des textes (seul « fr » est pris en charge)")
    topics.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="OUT.csv",
        help="lignes + topic_id, topic_label ; les groupes vont dans OUT.topics.csv",
    )

    harvest = commands.add_parser("harvest", help="groupe les contributions d'un café (nouvelle version)")
    harvest.add_argument("cafe_id", metavar="CAFE_ID")
    harvest.add_argument("--topics", type=int, metavar="K", help="nombre de groupes (défaut : automatique)")
    harvest.add_argument("--round", type=int, metavar="N", help="seulement le tour N")

    report = commands.add_parser("report", help="synthèse PDF d'un café")
    report.add_argument("cafe_id", metavar="CAFE_ID")
    report.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")

    fiches = commands.add_parser("fiches", help="une fiche d'observation PDF par groupe retenu, et le ZIP")
    fiches.add_argument("cafe_id", metavar="CAFE_ID")
    fiches.add_argument("--out", type=Path, required=True, metavar="DIR")

    cards = commands.add_parser("cards", help="cartes de table PDF avec QR code")
    cards.add_argument("cafe_id", metavar="CAFE_ID")
    cards.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    cards.add_argument("--base-url", help=BASE_URL_HELP)

    transfer_out = commands.add_parser(
        "transfer-export", help="exporte un café entier (ids compris) dans un fichier"
    )
    transfer_out.add_argument("cafe_id", metavar="CAFE_ID")
    transfer_out.add_argument("--out", type=Path, required=True, metavar="FICHIER.json")
    transfer_in = commands.add_parser(
        "transfer-import", help="importe un café exporté (deux fois : aucun effet)"
    )
    transfer_in.add_argument("file", type=Path, metavar="FICHIER.json")

    backup = commands.add_parser("backup", help="sauvegarde toute la base dans un fichier")
    backup.add_argument("--out", type=Path, required=True, metavar="FICHIER.json.gz")
    restore = commands.add_parser("restore", help="restaure une sauvegarde (ajoute ce qui manque)")
    restore.add_argument("file", type=Path, metavar="FICHIER.json.gz")

    purge = commands.add_parser(
        "purge", help="efface les contributions plus vieilles que la durée de conservation"
    )
    purge.add_argument("--days", type=int, help="durée en jours (défaut : CAFE_RETENTION_DAYS)")

    audit_cmd = commands.add_parser("audit", help="exporte le journal d'audit en CSV")
    audit_cmd.add_argument("--out", type=Path, required=True, metavar="FICHIER.csv")

    commands.add_parser(
        "hash-password", help="calcule l'empreinte du mot de passe organisateur (lu au clavier)"
    )
    commands.add_parser("settings", help="liste les réglages, leur valeur par défaut et leur aide")
    return parser


def _export(settings: Settings, args: argparse.Namespace) -> bytes:
    from exports.tabular import to_csv, to_json

    store = open_store(settings.database_url)
    records = contribution_records(store, args.cafe_id, timezone=settings.cafe_timezone)
    audit.record(store, "export", cafe_id=args.cafe_id, target=f"contributions ({args.format})")
    if args.format == "json":
        return to_json(records)
    return to_csv(records, EXPORT_COLUMNS)


def _topics(settings: Settings, args: argparse.Namespace) -> None:
    from facilitation.topics import make_grouper
    from facilitation.topics.csv_input import read_text_table, write_rows, write_topics

    if args.lang != "fr":
        raise InvalidInput("Seul le français (--lang fr) est pris en charge.")
    try:
        data = args.input.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"Impossible de lire {args.input} ({exc.strerror}).") from None
    table = read_text_table(data, args.text_column)
    if args.topics is not None and not 1 <= args.topics <= len(table.rows):
        raise InvalidInput(f"--topics doit être entre 1 et {len(table.rows)}.")
    grouper = make_grouper(settings.cafe_embedding_backend, settings.cafe_embedding_model_path)
    grouping = grouper.group([row[args.text_column] for row in table.rows], args.topics)
    topics_path = args.out.with_name(args.out.stem + ".topics" + (args.out.suffix or ".csv"))
    args.out.write_bytes(write_rows(table, grouping))
    topics_path.write_bytes(write_topics(table, grouping))
    print(f"{len(table.rows)} textes, {len(grouping.topics)} groupes : {args.out}, {topics_path}")


def _harvest(settings: Settings, args: argparse.Namespace) -> None:
    from facilitation import harvest
    from facilitation.topics import make_grouper

    store = open_store(settings.database_url)
    round_id = None
    if args.round is not None:
        rounds = {r.position: r.id for r in cafes.list_rounds(store, cafes.get_cafe(store, args.cafe_id).id)}
        if args.round not in rounds:
            raise InvalidInput(f"Le tour {args.round} n'existe pas dans ce café.")
        round_id = rounds[args.round]
    scope = harvest.scope_of([args.cafe_id], round_id)
    grouper = make_grouper(settings.cafe_embedding_backend, settings.cafe_embedding_model_path)
    version = harvest.run_harvest(store, grouper, scope, n_topics=args.topics)
    result = harvest.view(harvest.scope_data(store, scope), version)
    print(f"Version {version.number} : {version.note}")
    for topic in sorted(result.topics, key=lambda t: -t.size):
        keywords = ", ".join(topic.topic.keywords[:6])
        print(f"- {topic.topic.label} ({topic.size} contributions, {topic.supports} soutiens) : {keywords}")


def _documents(settings: Settings, args: argparse.Namespace) -> None:
    from facilitation import documents, synthesis

    store = open_store(settings.database_url)
    options = {
        "base_url": _base_url(store, settings, getattr(args, "base_url", None)),
        "timezone": settings.cafe_timezone,
    }
    if args.command == "fiches":
        args.out.mkdir(parents=True, exist_ok=True)
        sheets = synthesis.fiche_sheets(store, args.cafe_id)
        for sheet in sheets:
            name, content = documents.single_fiche(store, args.cafe_id, sheet.topic.key)
            (args.out / name).write_bytes(content)
        name, content = documents.render(store, args.cafe_id, "fiches", **options)
        (args.out / name).write_bytes(content)
        print(f"{len(sheets)} fiche(s) et {name} écrits dans {args.out}")
        return
    kind = {"report": "synthese", "cards": "cartes"}[args.command]
    _, content = documents.render(store, args.cafe_id, kind, **options)
    args.out.write_bytes(content)
    audit.record(store, "document généré", cafe_id=args.cafe_id, target=args.out.name)
    print(f"{args.out} écrit ({len(content) // 1024} Ko)")


def _live(settings: Settings, args: argparse.Namespace) -> None:
    """Commands for running a café from a script: what the organiser's buttons do."""
    store = open_store(settings.database_url)
    if args.command == "public-url":
        if args.url:
            print(public_address.set_public_base_url(store, args.url))
        else:
            print(public_address.public_base_url(store, settings.cafe_public_base_url))
        return
    cafe_id = cafes.get_cafe(store, args.cafe_id).id
    if args.command == "tables":
        base_url = _base_url(store, settings, None)
        for table in cafes.list_tables(store, cafe_id):
            link = cafes.join_link(store, cafe_id, table.number, base_url)
            print("\t".join((str(table.number), table.name, table.code, link)))
    elif args.action == "open":
        opened = cafes.open_round(store, cafe_id, cafes.round_at(store, cafe_id, args.position).id)
        print(f"Tour {opened.position} ouvert : {opened.question}")
    else:
        current = cafes.open_round_of(store, cafe_id)
        if current is None:
            raise InvalidInput("Aucun tour n'est ouvert dans ce café.")
        print(f"Tour {cafes.close_round(store, cafe_id, current.id).position} fermé.")


def _trust(settings: Settings, args: argparse.Namespace) -> None:
    import gzip
    import json

    from exports.tabular import to_csv
    from facilitation import rgpd
    from facilitation.storage.transfer import dump, load

    store = open_store(settings.database_url)
    if args.command == "transfer-export":
        args.out.write_text(json.dumps(rgpd.transfer_file(store, args.cafe_id), ensure_ascii=False), "utf-8")
        print(f"Café exporté dans {args.out} (contient des données personnelles : à transmettre avec soin).")
    elif args.command == "transfer-import":
        added = rgpd.import_transfer(store, _read_json(args.file))
        print(f"Import terminé : {sum(added.values())} ligne(s) ajoutée(s).")
    elif args.command == "backup":
        with gzip.open(args.out, "wt", encoding="utf-8") as handle:
            json.dump(dump(store.engine), handle, ensure_ascii=False)
        audit.record(store, "sauvegarde de la base", target=str(args.out))
        print(f"Sauvegarde écrite dans {args.out}")
    elif args.command == "restore":
        try:
            with gzip.open(args.file, "rt", encoding="utf-8") as handle:
                payload = json.load(handle)
            added = load(store.engine, payload)
        except (OSError, ValueError, KeyError) as exc:
            raise InvalidInput(f"Sauvegarde illisible : {args.file} ({exc}).") from None
        audit.record(store, "restauration de la base", target=str(args.file))
        print(f"Restauration terminée : {sum(added.values())} ligne(s) ajoutée(s).")
    elif args.command == "purge":
        report = rgpd.purge_expired(store, args.days or settings.cafe_retention_days)
        print(f"{report.contributions} contribution(s) effacée(s) dans {len(report.cafes)} café(s).")
    elif args.command == "audit":
        records = audit.audit_records(store, timezone=settings.cafe_timezone)
        args.out.write_bytes(to_csv(records, audit.AUDIT_COLUMNS, delimiter=";", excel=True))
        print(f"{len(records)} événement(s) écrits dans {args.out}")


def _read_json(path: Path) -> dict:
    import json

    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"Fichier illisible : {path} ({exc}).") from None


def main(argv: list[str] | None = None) -> int:
    """Run one command; return the process exit code."""
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        audit.set_actor(audit.COMMAND_LINE)
        if args.command == "demo":
            cafe = create_demo_cafe(open_store(settings.database_url))
            print(f"Café de démonstration créé : {cafe.title}")
            print(cafe.id)
        elif args.command == "join-url":
            store = open_store(settings.database_url)
            print(cafes.join_link(store, args.cafe_id, args.table, _base_url(store, settings, args.base_url)))
        elif args.command in ("tables", "round", "public-url"):
            _live(settings, args)
        elif args.command == "export":
            data = _export(settings, args)
            if args.out:
                args.out.write_bytes(data)
                print(f"Export écrit dans {args.out}", file=sys.stderr)
            else:
                sys.stdout.buffer.write(data)
        elif args.command == "topics":
            _topics(settings, args)
        elif args.command == "harvest":
            _harvest(settings, args)
        elif args.command in ("report", "fiches", "cards"):
            _documents(settings, args)
        elif args.command in ("transfer-export", "transfer-import", "backup", "restore", "purge", "audit"):
            _trust(settings, args)
        elif args.command == "hash-password":
            password = getpass.getpass("Mot de passe organisateur : ")
            if getpass.getpass("Répétez-le : ") != password:
                print("Erreur : les deux saisies diffèrent.", file=sys.stderr)
                return 2
            print(hash_password(password))
        elif args.command == "settings":
            for setting in SETTINGS:
                print(f"{setting.name} (défaut : {setting.default!r})\n    {setting.help}")
    except (CafeError, ValueError) as exc:
        print(f"Erreur : {getattr(exc, 'message', exc)}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"Erreur : impossible d'écrire le fichier ({exc.strerror}).", file=sys.stderr)
        return 2
    return 0
