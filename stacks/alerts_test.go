package stacks_test

import (
	"strings"
	"testing"

	"github.com/unlimited-translation/infra/internal/mockstack"
	"github.com/unlimited-translation/infra/internal/stackfile"
	"github.com/unlimited-translation/infra/stacks"
)

// With alertEmail, an awake stack gets an HTTPS uptime check of its domain
// and an alert policy on it that notifies an e-mail channel; asleep, only
// the channel stays; without alertEmail, none of them.
func TestAlertsWiring(t *testing.T) {
	run := func(t *testing.T, set map[string]string) *mockstack.Mocks {
		t.Helper()
		src, err := stackfile.Load("..", "dev")
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range map[string]string{"mysqlRootPassword": "test-root-4711", "mysqlPassword": "test-user-4711"} {
			src.Values[stacks.Project+":"+k], src.Secrets[stacks.Project+":"+k] = v, true
		}
		for k, v := range set {
			src.Values[stacks.Project+":"+k] = v
		}
		m, _, err := mockstack.Run("dev", src.Values, src.SecretKeys(), stacks.Program)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	const (
		channelType = "gcp:monitoring/notificationChannel:NotificationChannel"
		checkType   = "gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig"
		policyType  = "gcp:monitoring/alertPolicy:AlertPolicy"
		apiType     = "gcp:projects/service:Service"
	)

	m := run(t, map[string]string{"alertEmail": "ops@example.com"})
	ch := m.Must(t, channelType, "alerts")
	mockstack.Expect(t, "channel", ch.Inputs, map[string]string{
		"project": "unlimited-translation-dev", "type": "email", "labels.email_address": "ops@example.com",
	})
	check := m.Must(t, checkType, "uptime")
	mockstack.Expect(t, "uptime check", check.Inputs, map[string]string{
		"monitoredResource.type": "uptime_url", "monitoredResource.labels.host": "dev.translate.example.com",
		"monitoredResource.labels.project_id": "unlimited-translation-dev",
		"httpCheck.path":                      "/", "period": "300s", "timeout": "10s",
	})
	if v, _ := mockstack.Path(check.Inputs, "httpCheck.useSsl"); !v.IsBool() || !v.BoolValue() {
		t.Error("the uptime check does not use HTTPS")
	}
	if v, _ := mockstack.Path(check.Inputs, "httpCheck.validateSsl"); !v.IsBool() || !v.BoolValue() {
		t.Error("the uptime check does not validate the certificate (a lapsed one would pass)")
	}
	policy := m.Must(t, policyType, "uptime")
	filter := mockstack.Str(policy.Inputs, "conditions.0.conditionThreshold.filter")
	// The mocks give the check the ID "uptime-check".
	if !strings.Contains(filter, `metric.type="monitoring.googleapis.com/uptime_check/check_passed"`) || !strings.Contains(filter, `resource.type="uptime_url"`) ||
		!strings.Contains(filter, `metric.label.check_id="uptime-check"`) {
		t.Errorf("the alert's filter %q is not on the uptime check's metric", filter)
	}
	if got := mockstack.Str(policy.Inputs, "notificationChannels.0"); got != "projects/unlimited-translation-dev/notificationChannels/alerts-id" {
		t.Errorf("the alert notifies %q, not the channel", got)
	}
	has := func(m *mockstack.Mocks, typ, name string) bool { _, err := m.One(typ, name); return err == nil }
	if !has(m, apiType, "apis-monitoring") {
		t.Error("the Monitoring API is not enabled")
	}

	asleep := run(t, map[string]string{"alertEmail": "ops@example.com", "awake": "false"})
	if !has(asleep, channelType, "alerts") || has(asleep, checkType, "uptime") || has(asleep, policyType, "uptime") {
		t.Error("asleep, the channel should stay and the check and its alert go")
	}

	none := run(t, nil)
	if len(none.ByType(channelType))+len(none.ByType(checkType))+len(none.ByType(policyType)) != 0 || has(none, apiType, "apis-monitoring") {
		t.Error("monitoring made without alertEmail")
	}
}
