#!/bin/sh
# One-shot set-up of a village node (compose services "*-setup"); safe at every start.
#   First start : schema, community, first admin and signing key (chaleur init), then the
#                 invented example data if EXAMPLE_MEMBERS > 0.
#   Later starts: only the schema migrations (chaleur db upgrade), so a new image upgrades
#                 the database before the node serves again.
# Inputs: NODE_NAME, NODE_ID, NODE_COMMUNES, ADMIN_EMAIL, ADMIN_NAME (optional),
# CHALEUR_ADMIN_PASSWORD (read by chaleur init itself, never printed), EXAMPLE_MEMBERS.
set -eu

if chaleur federation fingerprint >/dev/null 2>&1; then
  echo "Nœud déjà initialisé : mise à jour du schéma de la base."
  chaleur db upgrade
  chaleur federation fingerprint
  exit 0
fi

: "${NODE_NAME:?NODE_NAME manquant : le nom de la communauté}"
: "${NODE_ID:?NODE_ID manquant : l identifiant du nœud sur le réseau}"
: "${NODE_COMMUNES:?NODE_COMMUNES manquant : codes INSEE séparés par des virgules}"
: "${ADMIN_EMAIL:?ADMIN_EMAIL manquant : adresse du premier administrateur}"
: "${CHALEUR_ADMIN_PASSWORD:?mot de passe du premier administrateur manquant (voir .env)}"

chaleur init --name "$NODE_NAME" --communes "$NODE_COMMUNES" --node-id "$NODE_ID" \
  --admin-email "$ADMIN_EMAIL" --admin-name "${ADMIN_NAME:-Administrateur}"

members=${EXAMPLE_MEMBERS:-0}
if [ "$members" -gt 0 ]; then
  chaleur example-data --members "$members" --seed "${EXAMPLE_SEED:-1}"
fi
