#!/bin/sh
# One-shot set-up of the Pays directory (compose service "directory-setup"); safe at every start.
#   - a random secret key in the instance volume unless CHALEUR_SECRET_KEY is set (production
#     refuses to start without one);
#   - the schema and the first coordinator account (python -m directory init), once;
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

# Exit 0 when a coordinator exists. The schema migrations run first, at every start, so a new
# image upgrades the database before the directory serves again (its "init" runs them too).
if python - <<'PYTHON'
import sys

from directory import create_app
from directory.cli import upgrade_database
from directory.extensions import db
from directory.models import Coordinator

app = create_app()
with app.app_context():
    upgrade_database()
    sys.exit(0 if db.session.scalars(db.select(Coordinator)).first() else 1)
PYTHON
then
  echo "Annuaire déjà initialisé."
else
  : "${COORDINATOR_EMAIL:?COORDINATOR_EMAIL manquant : adresse du premier coordinateur}"
  : "${CHALEUR_COORDINATOR_PASSWORD:?mot de passe du coordinateur manquant (voir .env)}"
  python -m directory init --email "$COORDINATOR_EMAIL" --name "${COORDINATOR_NAME:-}"
fi

mkdir -p "$share"
if python "$here/directory_fingerprint.py" "$instance/keys" > "$share/directory-fingerprint.new"
then
  mv "$share/directory-fingerprint.new" "$share/directory-fingerprint"
  echo "Empreinte de l'annuaire : $(cat "$share/directory-fingerprint")"
else
  rm -f "$share/directory-fingerprint.new"
  echo "Attention : l'annuaire n'a pas (encore) de clé de fédération ; les nœuds ne pourront"
  echo "le rejoindre qu'avec DIRECTORY_FINGERPRINT dans .env (empreinte lue par la coordination)."
fi
