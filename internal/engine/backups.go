package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/unlimited-translation/infra/components"
	"github.com/unlimited-translation/infra/infra"
	"github.com/unlimited-translation/infra/internal/kubejob"
)

// StoredBackup is one backup object (one version of it) in the stack's
// bucket, and what keeps it there.
type StoredBackup struct {
	// URL names it for restore --from: gs://B/NAME, with #GENERATION for
	// an older version of the newest copy.
	URL     string
	Created time.Time
	Size    int64
	// Keeps says why it is there and until when.
	Keeps string
}

// Backups lists every backup of the stack's bucket, newest first: the
// kept ones, the newest copies (each version), the timestamped ones,
// with what the lifecycle (infra.BackupRules) does to each.
func (e *Engine) Backups(ctx context.Context, now time.Time) ([]StoredBackup, error) {
	g := e.bucket()
	var out []StoredBackup
	for _, prefix := range []string{infra.KeptPrefix, infra.NewestPrefix, infra.BackupsPrefix} {
		versions, err := g.versions(ctx, prefix)
		if err != nil {
			return nil, fmt.Errorf("listing the backups of %s: %w", e.Name, err)
		}
		// Newest first within a name, so the newest copy's versions can
		// be counted.
		sort.SliceStable(versions, func(i, j int) bool { return versions[i].Created.After(versions[j].Created) })
		seen := map[string]int{}
		for _, v := range versions {
			b := StoredBackup{URL: g.Where(v.Name), Created: v.Created, Size: v.Size}
			n := seen[v.Name]
			seen[v.Name]++
			if v.Noncurrent {
				b.URL += fmt.Sprintf("#%d", v.Generation)
			}
			b.Keeps = keeps(prefix, v, n, e.Config.Backup.RetentionDays, e.Config.Backup.KeepNewest, now)
			out = append(out, b)
		}
	}
	return out, nil
}

// keeps says what the lifecycle does to a version: n is how many newer
// versions of its name there are.
func keeps(prefix string, v objectVersion, n, retention, newest int, now time.Time) string {
	days := func(t time.Time, d int) string {
		left := int(math.Ceil(t.AddDate(0, 0, d).Sub(now).Hours() / 24))
		if left < 1 {
			return "goes within a day"
		}
		return fmt.Sprintf("goes in %d days", left)
	}
	switch {
	case v.Noncurrent && prefix == infra.NewestPrefix && n < newest:
		return fmt.Sprintf("one of the newest %d, kept whatever its age", newest)
	case prefix == infra.NewestPrefix && n >= newest:
		return fmt.Sprintf("%d newer versions: goes within a day", n)
	case v.Noncurrent:
		return "deleted or replaced, recoverable: " + days(v.NoncurrentSince, infra.NoncurrentDays)
	case prefix == infra.KeptPrefix:
		return "kept until you delete it"
	case prefix == infra.NewestPrefix:
		return fmt.Sprintf("the newest, kept whatever its age (with %d more versions)", newest-1)
	}
	return days(v.Created, retention) + " (backupRetentionDays)"
}

type objectVersion struct {
	Name            string
	Generation      int64
	Created         time.Time
	Updated         time.Time
	Size            int64
	Noncurrent      bool
	NoncurrentSince time.Time
}

// versions lists every version under prefix (noncurrent versions carry
// timeDeleted).
func (g *gcsStore) versions(ctx context.Context, prefix string) ([]objectVersion, error) {
	return g.list(ctx, prefix, true)
}

