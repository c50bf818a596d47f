#!/usr/bin/env bash
# Decides what an hourly dev-sleep-wake run does, printed as
#   action=sleep|wake|none
#   at=TIME     the scheduled transition (RFC 3339, UTC, on the hour);
#               empty for none and for a manual run
# (append both to $GITHUB_OUTPUT). Cron lines cannot read repository
# variables, so the workflow runs every hour and this script compares the
# time with them:
#
#   DEV_SCHEDULE    "false" turns the schedule off (manual runs still work)
#   DEV_SLEEP_HOUR  UTC hour dev goes to sleep, every day (default 19)
#   DEV_WAKE_HOUR   UTC hour dev wakes (default 7)
#   DEV_WAKE_DAYS   days dev wakes, ISO numbers 1 (Monday) to 7, as a
#                   list and ranges, e.g. "1-5" (default) or "1,3,5"; the
#                   day of the wake hour itself, not of the run
#
# Catch-up: the action is that of the most recent transition among this
# hour and the two before it. GitHub may start a scheduled run late or
# drop it under load, and cancels a pending run of a concurrency group
# when a newer one queues (a push's deploy can replace a pending sleep):
# https://docs.github.com/en/actions/writing-workflows/choosing-when-your-workflow-runs/events-that-trigger-workflows#schedule
# https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/control-the-concurrency-of-workflows-and-jobs
# So the runs of the next two hours repeat it; `infra sleep|wake
# --scheduled-at TIME` does nothing when someone changed dev's awake
# state after TIME, so a repeat never undoes a person's wake.
#
# EVENT is the run's event; a workflow_dispatch does ACTION (sleep|wake)
# now, with no scheduled time, from REF refs/heads/main only. NOW is the
# current time (RFC 3339, UTC; default: the clock), passed in by tests.
#
# usage: EVENT=schedule [NOW=2025-01-06T07:12:00Z] dev-schedule.sh
set -euo pipefail

fail() {
  echo "::error::$1" >&2
  exit 1
}

# hour NAME VALUE DEFAULT prints VALUE (or DEFAULT when empty) as a
# number, or fails naming the variable.
hour() {
  local v=${2:-$3}
  if ! [[ "$v" =~ ^[0-9]{1,2}$ ]] || ((10#$v > 23)); then
    fail "repository variable $1='$2' is not an hour: set it to a UTC hour from 0 to 23 (Settings > Secrets and variables > Actions > Variables)"
  fi
  echo $((10#$v))
}

# on_day LIST DAY succeeds when DAY is in LIST ("1-5", "1,3,5", "6-7,1").
on_day() {
  local list=$1 day=$2 part lo hi
  [[ "$list" =~ ^[1-7](-[1-7])?(,[1-7](-[1-7])?)*$ ]] ||
    fail "repository variable DEV_WAKE_DAYS='$list' is not a list of days: use ISO day numbers 1 (Monday) to 7 (Sunday), with ranges, e.g. 1-5 or 1,3,5"
  IFS=, read -ra parts <<<"$list"
  for part in "${parts[@]}"; do
    lo=${part%-*} hi=${part#*-}
    ((lo > hi)) && fail "repository variable DEV_WAKE_DAYS='$list': range $part runs backwards; write it as $hi-$lo or split it"
    ((day >= lo && day <= hi)) && return 0
  done
  return 1
}

case "${EVENT:-}" in
workflow_dispatch)
  # The deployer trusts main only: say so rather than skip the job.
  if [ -n "${REF:-}" ] && [ "$REF" != refs/heads/main ]; then
    fail "dev sleeps and wakes only from main (this run is on $REF): run the workflow from main"
  fi
  case "${ACTION:-}" in
  sleep | wake) printf 'action=%s\nat=\n' "$ACTION" ;;
  *) fail "action '${ACTION:-}' is neither sleep nor wake" ;;
  esac
  exit 0
  ;;
schedule) ;;
*) fail "unexpected event '${EVENT:-}': this script serves schedule and workflow_dispatch" ;;
esac

if [ "${DEV_SCHEDULE:-}" = false ]; then
  printf 'action=none\nat=\n'
  exit 0
fi
sleep_h=$(hour DEV_SLEEP_HOUR "${DEV_SLEEP_HOUR:-}" 19)
wake_h=$(hour DEV_WAKE_HOUR "${DEV_WAKE_HOUR:-}" 7)
((sleep_h != wake_h)) ||
  fail "DEV_SLEEP_HOUR and DEV_WAKE_HOUR are both $sleep_h: give them different UTC hours"
days=${DEV_WAKE_DAYS:-1-5}
# Validate the day list on every run, not only at wake time, so a typo
# fails the evening run too.
on_day "$days" 1 || true

now=${NOW:-$(date -u +%Y-%m-%dT%H:%M:%SZ)}
[[ "$now" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2})?Z$ ]] ||
  fail "NOW='$now' is not a UTC time such as 2025-01-06T07:12:00Z"
epoch=$(date -u -d "$now" +%s) || fail "NOW='$now' is not a valid time"
start=$((epoch - epoch % 3600))

# This hour first, then the two before it (across midnight, with that
# hour's own day of the week).
for back in 0 1 2; do
  t=$((start - back * 3600))
  read -r h dow at <<<"$(date -u -d "@$t" '+%H %u %Y-%m-%dT%H:%M:%SZ')"
  h=$((10#$h))
  if ((h == sleep_h)); then
    printf 'action=sleep\nat=%s\n' "$at"
    exit 0
  fi
  if ((h == wake_h)) && on_day "$days" "$dow"; then
    printf 'action=wake\nat=%s\n' "$at"
    exit 0
  fi
done
printf 'action=none\nat=\n'
