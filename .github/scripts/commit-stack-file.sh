#!/usr/bin/env bash
# Commits a stack file that infra sleep or wake changed (its `awake` key)
# and pushes it to main, rebasing on pushes made meanwhile. Nothing to
# commit is success. Fails, with what to do, when main refuses the push.
#
# usage: commit-stack-file.sh FILE MESSAGE
set -euo pipefail

file=$1
msg=$2
if git diff --quiet -- "$file"; then
  echo "$file unchanged: nothing to commit"
  exit 0
fi
git config user.name "github-actions[bot]"
git config user.email "41898282+github-actions[bot]@users.noreply.github.com"
git add -- "$file"
git commit -q -m "$msg"
for try in 1 2 3; do
  if git push -q origin HEAD:main; then
    echo "committed $file to main: $msg"
    exit 0
  fi
  echo "push $try refused; rebasing on main" >&2
  git pull -q --rebase origin main
done
echo "::error::could not push $file to main: commit its awake value by hand (git diff shows it), or the next deploy undoes this run" >&2
git show --stat HEAD >&2
exit 1
