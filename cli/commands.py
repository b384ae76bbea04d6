"""Command line of Café concertation. Every command honours DATABASE_URL."""

from __future__ import annotations

import argparse
import getpass
import re
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

from facilitation.adapters.files import os_reason, write_private_file
from facilitation.composition import App, build_app
from facilitation.domain import actors
from facilitation.domain.access import hash_password
from facilitation.domain.errors import CafeError, InvalidInput, StorageUnavailable
from facilitation.domain.wording import cafe_label, plural
from facilitation.services import audit, cafes, public_address, sessions
from facilitation.services.demo import create_demo_cafe
from facilitation.settings import SETTINGS, Settings, load_settings

BASE_URL_HELP = "adresse publique (défaut : celle enregistrée, sinon CAFE_PUBLIC_BASE_URL)"


def _base_url(store, settings: Settings, given: str | None) -> str:
    if given is None:
        return public_address.public_base_url(store, settings.cafe_public_base_url)
    cleaned = given.strip().rstrip("/")
    problem = public_address.address_problem(cleaned)
    if problem:
        raise InvalidInput(f"--base-url : {problem}")
    return cleaned


# argparse's own messages (Python 3.11–3.13), in French: the rest of the command line speaks it.
_ARGPARSE_FRENCH = (
    (r"the following arguments are required: (.*)", r"arguments obligatoires manquants : \1"),
    (r"unrecognized arguments: (.*)", r"arguments en trop : \1"),
    (r"argument (\S+): invalid int value: (.*)", r"\1 : nombre entier attendu, pas \2"),
    (r"argument (\S+): invalid (\S+) value: (.*)", r"\1 : valeur \3 invalide"),
    (r"argument COMMANDE: invalid choice: (.*?) \(choose from .*\)", r"commande \1 inconnue"),
    (r"argument (\S+): invalid choice: (.*?) \(choose from (.*)\)", r"\1 : \2 n'est pas parmi \3"),
    (r"argument (\S+): expected one argument", r"\1 : une valeur est attendue"),
    (r"argument (\S+): expected at least one argument", r"\1 : au moins une valeur est attendue"),
    (r"argument (\S+): ignored explicit argument (.*)", r"\1 : valeur \2 inattendue"),
    (r"ambiguous option: (\S+) could match (.*)", r"option \1 ambiguë (\2)"),
    (r"argument (\S+): (.*)", r"\1 : \2"),
)


class _FrenchFormatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None) -> None:
        super().add_usage(usage, actions, groups, "utilisation : " if prefix is None else prefix)


class _FrenchParser(argparse.ArgumentParser):
    """An argument parser that helps and refuses in French, like the rest of the command line."""

    def __init__(self, *args, add_help: bool = True, **kwargs) -> None:
        kwargs.setdefault("formatter_class", _FrenchFormatter)
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title = "arguments"
        self._optionals.title = "options"
        if add_help:
            self.add_argument(
                "-h",
                "--help",
                action="help",
                default=argparse.SUPPRESS,
                help="affiche cette aide et s'arrête",
            )

    def error(self, message: str) -> NoReturn:
        for english, french in _ARGPARSE_FRENCH:
            message = re.sub(f"^{english}$", french, message, flags=re.DOTALL)
        self.exit(2, _one_line(f"Erreur : {message} (aide : {self.prog} --help)") + "\n")


def _one_line(message: str) -> str:
    """The message on one line, each over-long word cut: an error never echoes a pasted megabyte."""
    flat = " ".join(line.strip() for line in message.splitlines())
    return re.sub(r"[^ ]{81,}", lambda long: long.group()[:80] + "…", flat)


