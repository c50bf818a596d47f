package infra

import (
	"fmt"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/compute"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// WAFRules are the preconfigured Cloud Armor WAF rules a policy may use,
// by their short name; each is evaluated as "<name>-v422-stable" (OWASP
// CRS 4.22, Cloud Armor "Preconfigured WAF rules": the version Google
// recommends, its stable rules synced with canary).
var WAFRules = []string{"sqli", "xss", "lfi", "rfi", "rce", "methodenforcement", "scannerdetection", "protocolattack", "php", "sessionfixation", "java"}

// WAFSensitivity is the level every WAF rule runs at: 1 enables only the
// signatures with the highest confidence (Cloud Armor "Tune preconfigured
// WAF rules"), so the free German text the form takes is not mistaken for
// an attack.
const WAFSensitivity = 1

// SecurityPolicyArgs configures a SecurityPolicy.
type SecurityPolicyArgs struct {
	Project string
	// Name is what a GKE BackendConfig's spec.securityPolicy.name refers to.
	Name string
	// RateLimit is how many POST requests per minute one client address
	// may send; more are answered 429, and RateLimit more again within
	// the minute ban the address for BanSeconds.
	RateLimit  int
	BanSeconds int
	// WAF lists the preconfigured rules (short names of WAFRules) that
	// deny a matching request with 403.
	WAF []string
	// Requires are resources (enabled APIs) it waits for.
	Requires []pulumi.Resource
}

// SecurityPolicy is the Cloud Armor policy in front of the app's backend:
// the preconfigured WAF rules first, then a per-client rate-based ban on
// POST (each translation runs the CPU-heavy backend and writes a row), then
// the default rule that allows the rest. Only name and project replace it;
// rules are added, patched and removed by priority in place, the type is
// set at creation (google_compute_security_policy, terraform-provider-
// google-beta v5.42.0).
type SecurityPolicy struct {
	pulumi.ResourceState

	Name pulumi.StringOutput
	// Rules is how many rules the policy holds (they are billed each).
	Rules int
}

// Rule priorities: lower runs first; the default rule's is fixed by the
// API (2147483647, match "*").
const (
	wafPriority     = 1000
	ratePriority    = 2000
	defaultPriority = 2147483647
)

// NewSecurityPolicy creates the policy.
func NewSecurityPolicy(ctx *pulumi.Context, name string, args SecurityPolicyArgs, opts ...pulumi.ResourceOption) (*SecurityPolicy, error) {
	s := &SecurityPolicy{}
	if err := ctx.RegisterComponentResource("translation:infra:SecurityPolicy", name, s, opts...); err != nil {
		return nil, err
	}
	rules := securityRules(args)
	p, err := compute.NewSecurityPolicy(ctx, name, &compute.SecurityPolicyArgs{
		Name:        pulumi.String(args.Name),
		Project:     pulumi.String(args.Project),
		Type:        pulumi.String("CLOUD_ARMOR"),
		Description: pulumi.String("Rate limit and WAF in front of the translation app"),
		Rules:       rules,
	}, pulumi.Parent(s), pulumi.DependsOn(args.Requires))
	if err != nil {
		return nil, err
	}
	s.Name, s.Rules = p.Name, len(rules)
	return s, ctx.RegisterResourceOutputs(s, pulumi.Map{"name": p.Name})
}

func securityRules(args SecurityPolicyArgs) compute.SecurityPolicyRuleTypeArray {
	var rules compute.SecurityPolicyRuleTypeArray
	for i, w := range args.WAF {
		rules = append(rules, &compute.SecurityPolicyRuleTypeArgs{
			Priority:    pulumi.Int(wafPriority + i),
			Action:      pulumi.String("deny(403)"),
			Description: pulumi.String("OWASP CRS 4.22 " + w),
			Match: &compute.SecurityPolicyRuleMatchArgs{Expr: &compute.SecurityPolicyRuleMatchExprArgs{
				Expression: pulumi.String(fmt.Sprintf("evaluatePreconfiguredWaf('%s-v422-stable', {'sensitivity': %d})", w, WAFSensitivity)),
			}},
		})
	}
	perMinute := &compute.SecurityPolicyRuleRateLimitOptionsRateLimitThresholdArgs{Count: pulumi.Int(args.RateLimit), IntervalSec: pulumi.Int(60)}
	ban := &compute.SecurityPolicyRuleRateLimitOptionsBanThresholdArgs{Count: pulumi.Int(args.RateLimit), IntervalSec: pulumi.Int(60)}
	rules = append(rules,
		&compute.SecurityPolicyRuleTypeArgs{
			Priority:    pulumi.Int(ratePriority),
			Action:      pulumi.String("rate_based_ban"),
			Description: pulumi.String("per-client limit on POST (translations)"),
			Match: &compute.SecurityPolicyRuleMatchArgs{Expr: &compute.SecurityPolicyRuleMatchExprArgs{
				Expression: pulumi.String("request.method == 'POST'"),
			}},
			RateLimitOptions: &compute.SecurityPolicyRuleRateLimitOptionsArgs{
				EnforceOnKey:       pulumi.String("IP"),
				ConformAction:      pulumi.String("allow"),
				ExceedAction:       pulumi.String("deny(429)"),
				RateLimitThreshold: perMinute,
				BanThreshold:       ban,
				BanDurationSec:     pulumi.Int(args.BanSeconds),
			},
		},
		&compute.SecurityPolicyRuleTypeArgs{
			Priority:    pulumi.Int(defaultPriority),
			Action:      pulumi.String("allow"),
			Description: pulumi.String("default: allow"),
			Match: &compute.SecurityPolicyRuleMatchArgs{
				VersionedExpr: pulumi.String("SRC_IPS_V1"),
				Config:        &compute.SecurityPolicyRuleMatchConfigArgs{SrcIpRanges: pulumi.StringArray{pulumi.String("*")}},
			},
		})
	return rules
}
