#!/bin/sh
# Entrypoint of the Chaleur image: the first word chooses the role, anything else runs as is.
#   node [options]        serve a village node on 0.0.0.0:$PORT (default 5000)
#   directory [options]   serve the Pays directory on 0.0.0.0:$PORT (default 5050)
#   node-setup | directory-setup | join | admit   the one-shot steps of docker-compose.yml
set -eu
here=$(dirname "$0")
role=${1:-node}
[ "$#" -gt 0 ] && shift
case "$role" in
  node)
    exec chaleur serve --host 0.0.0.0 --port "${PORT:-5000}" "$@" ;;
  directory)
    exec python -m directory serve --host 0.0.0.0 --port "${PORT:-5050}" "$@" ;;
  node-setup|directory-setup|join|admit)
    exec "$here/$role.sh" "$@" ;;
  *)
    exec "$role" "$@" ;;
esac
