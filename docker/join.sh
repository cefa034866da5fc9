#!/bin/sh
# One-shot: ask the Pays directory to admit this node (compose services "*-join").
# Runs with the NODE's settings and volume. Safe at every start: a node that already joined
# a directory only shows its federation status.
# Inputs: DIRECTORY_URL (the directory's CHALEUR_PUBLIC_URL, exactly), DIRECTORY_FINGERPRINT
# (optional: the fingerprint the Pays coordinator read to you; by default the one the
# directory's set-up step published in SHARE_DIR).
set -eu
url=${DIRECTORY_URL:?DIRECTORY_URL manquant : adresse de l annuaire du Pays}
share=${SHARE_DIR:-/srv/chaleur/share}

if ! chaleur federation status | grep -q "^Annuaire : aucun"; then
  echo "Ce nœud a déjà rejoint un annuaire :"
  chaleur federation status
  exit 0
fi

expected=${DIRECTORY_FINGERPRINT:-}
if [ -z "$expected" ] && [ -f "$share/directory-fingerprint" ]; then
  expected=$(cat "$share/directory-fingerprint")
fi
if [ -z "$expected" ]; then
  echo "Erreur : empreinte de l'annuaire inconnue. Demandez-la à la coordination du Pays et" >&2
  echo "mettez-la dans .env (DIRECTORY_FINGERPRINT), puis relancez « docker compose up -d »." >&2
  exit 1
fi
chaleur federation join --directory "$url" --fingerprint "$expected"
