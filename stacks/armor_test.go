package stacks_test

import (
	"fmt"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/unlimited-translation/infra/internal/mockstack"
)

// prod guards the app's backend with its Cloud Armor policy: the six WAF
// rules deny first, then POSTs are limited per client, then the default
// allows; dev has none and its BackendConfig says so, which detaches any
// policy left from before (an empty name).
func TestStacksCloudArmor(t *testing.T) {
	const policyType = "gcp:compute/securityPolicy:SecurityPolicy"
	m, _ := runStack(t, "prod")
	p := m.Must(t, policyType, "armor")
	want := map[string]string{"name": "translation-prod-armor", "type": "CLOUD_ARMOR", "project": "unlimited-translation-prod"}
	waf := []string{"sqli", "xss", "lfi", "rce", "scannerdetection", "protocolattack"}
	for i, w := range waf {
		r := fmt.Sprintf("rules.%d.", i)
		want[r+"action"] = "deny(403)"
		want[r+"match.expr.expression"] = "evaluatePreconfiguredWaf('" + w + "-v422-stable', {'sensitivity': 1})"
	}
	rate, def := fmt.Sprintf("rules.%d.", len(waf)), fmt.Sprintf("rules.%d.", len(waf)+1)
	for k, v := range map[string]string{
		"action": "rate_based_ban", "match.expr.expression": "request.method == 'POST'",
		"rateLimitOptions.enforceOnKey": "IP", "rateLimitOptions.conformAction": "allow", "rateLimitOptions.exceedAction": "deny(429)",
	} {
		want[rate+k] = v
	}
	want[def+"action"], want[def+"match.versionedExpr"], want[def+"match.config.srcIpRanges.0"] = "allow", "SRC_IPS_V1", "*"
	mockstack.Expect(t, "prod policy", p.Inputs, want)
	rules := p.Inputs["rules"].ArrayValue()
	if len(rules) != 8 {
		t.Fatalf("%d rules, want 8", len(rules))
	}
	last := -1.0
	for i, r := range rules {
		prio := r.ObjectValue()["priority"].NumberValue()
		if prio <= last {
			t.Errorf("rule %d has priority %g after %g: the order above is not the order evaluated", i, prio, last)
		}
		last = prio
	}
	if last != 2147483647 {
		t.Errorf("the last rule's priority is %g, want the default rule's 2147483647", last)
	}
	opts := rules[len(waf)].ObjectValue()["rateLimitOptions"].ObjectValue()
	for _, k := range []resource.PropertyKey{"rateLimitThreshold", "banThreshold"} {
		th := opts[k].ObjectValue()
		if th["count"].NumberValue() != 20 || th["intervalSec"].NumberValue() != 60 {
			t.Errorf("%s %v, want 20 a minute", k, th)
		}
	}
	if opts["banDurationSec"].NumberValue() != 600 {
		t.Errorf("ban for %v seconds, want 600", opts["banDurationSec"])
	}
	bc := m.Must(t, backendCfgType, "translation-public-backendconfig")
	mockstack.Expect(t, "prod BackendConfig", bc.Inputs, map[string]string{"spec.securityPolicy.name": "translation-prod-armor"})

	dev, _ := runStack(t, "dev")
	if n := len(dev.ByType(policyType)); n != 0 {
		t.Errorf("dev has %d security policies, want none by default", n)
	}
	bc = dev.Must(t, backendCfgType, "translation-public-backendconfig")
	name, ok := mockstack.Path(bc.Inputs, "spec.securityPolicy.name")
	if !ok || !name.IsString() || name.StringValue() != "" {
		t.Errorf("dev BackendConfig securityPolicy.name = %v, want \"\" (detach)", name)
	}
}
