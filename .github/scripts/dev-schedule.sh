#!/usr/bin/env bash
# Decides what the hourly dev-sleep-wake run does: "sleep", "wake" or
# "none", printed as action=… (append it to $GITHUB_OUTPUT). Cron lines
# cannot read repository variables, so the workflow runs every hour and
# this script compares the hour with them:
#
#   DEV_SCHEDULE    "false" turns the schedule off (manual runs still work)
#   DEV_SLEEP_HOUR  UTC hour dev goes to sleep, every day (default 19)
#   DEV_WAKE_HOUR   UTC hour dev wakes (default 7)
#   DEV_WAKE_DAYS   days dev wakes, ISO numbers 1 (Monday) to 7, as a
#                   list and ranges, e.g. "1-5" (default) or "1,3,5"
#
# EVENT is the run's event; a workflow_dispatch does ACTION (sleep|wake)
# whatever the hour, from REF refs/heads/main only. NOW_HOUR and NOW_DOW are the UTC hour and ISO day of
# the week (date -u +%H and +%u), passed in so tests can set them.
#
# usage: EVENT=schedule NOW_HOUR=19 NOW_DOW=2 dev-schedule.sh
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
  sleep | wake) echo "action=$ACTION" ;;
  *) fail "action '${ACTION:-}' is neither sleep nor wake" ;;
  esac
  exit 0
  ;;
schedule) ;;
*) fail "unexpected event '${EVENT:-}': this script serves schedule and workflow_dispatch" ;;
esac

if [ "${DEV_SCHEDULE:-}" = false ]; then
  echo "action=none"
  exit 0
fi
sleep_h=$(hour DEV_SLEEP_HOUR "${DEV_SLEEP_HOUR:-}" 19)
wake_h=$(hour DEV_WAKE_HOUR "${DEV_WAKE_HOUR:-}" 7)
((sleep_h != wake_h)) ||
  fail "DEV_SLEEP_HOUR and DEV_WAKE_HOUR are both $sleep_h: give them different UTC hours"
days=${DEV_WAKE_DAYS:-1-5}
now_h=$((10#${NOW_HOUR:?NOW_HOUR is unset}))
dow=${NOW_DOW:?NOW_DOW is unset}
# Validate the day list on every run, not only at wake time, so a typo
# fails the evening run too.
wake_today=false
if on_day "$days" "$dow"; then wake_today=true; fi

if ((now_h == sleep_h)); then
  echo "action=sleep"
elif ((now_h == wake_h)) && [ "$wake_today" = true ]; then
  echo "action=wake"
else
  echo "action=none"
fi