def _parser() -> argparse.ArgumentParser:
    parser = _FrenchParser(
        prog="python -m facilitation",
        description="Café concertation : préparer, animer et exporter des cafés concertation.",
    )
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMANDE", parser_class=_FrenchParser
    )

    def cafe_command(name: str, summary: str) -> argparse.ArgumentParser:
        """A command about one café, whose id comes first."""
        command = commands.add_parser(name, help=summary)
        command.add_argument("cafe_id", metavar="CAFE_ID")
        return command

    commands.add_parser(
        "demo",
        help="crée un café de démonstration en cours, affiche son id puis quoi ouvrir "
        "(codes capitaine, liens des téléphones, mur, pages de l'organisateur)",
    )

    join = cafe_command("join-url", "affiche le lien habitant d'une table")
    join.add_argument("--table", type=int, required=True, help="numéro de la table")
    join.add_argument("--base-url", help=BASE_URL_HELP)

    wall = cafe_command(
        "wall-url", "affiche le lien du mur d'un café (lecture seule, sans jeton organisateur)"
    )
    wall.add_argument("--base-url", help=BASE_URL_HELP)
    wall.add_argument(
        "--revoke", action="store_true", help="révoque le lien actuel du mur et affiche le nouveau"
    )

    cafe_command("tables", "une ligne par table : numéro, nom, code capitaine, lien habitant")

    round_cmd = cafe_command("round", "ouvre le tour N ou ferme le tour ouvert d'un café")
    round_actions = round_cmd.add_subparsers(
        dest="action", required=True, metavar="ACTION", parser_class=_FrenchParser
    )
    round_actions.add_parser("open", help="ouvre le tour N (le tour ouvert est fermé)").add_argument(
        "position", type=int, metavar="N"
    )
    round_actions.add_parser("close", help="ferme le tour ouvert")

    public_url = commands.add_parser("public-url", help="affiche ou enregistre l'adresse publique")
    public_url.add_argument("url", nargs="?", metavar="URL", help="nouvelle adresse (sinon : l'afficher)")

    export = cafe_command("export", "exporte toutes les contributions d'un café")
    export.add_argument("--format", choices=("json", "csv"), default="csv")
    export.add_argument("--out", type=Path, help="fichier de sortie (défaut : sortie standard)")

    topics = commands.add_parser("topics", help="groupe en thèmes les textes d'un fichier CSV")
    topics.add_argument("input", type=Path, metavar="INPUT.csv")
    topics.add_argument("--text-column", required=True, metavar="COL", help="colonne des textes")
    topics.add_argument("--topics", type=int, metavar="K", help="nombre de groupes (défaut : automatique)")
    topics.add_argument("--lang", default="fr", help="langue des textes (seul « fr » est pris en charge)")
    topics.add_argument("--excel", action="store_true", help="CSV avec BOM, pour qu'Excel lise les accents")
    topics.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="OUT.csv",
        help="lignes + topic_id, topic_label ; les groupes vont dans OUT.topics.csv",
    )

    harvest = cafe_command("harvest", "groupe les contributions d'un café (nouvelle version)")
    harvest.add_argument("--topics", type=int, metavar="K", help="nombre de groupes (défaut : automatique)")
    harvest.add_argument("--round", type=int, metavar="N", help="seulement le tour N")
    harvest.add_argument(
        "--afresh", action="store_true", help="regroupe à neuf au lieu de partir des groupes actuels"
    )
    harvest.add_argument(
        "--confirm", metavar="JETON", help="confirme une relance qui change des groupes retenus"
    )

    report = cafe_command("report", "synthèse PDF d'un café")
    report.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")

    nappe = cafe_command(
        "nappe", "joint la photo d'une nappe à une table et un tour (réencodée sans métadonnées)"
    )
    nappe.add_argument("--table", type=int, required=True, help="numéro de la table")
    nappe.add_argument("--round", type=int, required=True, metavar="R", help="numéro du tour")
    nappe.add_argument("photo", type=Path, metavar="PHOTO", help="photo JPEG, PNG ou WebP (8 Mo au plus)")

    keep = cafe_command(
        "keep", "retient des groupes de la dernière récolte pour les fiches (clés affichées par harvest)"
    )
    keep.add_argument("keys", nargs="+", metavar="CLÉ")

    fiches = cafe_command("fiches", "une fiche d'observation PDF par groupe retenu, et le ZIP")
    fiches.add_argument("--out", type=Path, required=True, metavar="DIR")

    relay = cafe_command("handover", "passage de relais : un PDF d'une page par table après le tour N")
    relay.add_argument("--round", type=int, required=True, metavar="N", help="numéro du tour qui se termine")
    relay.add_argument("--out", type=Path, required=True, metavar="DIR")

    cards = cafe_command("cards", "cartes de table PDF avec QR code")
    cards.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    cards.add_argument("--base-url", help=BASE_URL_HELP)

    transfer_out = cafe_command("transfer-export", "exporte un café entier (ids compris) dans un fichier")
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

    search = commands.add_parser(
        "search",
        help="cherche des mots dans les contributions de tous les cafés (accents et pluriels ignorés)",
    )
    search.add_argument("query", nargs="+", metavar="MOT")

    commands.add_parser(
        "rotate-link-secret",
        help="change le secret des liens habitants : tous les anciens QR codes sont refusés",
    )
    commands.add_parser(
        "sign-out-all",
        help="déconnecte toutes les sessions organisateur et marketing (leurs adresses sont refusées)",
    )
    hashing = commands.add_parser(
        "hash-password",
        help="calcule l'empreinte d'un mot de passe (lu au clavier, ou sur l'entrée standard redirigée)",
    )
    hashing.add_argument(
        "--role",
        choices=PASSWORD_ROLES,
        default="organisateur",
        help="organisateur (CAFE_ORGANISER_PASSWORD_HASH, défaut) ou marketing "
        "(CAFE_MARKETING_PASSWORD_HASH)",
    )
    commands.add_parser("settings", help="liste les réglages, leur valeur par défaut et leur aide")
    return parser


