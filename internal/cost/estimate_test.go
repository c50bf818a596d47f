package cost

import (
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/unlimited-translation/infra/internal/prices"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// Every line of dev and prod, worked out by hand from the committed stack
// files and prices.json (us-central1 figures, 730 hours):
//
//	Autopilot, per hour: vCPU $0.0445 (Spot $0.0133), GiB $0.0049225
//	(Spot $0.0014767), ephemeral GiB $0.0000548.
func TestEstimateByHand(t *testing.T) {
	const h = 730.0
	backupHours := 10.0 / 60 * h / 24 // 10 minutes a day
	for _, tc := range []struct {
		stack string
		want  map[string][2]float64 // component → monthly min, max
	}{
		{"dev", map[string][2]float64{
			"cluster": {0, 0}, // $73 fee, -$73 free tier credit
			// 1 Spot pod: 1 vCPU, 2 GiB, 500Mi ephemeral.
			"backend": {(1*0.0133 + 2*0.0014767 + 500.0/1024*0.0000548) * h, (1*0.0133 + 2*0.0014767 + 500.0/1024*0.0000548) * h},
			// 1 Spot pod: 250m, 512Mi, 100Mi.
			"frontend": {(0.25*0.0133 + 0.5*0.0014767 + 100.0/1024*0.0000548) * h, (0.25*0.0133 + 0.5*0.0014767 + 100.0/1024*0.0000548) * h},
			// MySQL is not on Spot (spotDatabase false): 250m, 1Gi, 100Mi.
			"database": {(0.25*0.0445 + 1*0.0049225 + 100.0/1024*0.0000548) * h, (0.25*0.0445 + 1*0.0049225 + 100.0/1024*0.0000548) * h},
			// Spot job pod: 250m, 512Mi, 1Gi (the 1 GiB disk's dump room).
			"backup":        {(0.25*0.0133 + 0.5*0.0014767 + 1*0.0000548) * backupHours, (0.25*0.0133 + 0.5*0.0014767 + 1*0.0000548) * backupHours},
			"load balancer": {0.025 * h, 0.025 * h},
			"address":       {0, 0},
			"dns":           {0.20, 0.20},
			"data disk":     {0.10, 0.10},                       // 1 GiB pd-balanced
			"backups":       {14 * 0.1 * 0.02, 14 * 0.1 * 0.02}, // 7 + 7 days of 0.1 GiB dumps
		}},
		{"prod", map[string][2]float64{
			"cluster": {73, 73}, // no free tier in prod
			// 2-4 pods (autoscaler): 2 vCPU, 4 GiB, 1Gi ephemeral.
			"backend":  {2 * (2*0.0445 + 4*0.0049225 + 1*0.0000548) * h, 4 * (2*0.0445 + 4*0.0049225 + 1*0.0000548) * h},
			"frontend": {2 * (0.5*0.0445 + 1*0.0049225 + 100.0/1024*0.0000548) * h, 2 * (0.5*0.0445 + 1*0.0049225 + 100.0/1024*0.0000548) * h},
			"database": {(0.5*0.0445 + 2*0.0049225 + 100.0/1024*0.0000548) * h, (0.5*0.0445 + 2*0.0049225 + 100.0/1024*0.0000548) * h},
			// 10 GiB of dump room, capped at Autopilot's 10 GiB.
			"backup":        {(0.25*0.0445 + 0.5*0.0049225 + 10*0.0000548) * backupHours, (0.25*0.0445 + 0.5*0.0049225 + 10*0.0000548) * backupHours},
			"load balancer": {0.025 * h, 0.025 * h},
			"address":       {0, 0},
			"data disk":     {10 * 0.10 * 2, 10 * 0.10 * 2},                   // regional: two replicas
			"backups":       {37 * 1.0 * 0.02, 37 * 1.0 * 0.02},               // 30 + 7 days of 1 GiB dumps
			"nat":           {(3*0.0014 + 0.005) * h, (3*0.0014 + 0.005) * h}, // 3 nodes, 1 address
			// $5 policy + 8 rules at $1: 6 WAF rules, the rate limit, the default.
			"armor": {5 + 8*1, 5 + 8*1},
		}},
	} {
		t.Run(tc.stack, func(t *testing.T) {
			e, err := ForStack("../..", tc.stack, nil, prices.Default)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string][2]float64{}
			for _, c := range e.Components() {
				got[c.Component] = [2]float64{c.Monthly, c.MonthlyMax}
			}
			var sum [2]float64
			for k, w := range tc.want {
				g, ok := got[k]
				if !ok || math.Abs(g[0]-w[0]) > 0.005 || math.Abs(g[1]-w[1]) > 0.005 {
					t.Errorf("%s: $%.4f-%.4f, want $%.4f-%.4f", k, g[0], g[1], w[0], w[1])
				}
				sum[0], sum[1] = sum[0]+w[0], sum[1]+w[1]
			}
			if len(got) != len(tc.want) {
				t.Errorf("components %v, want %d", got, len(tc.want))
			}
			if math.Abs(e.Monthly-sum[0]) > 0.01 || math.Abs(e.MonthlyMax-sum[1]) > 0.01 || math.Abs(e.Daily-sum[0]*12/365) > 0.001 {
				t.Errorf("total $%.2f-%.2f ($%.3f/day), want $%.2f-%.2f", e.Monthly, e.MonthlyMax, e.Daily, sum[0], sum[1])
			}
		})
	}
}

