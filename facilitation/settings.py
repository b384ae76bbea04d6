"""Every setting of the application, declared once with its default and help.

Values come from the environment; the Streamlit layer may pass its secrets as a second source.
The environment wins so that an operator can always override a secrets file.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from facilitation.domain.errors import ConfigurationError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TIMEZONE = "Europe/Paris"


@dataclass(frozen=True)
class Setting:
    """One configurable value: environment name, default, parser and a line of help."""

    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str


def positive_int(raw: str) -> int:
    """A whole number of at least 1 (a limit of 0 or -1 would silently disable what it limits)."""
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"« {raw} » n'est pas un nombre entier") from None
    if value < 1:
        raise ValueError(f"{value} : un nombre entier d'au moins 1 est attendu")
    return value


def link_secret(raw: str) -> str:
    """A secret long enough that nobody can guess it (at least 32 characters)."""
    if len(raw) < 32:
        raise ValueError(
            "au moins 32 caractères sont attendus (python -c 'import secrets; "
            "print(secrets.token_urlsafe(32))')"
        )
    return raw


def proxy_networks(raw: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """Comma-separated IP addresses or networks (CIDR) of the reverse proxies to trust."""
    networks = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"« {item} » n'est ni une adresse IP ni un réseau (ex. 10.0.0.0/8)") from None
    return tuple(networks)


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "DATABASE_URL",
        f"sqlite:///{PROJECT_ROOT / 'data' / 'cafe.sqlite3'}",
        "Base de données (SQLAlchemy). Par défaut un fichier SQLite sous data/ ; "
        "postgresql+psycopg://utilisateur@hôte/base pour PostgreSQL.",
    ),
    Setting(
        "CAFE_PUBLIC_BASE_URL",
        "http://localhost:8501",
        "Adresse que les téléphones des habitants atteignent sur le réseau du café ; "
        "les QR codes la contiennent.",
    ),
    Setting(
        "CAFE_ORGANISER_PASSWORD_HASH",
        "",
        "Empreinte du mot de passe organisateur (python -m facilitation hash-password) ; l'emporte sur "
        "celui choisi dans l'application. Vide : celui choisi au premier démarrage (lien à usage unique "
        "affiché dans le terminal au démarrage), gardé dans la base ; sans l'un ni l'autre, les pages "
        "organisateur restent fermées.",
    ),
    Setting(
        "CAFE_MARKETING_PASSWORD_HASH",
        "",
        "Empreinte du mot de passe de l'équipe marketing (python -m facilitation hash-password "
        "--role marketing) : bibliothèque, documents et fiches en lecture, commentaires ; rien d'autre. "
        "Vide : celui choisi au premier démarrage, s'il l'a été ; sinon pas d'accès marketing séparé.",
    ),
    Setting(
        "CAFE_LINK_SECRET",
        "",
        "Secret qui signe les liens des habitants (HMAC), 32 caractères au moins. Vide : un secret "
        "aléatoire est créé une fois et gardé dans la base, partagé par toutes les instances. "
        "Le changer refuse tous les liens imprimés avant.",
        link_secret,
    ),
    Setting(
        "CAFE_MAX_CONTRIBUTION_CHARS",
        2000,
        "Longueur maximale d'une contribution, en caractères.",
        positive_int,
    ),
    Setting(
        "CAFE_TIMEZONE",
        DEFAULT_TIMEZONE,
        "Fuseau horaire d'affichage (les dates sont stockées en UTC).",
    ),
    Setting(
        "CAFE_EMBEDDING_BACKEND",
        "spacy",
        "Moteur d'embeddings du regroupement : spacy (hors ligne, par défaut), "
        "sentence-transformers ou model2vec (dossier de modèle déjà sur le disque).",
    ),
    Setting(
        "CAFE_EMBEDDING_MODEL_PATH",
        "",
        "Dossier du modèle pour sentence-transformers ou model2vec (jamais téléchargé).",
    ),
    Setting(
        "CAFE_RETENTION_DAYS",
        365,
        "Durée de conservation des contributions brutes après la date du café, en jours "
        "(python -m facilitation purge) ; les synthèses et fiches restent.",
        positive_int,
    ),
    Setting(
        "CAFE_PRIVACY_CONTACT",
        "l'Atelier d'innovation, à l'accueil de votre agence",
        "Qui contacter pour ses données : affiché aux habitants dans la notice d'information.",
    ),
    Setting(
        "CAFE_RATE_PER_PHONE",
        6,
        "Envois au plus par téléphone et par minute (au-delà, un message poli demande de patienter).",
        positive_int,
    ),
    Setting(
        "CAFE_RATE_PER_TABLE",
        40,
        "Envois d'habitants au plus par lien de table et par minute, toutes instances confondues.",
        positive_int,
    ),
    Setting(
        "CAFE_REFRESH_SECONDS",
        3,
        "Intervalle de rafraîchissement automatique des listes en direct, en secondes.",
        positive_int,
    ),
    Setting(
        "CAFE_TRUSTED_PROXIES",
        (),
        "Adresses IP ou réseaux (CIDR), séparés par des virgules, des proxys dont l'en-tête "
        "X-Forwarded-For est cru (l'adresse du téléphone qu'ils transmettent). Vide : aucun, l'adresse "
        "est celle de la connexion, 127.0.0.1 compris.",
        proxy_networks,
    ),
    Setting(
        "CAFE_MAX_CONNECTIONS",
        4000,
        "Connexions au plus (navigateurs, téléphones, WebSocket) : au-delà, une nouvelle requête reçoit "
        "503 au lieu de faire tomber le serveur. Le plafond de fichiers ouverts du processus est relevé "
        "au maximum permis au démarrage.",
        positive_int,
    ),
    Setting(
        "CAFE_HEADER_TIMEOUT_SECONDS",
        10,
        "Secondes laissées à une connexion pour envoyer les en-têtes de sa requête ; au-delà elle est "
        "fermée (une connexion à moitié ouverte n'occupe pas le serveur).",
        positive_int,
    ),
    Setting(
        "CAFE_MAX_IMPORT_MB",
        200,
        "Taille maximale, une fois décompressé, d'un fichier lu par restore ou transfer-import, en Mo.",
        positive_int,
    ),
)


@dataclass(frozen=True)
class Settings:
    """Resolved settings; attribute names are the lower-case setting names."""

    values: Mapping[str, Any] = field(default_factory=dict)

    def __getattr__(self, item: str) -> Any:
        try:
            return self.values[item.upper()]
        except KeyError:
            raise AttributeError(item) from None


def load_settings(
    environ: Mapping[str, str] | None = None,
    secrets: Mapping[str, Any] | None = None,
    **overrides: Any,
) -> Settings:
    """Resolve every declared setting: overrides, then environment, then secrets, then default."""
    environ = os.environ if environ is None else environ
    secrets = secrets or {}
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        key = setting.name.lower()
        if key in overrides:
            values[setting.name] = overrides[key]
        elif environ.get(setting.name, "") != "":
            values[setting.name] = _parse(setting, environ[setting.name])
        elif setting.name in secrets:
            values[setting.name] = _parse(setting, str(secrets[setting.name]))
        else:
            values[setting.name] = setting.default
    unknown = set(overrides) - {s.name.lower() for s in SETTINGS}
    if unknown:
        raise TypeError(f"unknown settings: {sorted(unknown)}")
    return Settings(values)


def _parse(setting: Setting, raw: str) -> Any:
    try:
        return setting.parse(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{setting.name} : valeur refusée ({exc})") from exc
