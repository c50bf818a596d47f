package plan

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"maps"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/unlimited-translation/infra/internal/report"
	"github.com/unlimited-translation/infra/internal/stackfile"
	"github.com/unlimited-translation/infra/stacks"
)

// FingerprintKeyEnv passes the comparison's secret-fingerprint key to the
// base revision's `infra plan --json` (hex). Only --against sets it.
const FingerprintKeyEnv = "INFRA_PLAN_FINGERPRINT_KEY"

// Against compares each stack's plan at git revision ref with the working
// tree of the project in dir: one report per stack. The base plan comes
// from ref's own program: when ref's Go code equals the working tree's,
// the program here plans ref's stack files in process; otherwise ref is
// checked out into a temporary worktree and its own `infra plan --json`
// is built once and run per stack. A stack ref does not have is all new.
// A stack whose plan fails gets a report holding the error; err is only
// for what stops the whole comparison (no git, unknown ref).
//
// With pricing, each report also says what the change does to the
// stack's monthly bill.
func Against(dir, ref string, stackNames []string, pricing *Pricing) ([]*report.Report, error) {
	g, err := openGit(dir, ref)
	if err != nil {
		return nil, err
	}
	defer g.close()
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	var reps []*report.Report
	for _, stack := range stackNames {
		rep := &report.Report{Kind: "plan diff", Stack: stack, Base: g.baseShort, Head: g.headLabel}
		reps = append(reps, rep)
		fail := func(err error) {
			*rep = report.Report{Kind: rep.Kind, Stack: stack, Base: rep.Base, Head: rep.Head, Err: err.Error()}
		}
		head, err := Stack(dir, stack, nil)
		if err != nil {
			fail(err)
			continue
		}
		headJSON, err := head.FingerprintJSON(key)
		if err != nil {
			fail(err)
			continue
		}
		baseJSON, baseCfg, err := g.basePlan(stack, key)
		if err != nil {
			fail(err)
			continue
		}
		d, err := DiffJSON(stack, baseJSON, headJSON)
		if err != nil {
			fail(err)
			continue
		}
		d.Base, d.Head = rep.Base, rep.Head
		if headCfg, _, _, err := stackfile.Offline(dir, stack, nil); err == nil {
			d.Config = ConfigChanges(baseCfg, headCfg)
		}
		d.Graph = head.BlastGraph(d)
		if pricing != nil {
			d.Cost = pricing.compare(stack, baseJSON, baseCfg, head, dir)
			if d.Cost != nil && len(baseJSON) > 0 {
				d.Cost.Keys = pricing.perKey(stack, dir, baseCfg, d.Config)
			}
		}
		*rep = *d
	}
	return reps, nil
}

// Pricer prices a plan with its stack's config: the monthly total and the
// figure per component (internal/cost provides it; plan cannot import it).
type Pricer func(p *Plan, cfg stacks.Config) (report.Money, map[string]report.Money)

// Pricing turns on cost figures in Against's reports.
type Pricing struct {
	Price Pricer
	// Threshold marks a stack made more expensive by more than this many
	// dollars a month.
	Threshold float64
}

// compare prices the base and head plans of stack. A base that no longer
// loads (its config is invalid under today's rules) is priced as unknown.
func (pr *Pricing) compare(stack string, baseJSON []byte, baseCfg stacks.MapSource, head *Plan, dir string) *report.Cost {
	headSrc, _, _, err := stackfile.Offline(dir, stack, nil)
	if err != nil {
		return nil
	}
	headCfg, err := stacks.Load(stack, headSrc)
	if err != nil {
		return nil
	}
	headTotal, headParts := pr.Price(head, headCfg)
	var base *report.Money
	var baseParts map[string]report.Money
	if len(baseJSON) > 0 {
		bp, err := FromJSON(baseJSON)
		cfg, cerr := stacks.Load(stack, baseCfg)
		if err != nil || cerr != nil {
			c := report.NewCost(nil, nil, headTotal, headParts, pr.Threshold)
			c.Notes = append(c.Notes, "the base revision could not be priced")
			return c
		}
		total, parts := pr.Price(bp, cfg)
		base, baseParts = &total, parts
	}
	return report.NewCost(base, baseParts, headTotal, headParts, pr.Threshold)
}

