package infra

import (
	"fmt"
	"math"
	"strings"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/billing"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// BudgetAPIs are what Budget needs enabled.
var BudgetAPIs = []string{"billingbudgets.googleapis.com"}

// BudgetArgs configures a Budget.
type BudgetArgs struct {
	Project string
	// ProjectNumber is the project's number: a budget's filter names
	// projects by number (projects/NUMBER).
	ProjectNumber pulumi.StringInput
	// BillingAccount is the ID of the project's Cloud Billing account
	// (XXXXXX-XXXXXX-XXXXXX).
	BillingAccount string
	// DisplayName names it in the console.
	DisplayName string
	// MonthlyUSD is the amount: what `infra cost` says the stack costs a
	// month, rounded up to whole dollars.
	MonthlyUSD float64
	// Requires are resources (enabled APIs) it waits for.
	Requires []pulumi.Resource
}

// BudgetThresholds are the shares of the amount at which the billing
// account's administrators and users are e-mailed.
var BudgetThresholds = []float64{0.5, 0.9, 1.0}

// Budget is a Cloud Billing budget on one project: an alert, never a cap
// ("Create, edit, or delete budgets and budget alerts": a budget does not
// cap usage). The Billing Budgets API needs a quota project when called
// with a person's credentials (terraform-provider-google-beta v5.42.0
// website/docs/r/billing_budget.html.markdown), so it is made through a
// provider that bills its calls to the project.
type Budget struct {
	pulumi.ResourceState
}

// NewBudget creates the budget.
func NewBudget(ctx *pulumi.Context, name string, args BudgetArgs, opts ...pulumi.ResourceOption) (*Budget, error) {
	b := &Budget{}
	if err := ctx.RegisterComponentResource("translation:infra:Budget", name, b, opts...); err != nil {
		return nil, err
	}
	prov, err := gcp.NewProvider(ctx, name, &gcp.ProviderArgs{
		Project:             pulumi.String(args.Project),
		BillingProject:      pulumi.String(args.Project),
		UserProjectOverride: pulumi.Bool(true),
	}, pulumi.Parent(b))
	if err != nil {
		return nil, err
	}
	var rules billing.BudgetThresholdRuleArray
	for _, t := range BudgetThresholds {
		rules = append(rules, &billing.BudgetThresholdRuleArgs{ThresholdPercent: pulumi.Float64(t)})
	}
	if _, err := billing.NewBudget(ctx, name, &billing.BudgetArgs{
		BillingAccount: pulumi.String(args.BillingAccount),
		DisplayName:    pulumi.String(args.DisplayName),
		BudgetFilter: &billing.BudgetBudgetFilterArgs{
			Projects: pulumi.StringArray{pulumi.Sprintf("projects/%s", args.ProjectNumber)},
		},
		Amount: &billing.BudgetAmountArgs{SpecifiedAmount: &billing.BudgetAmountSpecifiedAmountArgs{
			CurrencyCode: pulumi.String("USD"),
			Units:        pulumi.String(fmt.Sprint(int64(math.Ceil(args.MonthlyUSD)))),
		}},
		ThresholdRules: rules,
	}, pulumi.Parent(b), pulumi.Provider(prov), pulumi.DependsOn(args.Requires)); err != nil {
		return nil, err
	}
	return b, ctx.RegisterResourceOutputs(b, pulumi.Map{})
}

// ProjectNumberOf reads a project's number from a resource name IAM gives
// with it (projects/NUMBER/locations/global/workloadIdentityPools/ID).
func ProjectNumberOf(name pulumi.StringOutput) pulumi.StringOutput {
	return name.ApplyT(func(n string) string {
		parts := strings.Split(n, "/")
		if len(parts) > 1 && parts[0] == "projects" {
			return parts[1]
		}
		return ""
	}).(pulumi.StringOutput)
}
