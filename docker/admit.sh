#!/bin/sh
# One-shot: admit a node of this compose project on first start (compose services "*-admit").
# Runs with the DIRECTORY's settings. Both containers belong to the same operator here, so the
# fingerprint check both people do by phone for a remote village is not needed; a remote village
# is admitted by the coordinator (python -m directory nodes admit, or the Coordination pages).
# Safe at every start: an admitted node is left alone, and so is a suspended one (a suspension
# is a coordinator's decision that a restart must not undo).
# Inputs: NODE_ID.
set -eu
node=${NODE_ID:?NODE_ID manquant : identifiant du nœud à admettre}

status=$(python -m directory nodes list | awk -F '\t' -v id="$node" '$1 == id { print $2 }')
case "$status" in
  admitted)
    echo "$node est déjà admis." ;;
  pending|refused)
    python -m directory nodes admit "$node" --by installation \
      --reason "Nœud de la même installation, admis au premier démarrage" ;;
  suspended)
    echo "$node est suspendu : décision de la coordination, laissée telle quelle." ;;
  "")
    echo "Erreur : l'annuaire ne connaît pas $node (sa demande d'adhésion n'est pas arrivée)." >&2
    exit 1 ;;
  *)
    echo "Erreur : statut inattendu pour $node : $status" >&2
    exit 1 ;;
esac
