package infra

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// bucket simulates a versioned Cloud Storage bucket under lifecycle rules
// as the "Object Lifecycle Management" page states them: once a day every
// version is checked against each rule; a rule matches when all of its
// set conditions hold; a match deletes (a live version becomes
// noncurrent, a noncurrent one goes). A write to an existing name makes
// the live version noncurrent that day.
type bucket struct {
	versions map[string][]*version // by name, oldest first
}

type version struct {
	created    int
	noncurrent int // day it became noncurrent; -1 while live
}

func newBucket() *bucket { return &bucket{versions: map[string][]*version{}} }

func (b *bucket) write(day int, name string) {
	for _, v := range b.versions[name] {
		if v.noncurrent < 0 {
			v.noncurrent = day
		}
	}
	b.versions[name] = append(b.versions[name], &version{created: day, noncurrent: -1})
}

func (b *bucket) matches(r LifecycleRule, day int, name string, i int) bool {
	v := b.versions[name][i]
	live := v.noncurrent < 0
	if r.IsLive != live {
		return false
	}
	if r.Age != nil && day-v.created < *r.Age {
		return false
	}
	if r.DaysSinceNoncurrentTime != nil && (live || day-v.noncurrent < *r.DaysSinceNoncurrentTime) {
		return false
	}
	if r.NumNewerVersions != nil && len(b.versions[name])-1-i < *r.NumNewerVersions {
		return false
	}
	if len(r.Prefixes) > 0 && !slices.ContainsFunc(r.Prefixes, func(p string) bool { return strings.HasPrefix(name, p) }) {
		return false
	}
	return true
}

// lifecycle runs the rules once, on what the bucket held at the start.
func (b *bucket) lifecycle(day int, rules []LifecycleRule) {
	type hit struct {
		name string
		v    *version
	}
	var hits []hit
	for name, vs := range b.versions {
		for i, v := range vs {
			for _, r := range rules {
				if b.matches(r, day, name, i) {
					hits = append(hits, hit{name, v})
					break
				}
			}
		}
	}
	for _, h := range hits {
		if h.v.noncurrent < 0 {
			h.v.noncurrent = day
			continue
		}
		b.versions[h.name] = slices.DeleteFunc(b.versions[h.name], func(v *version) bool { return v == h.v })
	}
}

// holds lists the bucket as "name@created" (a trailing * for noncurrent).
func (b *bucket) holds() []string {
	var out []string
	for name, vs := range b.versions {
		for _, v := range vs {
			s := fmt.Sprintf("%s@%d", name, v.created)
			if v.noncurrent >= 0 {
				s += "*"
			}
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// backup is what one backup writes: its timestamped name and the newest
// copy (backup.sh), and for a pinned one the kept copy (engine.Pin).
func (b *bucket) backup(day int, pinned string) {
	b.write(day, fmt.Sprintf("%stranslation-%03d.sql.gz", BackupsPrefix, day))
	b.write(day, NewestPrefix+"translation.sql.gz")
	switch pinned {
	case "sleep":
		b.write(day, KeptPrefix+"translation-sleep.sql.gz")
	case "destroy":
		b.write(day, fmt.Sprintf("%stranslation-destroy-%03d.sql.gz", KeptPrefix, day))
	}
}

// Timelines worked out by hand for dev's settings (7 days, newest 3).
// A backup written on day d ages out on day d+7 (age counts from
// creation), its noncurrent version goes on day d+14; the newest copy
// keeps the versions with fewer than 3 newer ones.
func TestBackupRetentionTimelines(t *testing.T) {
	rules := BackupRules(7, 3)
	newest := func(days ...int) []string {
		var out []string
		for i, d := range days {
			s := fmt.Sprintf("newest/translation.sql.gz@%d", d)
			if i < len(days)-1 {
				s += "*"
			}
			out = append(out, s)
		}
		return out
	}
	type check struct {
		day  int
		want []string
	}
	cases := []struct {
		name   string
		events map[int]string // day: "backup", "sleep" or "destroy"
		last   int
		checks []check
	}{
		{
			name:   "daily for 40 days, then none for 60",
			events: daily(0, 39, nil),
			last:   99,
			checks: []check{
				// Day 39: backups 33..39 live (33 is 6 days old), 26..32
				// noncurrent (32 aged out on day 39 itself).
				{39, append(timestamped(26, 32, true, timestamped(33, 39, false, nil)), newest(37, 38, 39)...)},
				// Day 46: 39 aged out today; 33..38 noncurrent; 32 and
				// older went (32 became noncurrent on 39, gone on 46).
				{46, append(timestamped(33, 39, true, nil), newest(37, 38, 39)...)},
				// Day 53 on: every timestamped backup is gone; the newest
				// three stay, however long the schedule stops.
				{53, newest(37, 38, 39)},
				{99, newest(37, 38, 39)},
			},
		},
		{
			name:   "a sleep of 30 days",
			events: daily(41, 45, daily(0, 9, map[int]string{10: "sleep", 46: "sleep"})),
			last:   60,
			checks: []check{
				// Asleep since day 10: its backup is kept, the newest
				// three are 8, 9 and 10, the timestamped ones are gone.
				{40, append([]string{"kept/translation-sleep.sql.gz@10"}, newest(8, 9, 10)...)},
				// The second sleep on day 46 replaces the kept copy: the
				// first one is noncurrent until day 53.
				{52, append(append(timestamped(46, 46, false, timestamped(45, 45, true, timestamped(41, 44, true, nil))),
					"kept/translation-sleep.sql.gz@10*", "kept/translation-sleep.sql.gz@46"), newest(44, 45, 46)...)},
				{60, append([]string{"kept/translation-sleep.sql.gz@46"}, newest(44, 45, 46)...)},
			},
		},
		{
			name:   "destroy --delete-data, then 400 days",
			events: daily(0, 4, map[int]string{5: "destroy"}),
			last:   405,
			checks: []check{
				{405, append([]string{"kept/translation-destroy-005.sql.gz@5"}, newest(3, 4, 5)...)},
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := newBucket()
			for day := 0; day <= c.last; day++ {
				switch ev := c.events[day]; ev {
				case "backup":
					b.backup(day, "")
				case "sleep", "destroy":
					b.backup(day, ev)
				}
				b.lifecycle(day, rules)
				for _, ch := range c.checks {
					if ch.day != day {
						continue
					}
					want := slices.Clone(ch.want)
					slices.Sort(want)
					if got := b.holds(); !slices.Equal(got, want) {
						t.Errorf("day %d:\n got %v\nwant %v", day, got, want)
					}
				}
			}
		})
	}
}

// daily adds a backup on each day of [from, to] to events.
func daily(from, to int, events map[int]string) map[int]string {
	if events == nil {
		events = map[int]string{}
	}
	for d := from; d <= to; d++ {
		events[d] = "backup"
	}
	return events
}

// timestamped lists the timestamped backups of days [from, to].
func timestamped(from, to int, noncurrent bool, more []string) []string {
	for d := from; d <= to; d++ {
		s := fmt.Sprintf("mysql/translation-%03d.sql.gz@%d", d, d)
		if noncurrent {
			s += "*"
		}
		more = append(more, s)
	}
	return more
}