// perKey prices each non-secret config change alone: the head's program
// with the base config, then with that one key changed. A combination
// that does not load (a key valid only with another) is left out.
func (pr *Pricing) perKey(stack, dir string, base stacks.MapSource, changes []report.ConfigChange) []report.KeyCost {
	price := func(values map[string]string) (report.Money, bool) {
		src := stacks.MapSource{Values: values, Secrets: base.Secrets}
		cfg, err := stacks.Load(stack, src)
		if err != nil {
			return report.Money{}, false
		}
		p, err := Evaluate(stacks.Project, stack, dir, values, src.SecretKeys(), stacks.Program)
		if err != nil {
			return report.Money{}, false
		}
		total, _ := pr.Price(p, cfg)
		return total, true
	}
	out := []report.KeyCost{}
	if len(changes) == 0 {
		return out
	}
	baseline, ok := price(base.Values)
	if !ok {
		return out
	}
	for _, c := range changes {
		if c.Secret {
			continue
		}
		key := c.Key
		if !strings.Contains(key, ":") {
			key = stacks.Project + ":" + key
		}
		values := maps.Clone(base.Values)
		if c.Removed {
			delete(values, key)
		} else {
			values[key] = c.New
		}
		total, ok := price(values)
		if !ok {
			continue
		}
		d := report.Money{Min: total.Min - baseline.Min, Max: total.Max - baseline.Max}
		if math.Round(d.Min*100) != 0 || math.Round(d.Max*100) != 0 {
			out = append(out, report.KeyCost{Key: c.Key, Old: c.Old, New: c.New, Delta: report.Money{Min: math.Round(d.Min*100) / 100, Max: math.Round(d.Max*100) / 100}})
		}
	}
	return out
}

// gitBase is the base revision of a comparison.
type gitBase struct {
	top, rel, sha string
	baseShort     string
	headLabel     string
	// programChanged: the Go code differs from the working tree's.
	programChanged bool
	tmp            string
	built          string // the base revision's infra binary, once built
	worktree       string
}

func openGit(dir, ref string) (*gitBase, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	top, err := git(abs, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, fmt.Errorf("--against needs a git checkout: %s is not in one", dir)
	}
	sha, err := git(abs, "rev-parse", "--verify", "--quiet", ref+"^{commit}")
	if err != nil {
		return nil, fmt.Errorf("unknown git revision %q (fetch it first, e.g. git fetch origin main)", ref)
	}
	rel, err := filepath.Rel(top, abs)
	if err != nil {
		return nil, err
	}
	g := &gitBase{top: top, rel: rel, sha: sha, baseShort: sha[:7]}
	g.headLabel = "working tree"
	if h, err := git(top, "rev-parse", "--short=7", "HEAD"); err == nil {
		g.headLabel = h
		if st, _ := git(top, "status", "--porcelain", "--untracked-files=no"); st != "" {
			g.headLabel += " + uncommitted changes"
		}
	}
	// What the program is made of: Go sources (tests aside) and the module
	// files. Stack files, docs and workflows do not change the program.
	changed, err := git(top, "diff", "--name-only", sha, "--")
	if err != nil {
		return nil, err
	}
	untracked, _ := git(top, "ls-files", "--others", "--exclude-standard")
	for _, f := range strings.Fields(changed + "\n" + untracked) {
		base := filepath.Base(f)
		if (strings.HasSuffix(f, ".go") && !strings.HasSuffix(f, "_test.go")) || base == "go.mod" || base == "go.sum" {
			g.programChanged = true
			break
		}
	}
	if g.tmp, err = os.MkdirTemp("", "infra-against-"); err != nil {
		return nil, err
	}
	return g, nil
}

func (g *gitBase) close() {
	if g.worktree != "" {
		_, _ = git(g.top, "worktree", "remove", "--force", g.worktree)
	}
	os.RemoveAll(g.tmp)
}