// list is the JSON API's objects.list, page by page; with all, every
// version (versions=true), else the live objects.
func (g *gcsStore) list(ctx context.Context, prefix string, all bool) ([]objectVersion, error) {
	var out []objectVersion
	token := ""
	for {
		q := url.Values{"prefix": {g.key(prefix)}}
		if all {
			q.Set("versions", "true")
		}
		if token != "" {
			q.Set("pageToken", token)
		}
		b, err := g.do(ctx, http.MethodGet, fmt.Sprintf("%s/storage/v1/b/%s/o?%s", g.base(), url.PathEscape(g.bucket), q.Encode()), nil)
		if err != nil {
			return nil, err
		}
		var page struct {
			Items []struct {
				Name        string    `json:"name"`
				Generation  string    `json:"generation"`
				Size        string    `json:"size"`
				TimeCreated time.Time `json:"timeCreated"`
				Updated     time.Time `json:"updated"`
				TimeDeleted time.Time `json:"timeDeleted"`
			} `json:"items"`
			Next string `json:"nextPageToken"`
		}
		if err := json.Unmarshal(b, &page); err != nil {
			return nil, fmt.Errorf("listing gs://%s: %w", g.bucket, err)
		}
		for _, it := range page.Items {
			v := objectVersion{Name: strings.TrimPrefix(strings.TrimPrefix(it.Name, g.key("")), "/"), Created: it.TimeCreated, Updated: it.Updated,
				Noncurrent: !it.TimeDeleted.IsZero(), NoncurrentSince: it.TimeDeleted}
			fmt.Sscan(it.Generation, &v.Generation)
			fmt.Sscan(it.Size, &v.Size)
			out = append(out, v)
		}
		if token = page.Next; token == "" {
			return out, nil
		}
	}
}

// Freshness is the age of the newest backup against the stack's bound.
type Freshness struct {
	Newest  *StoredBackup // nil: no backup at all
	Age     time.Duration
	MaxAge  time.Duration
	Checked bool // false asleep: a sleeping stack takes no backups
}

// Stale tells whether the bound is broken.
func (f Freshness) Stale() bool { return f.Checked && (f.Newest == nil || f.Age > f.MaxAge) }

func (f Freshness) String() string {
	switch {
	case f.Newest == nil && f.Checked:
		return "no backup at all: the backup CronJob has not run or failed (kubectl get jobs -l name=mysql-backup-pod), or take one: infra backup"
	case f.Newest == nil:
		return "asleep, and no backup exists"
	case !f.Checked:
		return fmt.Sprintf("asleep; its newest backup is %s, %s old", f.Newest.URL, f.Age.Round(time.Minute))
	case f.Stale():
		return fmt.Sprintf("the newest backup, %s, is %s old: more than backupMaxAgeHours (%s); the backup CronJob is failing or not running (kubectl get jobs -l name=mysql-backup-pod)",
			f.Newest.URL, f.Age.Round(time.Minute), f.MaxAge)
	}
	return fmt.Sprintf("the newest backup, %s, is %s old (bound %s)", f.Newest.URL, f.Age.Round(time.Minute), f.MaxAge)
}

// BackupFreshness finds the newest live backup and checks its age while
// the stack is awake.
func (e *Engine) BackupFreshness(ctx context.Context, now time.Time) (Freshness, error) {
	f := Freshness{MaxAge: time.Duration(e.Config.Backup.MaxAgeHours) * time.Hour, Checked: e.awake.Awake}
	list, err := e.Backups(ctx, now)
	if err != nil {
		return f, err
	}
	for i, b := range list {
		if strings.Contains(b.URL, "#") {
			continue // an older version
		}
		if f.Newest == nil || b.Created.After(f.Newest.Created) {
			f.Newest = &list[i]
		}
	}
	if f.Newest != nil {
		f.Age = now.Sub(f.Newest.Created)
	}
	return f, nil
}

// BackupWarning is what the check before every verb says of the backups:
// the freshness bound broken by an awake GKE stack, else "". It asks Cloud
// Storage for at most 10 s and says nothing when it cannot (infra drift
// reports that, and exits non-zero).
func (e *Engine) BackupWarning(ctx context.Context, now time.Time) string {
	if e.Config.Local() || !e.awake.Awake {
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	f, err := e.BackupFreshness(ctx, now)
	if err != nil || !f.Stale() {
		return ""
	}
	return fmt.Sprintf("the backups of %s: %s", e.Name, f)
}

// LastBackupJob is the newest Job of the backup CronJob (scheduled, or
// infra backup's), read from the cluster; nil when it has none.
func (e *Engine) LastBackupJob(ctx context.Context) (*kubejob.Status, error) {
	jobs, done, err := e.kubeJobs(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	return jobs.Latest(ctx, components.BackupCronJobName+"-")
}
