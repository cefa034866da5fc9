#!/bin/sh
# One-shot set-up of the Pays directory (compose service "directory-setup"); safe at every start.
#   - a random secret key in the instance volume unless CHALEUR_SECRET_KEY is set (production
#     refuses to start without one);
#   - the schema (migrations), the network key and the first coordinator (directory init), once;
#   - the directory's key fingerprint published in the shared volume, for the "join" steps.
# Inputs: COORDINATOR_EMAIL, COORDINATOR_NAME (optional), CHALEUR_COORDINATOR_PASSWORD (read by
# the init command itself), SHARE_DIR (default /srv/chaleur/share).
set -eu
here=$(dirname "$0")
instance=${CHALEUR_INSTANCE_PATH:?CHALEUR_INSTANCE_PATH manquant}
share=${SHARE_DIR:-/srv/chaleur/share}
mkdir -p "$instance"

if [ -z "${CHALEUR_SECRET_KEY:-}" ] && [ ! -f "$instance/secret_key" ]; then
  (umask 077 && python -c 'import secrets; print(secrets.token_urlsafe(48))' \
    > "$instance/secret_key")
  echo "Clé secrète créée dans le volume de l'annuaire."
fi

# First start: "init" applies the migrations, creates the network key and the first coordinator.
# Later starts (restart, new image): only the migrations, which keep every row.
if python -m directory federation fingerprint >/dev/null 2>&1; then
  python -m directory db upgrade
  echo "Annuaire déjà initialisé ; migrations appliquées."
else
  : "${COORDINATOR_EMAIL:?COORDINATOR_EMAIL manquant : adresse du premier coordinateur}"
  : "${CHALEUR_COORDINATOR_PASSWORD:?mot de passe du coordinateur manquant (voir .env)}"
  python -m directory init --email "$COORDINATOR_EMAIL" --name "${COORDINATOR_NAME:-}" \
    --node-id "${DIRECTORY_NODE_ID:-pays-saverne}"
fi

mkdir -p "$share"
if python -m directory federation fingerprint | sed -n 's/.* : //p' > "$share/directory-fingerprint.new" \
   && [ -s "$share/directory-fingerprint.new" ]
then
  mv "$share/directory-fingerprint.new" "$share/directory-fingerprint"
  echo "Empreinte de l'annuaire : $(cat "$share/directory-fingerprint")"
else
  rm -f "$share/directory-fingerprint.new"
  echo "Attention : l'annuaire n'a pas (encore) de clé de fédération ; les nœuds ne pourront"
  echo "le rejoindre qu'avec DIRECTORY_FINGERPRINT dans .env (empreinte lue par la coordination)."
fi