// basePlan returns the base revision's plan of stack as fingerprinted
// JSON (nil when the stack is new) and its config.
func (g *gitBase) basePlan(stack string, key []byte) ([]byte, stacks.MapSource, error) {
	files := filepath.Join(g.tmp, "files-"+stack)
	if err := os.MkdirAll(files, 0o700); err != nil {
		return nil, stacks.MapSource{}, err
	}
	for _, f := range []string{"Pulumi.yaml", "Pulumi." + stack + ".yaml"} {
		b, err := gitBytes(g.top, "show", g.sha+":"+filepath.ToSlash(filepath.Join(g.rel, f)))
		if err != nil {
			return nil, stacks.MapSource{}, nil // not in the base: all new
		}
		if err := os.WriteFile(filepath.Join(files, f), b, 0o600); err != nil {
			return nil, stacks.MapSource{}, err
		}
	}
	cfg, _, _, err := stackfile.Offline(files, stack, nil)
	if err != nil {
		return nil, cfg, fmt.Errorf("the base revision %s: %w", g.baseShort, err)
	}
	if !g.programChanged {
		p, err := Stack(files, stack, nil)
		if err != nil {
			return nil, cfg, fmt.Errorf("the plan of stack %s at the base revision %s fails: %w", stack, g.baseShort, err)
		}
		b, err := p.FingerprintJSON(key)
		return b, cfg, err
	}
	bin, err := g.build()
	if err != nil {
		return nil, cfg, err
	}
	cmd := exec.Command(bin, "plan", "--stack", stack, "--json", "--dir", filepath.Join(g.worktree, g.rel))
	cmd.Env = append(os.Environ(), FingerprintKeyEnv+"="+hex.EncodeToString(key))
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return nil, cfg, fmt.Errorf("the plan of stack %s at the base revision %s fails: %s", stack, g.baseShort, lastLine(errOut.String(), err))
	}
	return out.Bytes(), cfg, nil
}

// build returns the base revision's infra binary: from the cache, keyed by
// the commit (a commit never changes), or checked out into a temporary
// worktree and built once. -trimpath keeps Go's build cache independent of
// the worktree's path, so every package the two revisions share (and every
// dependency) comes from the cache and only what changed is compiled.
func (g *gitBase) build() (string, error) {
	if g.built != "" {
		return g.built, nil
	}
	cacheDir, err := os.UserCacheDir()
	if err != nil {
		cacheDir = g.tmp
	}
	bin := filepath.Join(cacheDir, "unlimited-translation", "against", g.sha, "infra")
	if _, err := os.Stat(bin); err == nil {
		g.built = bin
		return bin, nil
	}
	g.worktree = filepath.Join(g.tmp, "base")
	if _, err := git(g.top, "worktree", "add", "--detach", "--quiet", g.worktree, g.sha); err != nil {
		g.worktree = ""
		return "", fmt.Errorf("checking out %s: %w", g.baseShort, err)
	}
	if _, err := os.Stat(filepath.Join(g.worktree, "cmd", "infra")); err != nil {
		return "", fmt.Errorf("revision %s has no cmd/infra to plan with", g.baseShort)
	}
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		return "", err
	}
	tmpBin := filepath.Join(g.tmp, "infra-base")
	cmd := exec.Command("go", "build", "-trimpath", "-o", tmpBin, "./cmd/infra")
	cmd.Dir = g.worktree
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("building infra at %s: %s", g.baseShort, lastLine(errOut.String(), err))
	}
	// Atomic, so a concurrent run never sees half a binary.
	staged := bin + "." + filepath.Base(g.tmp)
	if err := copyFile(tmpBin, staged); err == nil && os.Rename(staged, bin) == nil {
		g.built = bin
	} else {
		os.Remove(staged)
		g.built = tmpBin
	}
	return g.built, nil
}

func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o755)
}

// ConfigChanges lists the config keys whose values differ, with the
// project's namespace dropped; secret values are compared as stored and
// never shown.
func ConfigChanges(base, head stacks.MapSource) []report.ConfigChange {
	keys := map[string]bool{}
	for k := range base.Values {
		keys[k] = true
	}
	for k := range head.Values {
		keys[k] = true
	}
	var out []report.ConfigChange
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		o, hadO := base.Values[k]
		n, hasN := head.Values[k]
		if hadO == hasN && o == n {
			continue
		}
		c := report.ConfigChange{Key: strings.TrimPrefix(k, stacks.Project+":"), Old: o, New: n, Added: !hadO, Removed: !hasN}
		if base.Secrets[k] || head.Secrets[k] {
			c.Secret, c.Old, c.New = true, "", ""
		}
		out = append(out, c)
	}
	return out
}

func git(dir string, args ...string) (string, error) {
	b, err := gitBytes(dir, args...)
	return strings.TrimSpace(string(b)), err
}

func gitBytes(dir string, args ...string) ([]byte, error) {
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("git %s: %s", strings.Join(args, " "), lastLine(errOut.String(), err))
	}
	return out.Bytes(), nil
}

func lastLine(s string, err error) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return err.Error()
	}
	lines := strings.Split(s, "\n")
	return lines[len(lines)-1]
}
