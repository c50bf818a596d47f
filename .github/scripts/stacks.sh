#!/usr/bin/env bash
# Prints the Pulumi stacks the workflows act on, so no workflow hard-codes
# a list (a repository with only Pulumi.dev.yaml must work):
#
#   INFRA_STACKS set (a repository variable, comma-separated): those stacks,
#     each a name of letters, digits, - and _ whose Pulumi.<name>.yaml
#     exists in the current directory;
#   else every Pulumi.<name>.yaml here whose config sets gcp:project (the
#     GKE stacks; a local stack has no cloud to deploy to), in name order.
#
# usage: stacks.sh [--comma | --json] [--non-production] [--only NAME]
#   --comma           dev,prod (the default; empty when there is none)
#   --json            ["dev","prod"] (a matrix; [] when there is none)
#   --non-production  leave out production stacks: prod, production and
#                     prod-*, as stacks.IsProduction decides (Go)
#   --only NAME       NAME alone, failing unless it is one of the stacks
#                     (what a workflow_dispatch input is checked with)
set -euo pipefail
# Name order, the same on every machine.
export LC_ALL=C

fail() {
  echo "::error::$1" >&2
  exit 1
}

format=comma only="" nonprod=false
while [ $# -gt 0 ]; do
  case $1 in
  --comma) format=comma ;;
  --json) format=json ;;
  --non-production) nonprod=true ;;
  --only)
    [ $# -ge 2 ] || fail "--only needs a stack name"
    only=$2
    shift
    ;;
  *) fail "stacks.sh: unknown argument '$1' (usage: stacks.sh [--comma|--json] [--non-production] [--only NAME])" ;;
  esac
  shift
done

# Stack names end up in environment names, concurrency groups, artifact
# names and command lines: keep them plain.
name_re='^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$'

production() {
  case $1 in
  prod | production | prod-*) return 0 ;;
  esac
  return 1
}

stacks=()
if [ -n "${INFRA_STACKS:-}" ]; then
  IFS=, read -ra listed <<<"$INFRA_STACKS"
  for s in "${listed[@]}"; do
    s=${s//[[:space:]]/}
    [ -n "$s" ] || continue
    [[ $s =~ $name_re ]] ||
      fail "repository variable INFRA_STACKS='$INFRA_STACKS': '$s' is not a stack name (letters, digits, - and _)"
    [ -f "Pulumi.$s.yaml" ] ||
      fail "repository variable INFRA_STACKS='$INFRA_STACKS' names $s, but there is no Pulumi.$s.yaml: remove it from the variable or add the stack file"
    dup=false
    for x in "${stacks[@]}"; do [ "$x" != "$s" ] || dup=true; done
    [ "$dup" = true ] || stacks+=("$s")
  done
else
  shopt -s nullglob
  for f in Pulumi.*.yaml; do
    s=${f#Pulumi.}
    s=${s%.yaml}
    [[ $s =~ $name_re ]] || continue
    # A key of the config map set to a value (not a comment).
    grep -Eq '^[[:space:]]+gcp:project:[[:space:]]*[^[:space:]#]' "$f" || continue
    stacks+=("$s")
  done
  # By stack name (the files sort prod-eu before prod).
  if [ "${#stacks[@]}" -gt 0 ]; then
    mapfile -t stacks < <(printf '%s\n' "${stacks[@]}" | sort)
  fi
fi

if [ "$nonprod" = true ]; then
  kept=()
  for s in "${stacks[@]}"; do production "$s" || kept+=("$s"); done
  stacks=("${kept[@]}")
fi

if [ -n "$only" ]; then
  found=false
  for s in "${stacks[@]}"; do [ "$s" != "$only" ] || found=true; done
  if [ "$found" != true ]; then
    list=$(IFS=,; echo "${stacks[*]}")
    fail "stack '$only' is not one of the stacks the workflows act on (${list:-none}): they are INFRA_STACKS when set, else every Pulumi.<name>.yaml setting gcp:project"
  fi
  stacks=("$only")
fi

if [ "$format" = json ]; then
  out=""
  for s in "${stacks[@]}"; do out+="${out:+,}\"$s\""; done
  echo "[$out]"
else
  (IFS=,; echo "${stacks[*]}")
fi
