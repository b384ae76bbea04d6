"""Command line of Café concertation. Every command honours DATABASE_URL."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from facilitation import cafes
from facilitation.access import hash_password
from facilitation.demo import create_demo_cafe
from facilitation.errors import CafeError
from facilitation.records import EXPORT_COLUMNS, contribution_records
from facilitation.settings import SETTINGS, Settings, load_settings
from facilitation.storage import open_store


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
    join.add_argument("--base-url", help="adresse publique (défaut : CAFE_PUBLIC_BASE_URL)")

    export = commands.add_parser("export", help="exporte toutes les contributions d'un café")
    export.add_argument("cafe_id", metavar="CAFE_ID")
    export.add_argument("--format", choices=("json", "csv"), default="csv")
    export.add_argument("--out", type=Path, help="fichier de sortie (défaut : sortie standard)")

    commands.add_parser(
        "hash-password", help="calcule l'empreinte du mot de passe organisateur (lu au clavier)"
    )
    commands.add_parser("settings", help="liste les réglages, leur valeur par défaut et leur aide")
    return parser


def _export(settings: Settings, args: argparse.Namespace) -> bytes:
    from exports.tabular import to_csv, to_json

    store = open_store(settings.database_url)
    records = contribution_records(store, args.cafe_id, timezone=settings.cafe_timezone)
    if args.format == "json":
        return to_json(records)
    return to_csv(records, EXPORT_COLUMNS)


def main(argv: list[str] | None = None) -> int:
    """Run one command; return the process exit code."""
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        if args.command == "demo":
            cafe = create_demo_cafe(open_store(settings.database_url))
            print(f"Café de démonstration créé : {cafe.title}")
            print(cafe.id)
        elif args.command == "join-url":
            store = open_store(settings.database_url)
            base_url = args.base_url or settings.cafe_public_base_url
            print(cafes.join_link(store, args.cafe_id, args.table, base_url))
        elif args.command == "export":
            data = _export(settings, args)
            if args.out:
                args.out.write_bytes(data)
                print(f"Export écrit dans {args.out}", file=sys.stderr)
            else:
                sys.stdout.buffer.write(data)
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
