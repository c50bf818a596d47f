#!/usr/bin/env bash
# Joins the parts a pull-request workflow uploaded (DIR/*.md) into one
# pull-request comment that stays under GitHub's 65,536-character limit
# whatever their sizes or number. KIND plan (pr-plan, the default): the
# offline plan diff (1-plan.md, with the decision table) goes first, and
# its absence is said. KIND preview (pr-preview): the previews in name
# order, and OUT stays empty when there is none (no stack was previewed).
# A part that does not fit is replaced by a one-line note. Sizes are
# counted in bytes, never fewer than the characters (or UTF-16 units)
# GitHub counts.
#
# usage: assemble-comment.sh DIR OUT [RUN_URL] [KIND]
set -euo pipefail

dir=$1
out=$2
run=${3:-}
kind=${4:-plan}
case $kind in
plan | preview) ;;
*) echo "assemble-comment.sh: KIND '$kind' is neither plan nor preview" >&2; exit 2 ;;
esac
# Below 65,536: the sticky-comment action adds its own marker line.
limit=65000
# Parts get limit - notes_budget (infra caps each at 60,000, so the plan
# always fits); the notes share notes_budget, each at most note_max.
notes_budget=2000
note_max=300

plan="$dir/1-plan.md"
parts=()
if [ "$kind" = plan ]; then parts=("$plan"); fi
for f in "$dir"/*.md; do
  if [ -e "$f" ] && [ "$f" != "$plan" ]; then parts+=("$f"); fi
done

where="the workflow run"
if [[ "$run" =~ ^https://github\.com/[A-Za-z0-9._/-]{1,100}$ ]]; then
  where="[the workflow run]($run)"
fi

size() { wc -c < "$1" | tr -d ' '; }

content=0 notes=0 more=0

note() {
  # The name comes from an artifact: keep it short and plain.
  local name text
  name=$(basename "$1" | tr -cd 'A-Za-z0-9._-' | cut -c1-60)
  if [ "$2" = missing ]; then
    text="_The offline plan diff (\`$name\`) is missing: its job failed before writing it; the error is in $where._"
  else
    text="_\`$name\` left out: with it the comment would exceed GitHub's 65,536 characters; it is in $where._"
  fi
  text="${text:0:note_max-2}"
  if [ $((notes + ${#text} + 2)) -le $((notes_budget - note_max)) ]; then
    printf '%s\n\n' "$text" >> "$out"
    notes=$((notes + ${#text} + 2))
  else
    more=$((more + 1))
  fi
}

: > "$out"
for part in "${parts[@]}"; do
  if [ ! -s "$part" ]; then
    if [ "$part" = "$plan" ]; then note "$part" missing; fi
    continue
  fi
  s=$(size "$part")
  if [ $((content + s + 1)) -le $((limit - notes_budget)) ]; then
    cat "$part" >> "$out"
    printf '\n' >> "$out"
    content=$((content + s + 1))
  else
    note "$part" toolong
  fi
done
if [ "$more" -gt 0 ]; then
  printf '_...and %d more parts left out for the same reason; they are in %s._\n' "$more" "$where" >> "$out"
fi