// Asleep, dev keeps the unused address ($0.01 × 730 = $7.30), the zone
// ($0.20), the disk ($0.10) and its backups (14 × 0.1 GiB × $0.02 =
// $0.028): $7.628 a month, $0.2508 a day; the goal is at most $0.30.
func TestDevAsleep(t *testing.T) {
	e, err := ForStack("../..", "dev", map[string]string{"unlimited-translation:awake": "false"}, prices.Default)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(e.Monthly-7.628) > 0.001 || e.Daily > 0.30 {
		t.Errorf("dev asleep: $%.3f a month, $%.3f a day", e.Monthly, e.Daily)
	}
}

// The goal for dev awake: at most $1.50 a day.
func TestDevAwakeWithinBudget(t *testing.T) {
	e, err := ForStack("../..", "dev", nil, prices.Default)
	if err != nil {
		t.Fatal(err)
	}
	if e.DailyMax > 1.50 {
		t.Errorf("dev costs $%.2f a day, the budget is $1.50", e.DailyMax)
	}
}

// Config moves the figures it should: replicas, Spot, the free tier, a
// region without prices of its own.
func TestEstimateFollowsConfig(t *testing.T) {
	p := "unlimited-translation:"
	base, _ := ForStack("../..", "dev", nil, prices.Default)
	more, err := ForStack("../..", "dev", map[string]string{p + "backendReplicas": "3"}, prices.Default)
	if err != nil {
		t.Fatal(err)
	}
	// 2 more Spot pods of 1 vCPU, 2 GiB, 500Mi.
	if d := more.Monthly - base.Monthly; math.Abs(d-2*(0.0133+2*0.0014767+500.0/1024*0.0000548)*730) > 0.01 {
		t.Errorf("2 more backend pods add $%.2f", d)
	}
	onDemand, _ := ForStack("../..", "dev", map[string]string{p + "spot": "false", p + "freeTierCredit": "false"}, prices.Default)
	// Backend, frontend and backup at on-demand prices, and the $73 fee.
	want := base.Monthly + 73 +
		(1*(0.0445-0.0133)+2*(0.0049225-0.0014767))*730 +
		(0.25*(0.0445-0.0133)+0.5*(0.0049225-0.0014767))*730 +
		(0.25*(0.0445-0.0133)+0.5*(0.0049225-0.0014767))*10/60*730/24
	if math.Abs(onDemand.Monthly-want) > 0.01 {
		t.Errorf("on demand without the free tier: $%.2f, want $%.2f", onDemand.Monthly, want)
	}
	if base.RegionPriced || !strings.Contains(strings.Join(base.Notes, "\n"), "no prices read for europe-west1: us-central1's stand in") {
		t.Errorf("europe-west1 is not said to be priced as us-central1: %v", base.Notes)
	}
	local, _ := ForStack("../..", "local", nil, prices.Default)
	if local.Monthly != 0 || len(local.Lines) != 0 {
		t.Errorf("a local stack costs $%.2f", local.Monthly)
	}
	// Alerts add no line, a note (their price was not read from Google).
	alerts, _ := ForStack("../..", "dev", map[string]string{p + "alertEmail": "ops@example.com"}, prices.Default)
	if alerts.Monthly != base.Monthly || !strings.Contains(strings.Join(alerts.Notes, "\n"), "alerts: 1 uptime check every 5 minutes") ||
		strings.Contains(strings.Join(base.Notes, "\n"), "uptime check") {
		t.Errorf("alerts: $%.2f (base $%.2f), notes %v", alerts.Monthly, base.Monthly, alerts.Notes)
	}
}