# hash-password --role: the label in the prompt and the setting that takes the hash.
PASSWORD_ROLES = {
    "organisateur": ("Mot de passe organisateur", "CAFE_ORGANISER_PASSWORD_HASH"),
    "marketing": ("Mot de passe de l'équipe marketing", "CAFE_MARKETING_PASSWORD_HASH"),
}


def _read_password(label: str) -> str | None:
    """Typed twice, unseen, at a terminal; one line when piped in (`echo … | python -m facilitation
    hash-password`), where getpass would warn in English and read the terminal instead of the pipe.
    None (the reason printed) when the two entries differ or nothing was given."""
    if sys.stdin.isatty():
        password = getpass.getpass(f"{label} : ")
        if getpass.getpass("Répétez-le : ") != password:
            print("Erreur : les deux saisies diffèrent.", file=sys.stderr)
            return None
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        print("Erreur : mot de passe vide.", file=sys.stderr)
        return None
    return password


def _export(app: App, args: argparse.Namespace) -> bytes:
    return app.documents.export(app.store(), args.cafe_id, args.format)


def _topics(app: App, args: argparse.Namespace) -> None:
    from facilitation.adapters.topics.csv_input import group_rows, read_text_table

    if args.lang != "fr":
        raise InvalidInput("Seul le français (--lang fr) est pris en charge.")
    try:
        data = args.input.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"Impossible de lire {args.input} ({os_reason(exc)}).") from None
    table = read_text_table(data, args.text_column)
    if args.topics is not None and not 1 <= args.topics <= len(table.rows):
        raise InvalidInput(f"--topics doit être entre 1 et {len(table.rows)}.")
    grouper = app.grouper()
    with _progress_bar("Encodage des textes") as progress:
        grouped = group_rows(table, args.text_column, grouper, args.topics, progress)
    topics_path = args.out.with_name(args.out.stem + ".topics" + (args.out.suffix or ".csv"))
    rows, topics = app.documents.grouped_table(table, grouped, excel=args.excel)
    write_private_file(args.out, rows)
    write_private_file(topics_path, topics)
    distinct = len(grouped.grouping.assignments)
    unsorted = sum(topic == -1 for topic in grouped.row_topics)
    print(
        f"{plural(len(table.rows), 'ligne')} ({plural(distinct, 'texte distinct', 'textes distincts')}), "
        f"{plural(len(grouped.grouping.topics), 'groupe')}"
        + (f", {plural(unsorted, 'ligne')} « À classer »" if unsorted else "")
        + f" : {args.out}, {topics_path}"
    )


@contextmanager
def _progress_bar(what: str):
    """A progress callback drawing on standard error (only when the encoding takes a while)."""
    from tqdm import tqdm

    bar = None

    def advance(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, desc=what, unit=" textes", file=sys.stderr, mininterval=1.0)
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    try:
        yield advance
    finally:
        if bar is not None:
            bar.close()


