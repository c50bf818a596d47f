package bootstrap

import (
	"testing"

	"github.com/unlimited-translation/infra/internal/mockstack"
)

// With a billing account, the bootstrap makes a budget on the project
// (by number, which IAM's pool name carries) at the amount it is given,
// through a provider that bills the Budgets API to the project; without
// one, nothing of it.
func TestBudget(t *testing.T) {
	m, _ := run(t, with(Project+":billingAccount", "012345-6789AB-CDEF01", Project+":budgetMonthly", "45.17"))
	b := m.Must(t, "gcp:billing/budget:Budget", "budget")
	mockstack.Expect(t, "budget", b.Inputs, map[string]string{
		"billingAccount": "012345-6789AB-CDEF01",
		// $45.17 rounded up to whole dollars.
		"amount.specifiedAmount.units": "46", "amount.specifiedAmount.currencyCode": "USD",
		"budgetFilter.projects.0": "projects/" + mockstack.ProjectNumber,
	})
	var thresholds []float64
	v, _ := mockstack.Path(b.Inputs, "thresholdRules")
	for _, r := range v.ArrayValue() {
		thresholds = append(thresholds, r.ObjectValue()["thresholdPercent"].NumberValue())
	}
	if len(thresholds) != 3 || thresholds[0] != 0.5 || thresholds[1] != 0.9 || thresholds[2] != 1 {
		t.Errorf("thresholds %v", thresholds)
	}
	if b.Provider == "" {
		t.Fatal("the budget uses the default provider, which bills the Budgets API to no project")
	}
	p := m.Must(t, "pulumi:providers:gcp", "budget")
	mockstack.Expect(t, "budget provider", p.Inputs, map[string]string{"billingProject": "my-project-123"})
	// Provider config may travel as a bool or as its string.
	if o, _ := mockstack.Path(p.Inputs, "userProjectOverride"); !(o.IsBool() && o.BoolValue()) && !(o.IsString() && o.StringValue() == "true") {
		t.Errorf("budget provider userProjectOverride = %v", o)
	}
	if _, err := m.One("gcp:projects/service:Service", "apis-billingbudgets"); err != nil {
		t.Error("the Billing Budgets API is not enabled")
	}

	none, _ := run(t, sample)
	if len(none.ByType("gcp:billing/budget:Budget")) != 0 {
		t.Error("a budget without a billing account")
	}
	if _, err := none.One("gcp:projects/service:Service", "apis-billingbudgets"); err == nil {
		t.Error("the Billing Budgets API enabled without a budget")
	}
}
