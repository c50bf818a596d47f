package report

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// Cost is what a change does to a stack's monthly bill at list prices
// (internal/cost): base and head, each a range when a workload autoscales.
type Cost struct {
	Base       *Money       `json:"base"` // nil: the stack is new
	Head       Money        `json:"head"`
	Components []CostChange `json:"components"`
	// Keys are the config changes, each priced alone against the base
	// config (with the head's program).
	Keys      []KeyCost `json:"keys"`
	Threshold float64   `json:"threshold"`
	Over      bool      `json:"overThreshold"`
	Notes     []string  `json:"notes,omitempty"`
}

// Money is a monthly figure, Max above Min for an autoscaled range.
type Money struct {
	Min float64 `json:"monthly"`
	Max float64 `json:"monthlyMax"`
}

// CostChange is one component whose monthly figure changes.
type CostChange struct {
	Component string `json:"component"`
	Base      Money  `json:"base"`
	Head      Money  `json:"head"`
}

// KeyCost is what one config change does to the monthly bill.
type KeyCost struct {
	Key   string `json:"key"`
	Old   string `json:"old"`
	New   string `json:"new"`
	Delta Money  `json:"delta"`
}

// NewCost compares two stacks' figures per component; over is the delta
// above which a change is marked (USD per month).
func NewCost(base *Money, baseParts map[string]Money, head Money, headParts map[string]Money, threshold float64) *Cost {
	if base != nil {
		b := base.rounded()
		base = &b
	}
	c := &Cost{Base: base, Head: head.rounded(), Threshold: threshold, Components: []CostChange{}, Keys: []KeyCost{}}
	names := map[string]bool{}
	for k := range baseParts {
		names[k] = true
	}
	for k := range headParts {
		names[k] = true
	}
	var sorted []string
	for k := range names {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		b, h := baseParts[k], headParts[k]
		if cents(b.Min) != cents(h.Min) || cents(b.Max) != cents(h.Max) {
			c.Components = append(c.Components, CostChange{Component: k, Base: b.rounded(), Head: h.rounded()})
		}
	}
	var from Money
	if base != nil {
		from = *base
	}
	c.Over = c.Head.Max-from.Max > threshold || c.Head.Min-from.Min > threshold
	return c
}

// rounded keeps whole cents, as the bill does.
func (m Money) rounded() Money {
	return Money{Min: float64(cents(m.Min)) / 100, Max: float64(cents(m.Max)) / 100}
}

func cents(f float64) int64 { return int64(math.Round(f * 100)) }

func (m Money) String() string {
	one := func(f float64) string {
		if cents(f) < 0 {
			return fmt.Sprintf("-$%.2f", -f)
		}
		return fmt.Sprintf("$%.2f", math.Abs(f))
	}
	if cents(m.Min) == cents(m.Max) {
		return one(m.Min)
	}
	return one(m.Min) + "-" + strings.TrimPrefix(one(m.Max), "$")
}

// delta renders head minus base: "+$23.77", "-$5.00", "±$0.00", or a range.
func delta(base, head Money) string {
	one := func(f float64) string {
		switch c := cents(f); {
		case c > 0:
			return fmt.Sprintf("+$%.2f", f)
		case c < 0:
			return fmt.Sprintf("-$%.2f", -f)
		}
		return "±$0.00"
	}
	lo, hi := head.Min-base.Min, head.Max-base.Max
	if cents(lo) == cents(hi) {
		return one(lo)
	}
	return one(lo) + " to " + one(hi)
}

// cell is the decision table's cost column.
func (c *Cost) cell() string {
	if c == nil {
		return "—"
	}
	if c.Base == nil && len(c.Notes) > 0 {
		return fmt.Sprintf("base unknown → %s", c.Head)
	}
	if c.Base == nil {
		return fmt.Sprintf("new: %s", c.Head)
	}
	s := fmt.Sprintf("%s → %s (%s)", *c.Base, c.Head, delta(*c.Base, c.Head))
	if c.Over {
		s = "📈 " + s
	}
	return s
}

// details lists the components whose cost changes.
func (c *Cost) details() string {
	if c == nil || len(c.Components)+len(c.Keys) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("**Monthly cost** (list prices; `infra cost --stack STACK` for every line)\n\n")
	for _, k := range c.Keys {
		fmt.Fprintf(&b, "- `%s` %s → %s: %s/month\n", k.Key, showConfig(k.Old, k.Old == ""), showConfig(k.New, k.New == ""), delta(Money{}, k.Delta))
	}
	for _, x := range c.Components {
		fmt.Fprintf(&b, "- `%s`: %s → %s: %s/month\n", x.Component, x.Base, x.Head, delta(x.Base, x.Head))
	}
	if c.Over {
		fmt.Fprintf(&b, "- 📈 more than $%.2f/month more expensive\n", c.Threshold)
	}
	return b.String() + "\n"
}
