package cost

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/unlimited-translation/infra/internal/plan"
	"github.com/unlimited-translation/infra/internal/prices"
	"github.com/unlimited-translation/infra/internal/stackfile"
	"github.com/unlimited-translation/infra/stacks"
)

// ForStack plans a stack from its files in dir (set overrides config, as
// `infra plan` takes it) and prices it.
func ForStack(dir, stack string, set map[string]string, list prices.List) (Estimate, error) {
	if _, err := os.Stat(filepath.Join(dir, "Pulumi.yaml")); err != nil {
		return Estimate{}, fmt.Errorf("no Pulumi.yaml in %s: run infra from the project directory or pass --dir", dir)
	}
	src, _, _, err := stackfile.Offline(dir, stack, set)
	if err != nil {
		return Estimate{}, err
	}
	cfg, err := stacks.Load(stack, src)
	if err != nil {
		return Estimate{}, err
	}
	p, err := plan.Evaluate(stacks.Project, stack, dir, src.Values, src.SecretKeys(), stacks.Program)
	if err != nil {
		return Estimate{}, err
	}
	return Of(p, cfg, list), nil
}

// Money renders a figure, or a range: "$45.17", "-$73.00", "$158.77-317.53".
func Money(lo, hi float64) string {
	one := func(f float64) string {
		if s := fmt.Sprintf("%.2f", f); s[0] == '-' && s != "-0.00" {
			return "-$" + s[1:]
		}
		return fmt.Sprintf("$%.2f", math.Abs(f))
	}
	if fmt.Sprintf("%.2f", lo) == fmt.Sprintf("%.2f", hi) {
		return one(lo)
	}
	return one(lo) + "-" + strings.TrimPrefix(one(hi), "$")
}

// Table renders the estimate for a terminal: the lines, the totals per
// component, month and day, and the notes.
func (e Estimate) Table() string {
	var b strings.Builder
	state := ""
	if e.Asleep {
		state = ", asleep"
	}
	if len(e.Lines) == 0 {
		fmt.Fprintf(&b, "Cost of stack %q: $0.00\n", e.Stack)
		for _, n := range e.Notes {
			fmt.Fprintf(&b, "note: %s\n", n)
		}
		return b.String()
	}
	fmt.Fprintf(&b, "Cost of stack %q (%s%s), list prices, 730 hours a month:\n\n", e.Stack, e.Region, state)
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "component\titem\tper month")
	for _, l := range e.Lines {
		item := l.Item
		if l.Assumption != "" {
			item += " *"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\n", l.Component, item, Money(l.Monthly, l.MonthlyMax))
	}
	w.Flush()
	b.WriteString("\nper component:\n")
	w = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, c := range e.Components() {
		fmt.Fprintf(w, "  %s\t%s\n", c.Component, Money(c.Monthly, c.MonthlyMax))
	}
	w.Flush()
	fmt.Fprintf(&b, "\ntotal: %s per month, %s per day\n", Money(e.Monthly, e.MonthlyMax), Money(e.Daily, e.DailyMax))
	if len(e.Lines) > 0 {
		b.WriteString("\n* assumes:\n")
		for _, l := range e.Lines {
			if l.Assumption != "" {
				fmt.Fprintf(&b, "  - %s: %s\n", l.Component, l.Assumption)
			}
		}
	}
	for _, n := range e.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	return b.String()
}

// JSON renders the estimate for other tools.
func (e Estimate) JSON() ([]byte, error) {
	type component struct {
		Component  string  `json:"component"`
		Monthly    float64 `json:"monthly"`
		MonthlyMax float64 `json:"monthlyMax"`
	}
	var comps []component
	for _, c := range e.Components() {
		comps = append(comps, component{c.Component, round2(c.Monthly), round2(c.MonthlyMax)})
	}
	out := e
	out.Lines = nil
	for _, l := range e.Lines {
		l.Monthly, l.MonthlyMax = round2(l.Monthly), round2(l.MonthlyMax)
		out.Lines = append(out.Lines, l)
	}
	out.Monthly, out.MonthlyMax, out.Daily, out.DailyMax = round2(e.Monthly), round2(e.MonthlyMax), round2(e.Daily), round2(e.DailyMax)
	b, err := json.MarshalIndent(struct {
		Estimate
		Components []component `json:"components"`
	}{out, comps}, "", "  ")
	return append(b, '\n'), err
}

func round2(f float64) float64 {
	r := float64(int64(f*100+0.5*sign(f))) / 100
	if r == 0 {
		return 0 // no -0
	}
	return r
}

func sign(f float64) float64 {
	if f < 0 {
		return -1
	}
	return 1
}