// A user's price list replaces the built-in one; a broken one is refused.
func TestPriceFile(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"read":"x","hoursPerMonth":730,"regions":{},"fallbackRegion":"us-central1"}`), 0o644)
	if _, err := prices.Load(bad); err == nil || !strings.Contains(err.Error(), "at least one region") {
		t.Errorf("empty price list: %v", err)
	}
	typo := filepath.Join(dir, "typo.json")
	os.WriteFile(typo, []byte(`{"read":"x","hoursPerMonth":730,"regionz":{}}`), 0o644)
	if _, err := prices.Load(typo); err == nil || !strings.Contains(err.Error(), "regionz") {
		t.Errorf("unknown key: %v", err)
	}
}

func TestGolden(t *testing.T) {
	for _, name := range []string{"dev", "dev-asleep", "prod"} {
		stack, set := name, map[string]string(nil)
		if name == "dev-asleep" {
			stack, set = "dev", map[string]string{"unlimited-translation:awake": "false"}
		}
		e, err := ForStack("../..", stack, set, prices.Default)
		if err != nil {
			t.Fatal(err)
		}
		js, err := e.JSON()
		if err != nil {
			t.Fatal(err)
		}
		for name, got := range map[string]string{name + ".txt": e.Table(), name + ".json": string(js)} {
			path := filepath.Join("testdata", name)
			if *update {
				os.MkdirAll("testdata", 0o755)
				os.WriteFile(path, []byte(got), 0o644)
				continue
			}
			want, err := os.ReadFile(path)
			if err != nil || string(want) != got {
				t.Errorf("%s differs from the golden file (go test ./internal/cost -update if intended):\n%s", name, got)
			}
		}
	}
}

func BenchmarkCostDev(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := ForStack("../..", "dev", nil, prices.Default); err != nil {
			b.Fatal(err)
		}
	}
}

// The README's cost table is `infra cost` of the committed stacks; this
// keeps it true. Regenerate with: go run ./tools/costdoc -w
func TestReadmeCostTable(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	table, err := ReadmeTable("../..", prices.Default)
	if err != nil {
		t.Fatal(err)
	}
	want, err := SpliceReadme(string(b), table)
	if err != nil {
		t.Fatal(err)
	}
	if want != string(b) {
		t.Error("README cost table is stale: run go run ./tools/costdoc -w")
	}
}

// The article's setup, by hand: backend 4 vCPU with memory raised to
// 4 GiB and 1 GiB ephemeral (the default); frontend and MySQL at the
// defaults 0.5 vCPU, 2 GiB, 1 GiB; plus the $73 fee and $18.25 of load
// balancer.
func TestOriginalSetup(t *testing.T) {
	e, pods := Original(prices.Default, "us-central1")
	if pods[0] != (Pod{4, 4, 1}) || pods[1] != (Pod{0.5, 2, 1}) {
		t.Errorf("billed pods %+v", pods)
	}
	want := 73 + 18.25 + (4*0.0445+4*0.0049225+0.0000548)*730 + 2*(0.5*0.0445+2*0.0049225+0.0000548)*730
	if math.Abs(e.Monthly-want) > 0.01 {
		t.Errorf("original setup $%.2f, want $%.2f", e.Monthly, want)
	}
}