def _harvest(app: App, args: argparse.Namespace) -> int:
    """Group the café (or one round) as a new version; 3 when the re-run needs a confirmation."""
    from facilitation.services import harvest

    store = app.store()
    round_id = cafes.round_at(store, args.cafe_id, args.round).id if args.round is not None else None
    scope = harvest.scope_of([args.cafe_id], round_id)
    grouper = app.grouper()
    current = harvest.latest_version(store, scope)
    try:
        version = harvest.run_harvest(
            store, grouper, scope, n_topics=args.topics, afresh=args.afresh, confirmed=args.confirm
        )
    except harvest.ConfirmationNeeded as asked:
        print("Cette relance changerait des groupes retenus pour les fiches :", file=sys.stderr)
        for change in asked.plan.changes:
            print(f"- {change}", file=sys.stderr)
        print(f"Pour confirmer, relancez avec --confirm {asked.plan.token}", file=sys.stderr)
        return 3
    result = harvest.view(harvest.scope_data(store, scope), version)
    if current is not None and version.id == current.id:
        print(
            f"Rien de nouveau depuis la version {version.number} : les groupes restent tels quels "
            "(--afresh pour tout regrouper à neuf)."
        )
    else:
        print(f"Version {version.number} : {version.note}")
    for topic in sorted(result.topics, key=lambda t: -t.size):
        keywords = ", ".join(topic.topic.keywords[:6])
        figures = f"{plural(topic.size, 'contribution')}, {plural(topic.supports, 'soutien')}"
        print(f"- [{topic.topic.key}] {topic.topic.label} ({figures}) : {keywords}")
    if result.unsorted:
        print(f"- à classer dans la page Récolte : {plural(len(result.unsorted), 'contribution')}")
    for lost in version.unmatched:
        print(f"- non retrouvé (listé, restaurable dans la page Récolte) : [{lost.key}] {lost.label}")
    return 0


def _keep(app: App, args: argparse.Namespace) -> None:
    from facilitation.services import harvest

    store = app.store()
    scope = harvest.scope_of([cafes.get_cafe(store, args.cafe_id).id])
    version = harvest.set_kept(store, scope, args.keys)
    kept = [topic.label for topic in version.topics if topic.kept]
    print(f"{plural(len(kept), 'groupe retenu', 'groupes retenus')} : {', '.join(kept)}")


def _documents(app: App, args: argparse.Namespace) -> None:
    from facilitation.services import synthesis

    store = app.store()
    base_url = _base_url(store, app.settings, getattr(args, "base_url", None))
    if args.command == "fiches":
        sheets = synthesis.fiche_sheets(store, args.cafe_id)
        if not sheets:
            raise InvalidInput(
                "Aucun groupe n'est retenu pour ce café : rien à écrire. Retenez-en d'abord "
                "(python -m facilitation keep CAFE_ID CLÉ…, les clés sont affichées par harvest)."
            )
        args.out.mkdir(parents=True, exist_ok=True)
        for sheet in sheets:
            name, content = app.documents.fiche(store, args.cafe_id, sheet.topic.key)
            write_private_file(args.out / name, content)
        name, content = app.documents.build(store, args.cafe_id, "fiches", base_url=base_url)
        write_private_file(args.out / name, content)
        print(f"{plural(len(sheets), 'fiche')} et {name} écrits dans {args.out}")
        return
    kind = {"report": "synthese", "cards": "cartes"}[args.command]
    _, content = app.documents.build(store, args.cafe_id, kind, base_url=base_url)
    write_private_file(args.out, content)
    print(f"{args.out} écrit ({len(content) // 1024} Ko)")


def _handover(app: App, args: argparse.Namespace) -> None:
    """One PDF per table, named with its number, in --out."""
    store = app.store()
    written = app.documents.handovers(store, args.cafe_id, args.round)
    if not written:
        raise InvalidInput("Ce café n'a aucune table : rien à écrire.")
    args.out.mkdir(parents=True, exist_ok=True)
    for name, content in written:
        write_private_file(args.out / name, content)
    documents = plural(len(written), "passage de relais écrit", "passages de relais écrits")
    print(f"{documents} (tour {args.round}) dans {args.out} :")
    for name, _ in written:
        print(f"  {name}")


def _nappe(app: App, args: argparse.Namespace) -> None:
    from facilitation.adapters.photos import MAX_UPLOAD_BYTES
    from facilitation.services import tablecloths

    path: Path = args.photo
    if path.is_dir():
        raise InvalidInput(f"{path} est un dossier : donnez le fichier de la photo.")
    try:
        with path.open("rb") as file:
            data = file.read(MAX_UPLOAD_BYTES + 1)  # one byte more is enough to refuse it as too big
    except OSError as exc:
        raise InvalidInput(f"impossible de lire la photo {path} ({os_reason(exc)}).") from None
    photo = tablecloths.attach(
        app.store(),
        args.cafe_id,
        table_number=args.table,
        round_position=args.round,
        photo=data,
        name=path.name,
    )
    print(
        f"Photo de nappe jointe à la table {args.table}, tour {args.round} "
        f"(photo {photo.position}, {len(photo.content) // 1024} Ko, sans métadonnées)."
    )


def _live(app: App, args: argparse.Namespace) -> None:
    """Commands for running a café from a script: what the organiser's buttons do."""
    store = app.store()
    if args.command == "public-url":
        if args.url:
            print(public_address.set_public_base_url(store, args.url))
        else:
            print(public_address.public_base_url(store, app.settings.cafe_public_base_url))
        return
    cafe_id = cafes.get_cafe(store, args.cafe_id).id
    if args.command == "tables":
        base_url = _base_url(store, app.settings, None)
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


def _trust(app: App, args: argparse.Namespace) -> None:
    from facilitation.services import backups, rgpd

    store = app.store()
    limits = {
        "max_bytes": app.limits.max_import_bytes,
        "max_text_chars": app.limits.max_contribution_chars,
    }
    if args.command == "transfer-export":
        backups.export_transfer(store, args.cafe_id, args.out)
        print(f"Café exporté dans {args.out} (contient des données personnelles : à transmettre avec soin).")
    elif args.command == "transfer-import":
        _print_loaded("Import terminé", backups.import_transfer(store, args.file, **limits))
    elif args.command == "backup":
        backups.backup(store, args.out)
        print(f"Sauvegarde écrite dans {args.out}")
    elif args.command == "restore":
        _print_loaded("Restauration terminée", backups.restore(store, args.file, **limits))
    elif args.command == "purge":
        days = app.limits.retention_days if args.days is None else args.days
        report = rgpd.purge_expired(store, days)
        erased = plural(report.contributions, "contribution effacée", "contributions effacées")
        print(f"{erased} dans {plural(len(report.cafes), 'café')}.")
    elif args.command == "audit":
        _, content, events = app.documents.audit_log(store, timezone=app.settings.cafe_timezone)
        write_private_file(args.out, content)
        print(f"{plural(events, 'événement écrit', 'événements écrits')} dans {args.out}")


def _search(app: App, args: argparse.Namespace) -> None:
    from facilitation.services.library_search import search

    hits = search(app.store(), " ".join(args.query))
    for hit in hits:
        where = f"{hit.cafe.held_on:%d/%m/%Y} · {hit.cafe.title} · {hit.table.label()}"
        print(f"{where}\n    {' '.join(hit.contribution.text.split())}")
    # On stdout after the hits, apart: on stderr it could land in the middle of (or glued to) them.
    print(f"\n{plural(len(hits), 'contribution trouvée', 'contributions trouvées')}", flush=True)


def _print_loaded(done: str, report) -> None:
    """What an import or a restore added, then each captain code it had to renew."""
    print(f"{done} : {_added(report.total)}.{_erased_note(report)}")
    for number, old, new in report.renewed_codes:
        print(f"Table {number} : code capitaine renouvelé en {new} (ancien {old} déjà utilisé ici).")


def _demo(app: App) -> None:
    """The demo café's id alone on standard output (CAFE=$(python -m facilitation demo) reads it),
    then what to open, on the error output: organiser pages, wall, captain codes, phone links."""
    store = app.store()
    cafe = create_demo_cafe(store)
    print(f"Café de démonstration créé : {cafe_label(cafe)}", file=sys.stderr)
    print(cafe.id, flush=True)
    base_url = _base_url(store, app.settings, None).rstrip("/")
    guide = [
        "",
        "À ouvrir, le serveur lancé (scripts/run.sh) :",
        f"  Pages de l'organisateur : {base_url}/cafes (mot de passe organisateur)",
        f"  Mur, sur l'écran de la salle : {cafes.wall_link(store, cafe.id, base_url)}",
        f"  Capitaines : {base_url}/capitaine, avec le code de leur table :",
    ]
    tables = cafes.list_tables(store, cafe.id)
    guide += [f"    table {table.number} ({table.name}) : code {table.code}" for table in tables]
    guide.append("  Téléphones des habitants (le lien du QR code de chaque table) :")
    guide += [
        f"    table {table.number} : {cafes.join_link(store, cafe.id, table.number, base_url)}"
        for table in tables
    ]
    print("\n".join(guide), file=sys.stderr)


def _erased_note(report) -> str:
    if not report.skipped_erased:
        return ""
    skipped = plural(report.skipped_erased, "élément effacé", "éléments effacés")
    return f" {skipped} sur demande (contributions ou cafés) non repris."


def _added(lines: int) -> str:
    return plural(lines, "ligne ajoutée", "lignes ajoutées")


def main(argv: list[str] | None = None, app: App | None = None) -> int:
    """Run one command; return the process exit code.

    `app` is the composition root to run with (tests hand one with their settings and grouper);
    by default the command builds its own from the environment and closes it when done.
    """
    try:
        args = _parser().parse_args(argv)
    except SystemExit as stop:  # --help, or a refusal already printed: the code, not an exception
        return stop.code if isinstance(stop.code, int) else 2
    built, actor_before = None, audit.current_actor()
    try:
        if app is None:
            app = built = build_app(load_settings())
        settings = app.settings
        audit.set_actor(actors.COMMAND_LINE)
        if args.command == "demo":
            _demo(app)
        elif args.command == "join-url":
            store = app.store()
            print(cafes.join_link(store, args.cafe_id, args.table, _base_url(store, settings, args.base_url)))
        elif args.command == "wall-url":
            store = app.store()
            base_url = _base_url(store, settings, args.base_url)
            if args.revoke:
                print(cafes.revoke_wall_link(store, args.cafe_id, base_url))
                print(
                    "Ancien lien du mur révoqué : ouvrez ce nouveau lien sur l'écran de la salle.",
                    file=sys.stderr,
                )
            else:
                print(cafes.wall_link(store, args.cafe_id, base_url))
        elif args.command == "sign-out-all":
            ended = sessions.sign_out_everyone(app.store(), app.clock())
            closed = plural(ended, "session fermée", "sessions fermées")
            print(f"Toutes les sessions organisateur et marketing sont déconnectées ({closed}).")
        elif args.command in ("tables", "round", "public-url"):
            _live(app, args)
        elif args.command == "export":
            data = _export(app, args)
            if args.out:
                write_private_file(args.out, data)
                print(f"Export écrit dans {args.out}", file=sys.stderr)
            else:
                sys.stdout.buffer.write(data)
        elif args.command == "topics":
            _topics(app, args)
        elif args.command == "harvest":
            return _harvest(app, args)
        elif args.command == "keep":
            _keep(app, args)
        elif args.command == "nappe":
            _nappe(app, args)
        elif args.command in ("report", "fiches", "cards"):
            _documents(app, args)
        elif args.command == "handover":
            _handover(app, args)
        elif args.command in ("transfer-export", "transfer-import", "backup", "restore", "purge", "audit"):
            _trust(app, args)
        elif args.command == "search":
            _search(app, args)
        elif args.command == "rotate-link-secret":
            if settings.cafe_link_secret:
                raise InvalidInput(
                    "CAFE_LINK_SECRET est défini : changez sa valeur (et redémarrez l'application) pour "
                    "changer le secret des liens."
                )
            cafes.rotate_link_secret(app.store())
            print("Secret des liens changé : réimprimez les cartes de table (anciens QR codes refusés).")
        elif args.command == "hash-password":
            label, variable = PASSWORD_ROLES[args.role]
            password = _read_password(label)
            if password is None:
                return 2
            print(hash_password(password))
            print(f"À donner à l'application dans {variable}.", file=sys.stderr)
        elif args.command == "settings":
            for setting in SETTINGS:
                print(f"{setting.name} (défaut : {setting.default!r})\n    {setting.help}")
    except StorageUnavailable as exc:
        return _failed(exc.detail)
    except (CafeError, ValueError) as exc:
        message = getattr(exc, "message", str(exc))
        # A refused file lists its first errors, one per line: the only message kept on several.
        return _failed(message) if "\n- " not in message else _failed(message, keep_lines=True)
    except OSError as exc:
        return _failed(f"impossible d'écrire le fichier ({os_reason(exc)}).")
    except EOFError:  # standard input closed before a line was read (hash-password without a terminal)
        return _failed("rien n'a été lu au clavier : lancez la commande dans un terminal.")
    except KeyboardInterrupt:
        return _failed("interrompu ; une écriture en cours est annulée en entier.", code=130)
    finally:  # run in a test's process, a command leaves neither its actor nor its connections behind
        audit.set_actor(actor_before)
        if built is not None:
            built.close()
    return 0


def _failed(message: str, *, code: int = 2, keep_lines: bool = False) -> int:
    """Print the error in French on standard error and return the exit code."""
    text = "\n".join(_one_line(line) for line in message.splitlines()) if keep_lines else _one_line(message)
    print(f"Erreur : {text}", file=sys.stderr)
    return code
