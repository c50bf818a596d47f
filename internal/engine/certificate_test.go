package engine

import (
	"strings"
	"testing"
	"time"
)

func TestCertificatesFromState(t *testing.T) {
	const urn = "urn:pulumi:dev::unlimited-translation::translation:infra:Certificate$gcp:compute/managedSslCertificate:ManagedSslCertificate::certificate"
	certs, err := certificatesOf([]stateResource{
		{URN: "urn:pulumi:dev::unlimited-translation::gcp:compute/globalAddress:GlobalAddress::address", Type: "gcp:compute/globalAddress:GlobalAddress"},
		{URN: urn, Type: certificateType, Outputs: map[string]interface{}{
			"name":       "translation-dev-0a1b2c3d",
			"expireTime": "2027-02-28T10:00:00-08:00",
			"managed":    map[string]interface{}{"domains": []interface{}{"translate.example.com", "www.translate.example.com"}},
		}},
		// Still provisioning: no expiry yet.
		{URN: urn + "-2", Type: certificateType, Outputs: map[string]interface{}{}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(certs) != 2 || string(certs[0].URN) != urn || certs[0].Name != "translation-dev-0a1b2c3d" || certs[1].Name != "certificate-2" || strings.Join(certs[0].Domains, " ") != "translate.example.com www.translate.example.com" ||
		!certs[0].Expires.Equal(time.Date(2027, 2, 28, 18, 0, 0, 0, time.UTC)) || !certs[1].Expires.IsZero() {
		t.Fatalf("certificates: %+v", certs)
	}
	if _, err := certificatesOf([]stateResource{{URN: urn, Type: certificateType, Outputs: map[string]interface{}{"expireTime": "soon"}}}); err == nil ||
		!strings.Contains(err.Error(), `certificate certificate: expireTime "soon" in the state is not an RFC 3339 time`) {
		t.Errorf("a bad expireTime: %v", err)
	}
}

// The renewal window is the last 30 days before expiry: a sleeping stack
// is at risk inside it, and the certificate has lapsed past expiry.
func TestCertificateRisks(t *testing.T) {
	now := time.Date(2027, 1, 10, 12, 0, 0, 0, time.UTC)
	cert := func(expires time.Time, protected bool) []Certificate {
		return []Certificate{{URN: "urn:pulumi:dev::p::gcp:compute/managedSslCertificate:ManagedSslCertificate::certificate", Name: "translation-dev-0a1b2c3d",
			Domains: []string{"a.example.com"}, Expires: expires, Protected: protected}}
	}
	for _, c := range []struct {
		name    string
		expires time.Time
		asleep  bool
		want    string // "" for no risk
		lapsed  bool
	}{
		{"asleep, 31 days left", now.Add(31 * 24 * time.Hour), true, "", false},
		{"asleep, exactly 30 days left", now.Add(30 * 24 * time.Hour), true, "expires at 2027-02-09T12:00:00Z, in 30 days", false},
		{"asleep, 1 day 23 hours left", now.Add(47 * time.Hour), true, "expires at 2027-01-12T11:00:00Z, in 1 day", false},
		{"asleep, 5 hours left", now.Add(5 * time.Hour), true, "in less than a day", false},
		{"asleep, expired a minute ago", now.Add(-time.Minute), true, "expired at 2027-01-10T11:59:00Z while stack dev slept", true},
		{"asleep, expired, protected", now.Add(-time.Minute), true, "It is protected (protectInfrastructure), so infra wake refuses", true},
		{"awake, expired", now.Add(-time.Minute), false, "", false},
		{"asleep, still provisioning", time.Time{}, true, "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			risks := CertificateRisks(cert(c.expires, strings.HasSuffix(c.name, "protected")), "dev", c.asleep, now)
			switch {
			case c.want == "" && len(risks) != 0:
				t.Errorf("at risk: %+v", risks)
			case c.want != "" && (len(risks) != 1 || !strings.Contains(risks[0].Message, c.want) || risks[0].Lapsed != c.lapsed ||
				!strings.Contains(risks[0].Message, "the certificate translation-dev-0a1b2c3d (a.example.com)")):
				t.Errorf("risks %+v, want one with %q (lapsed %t)", risks, c.want, c.lapsed)
			}
		})
	}
}

func TestSleepCertificateNote(t *testing.T) {
	now := time.Date(2027, 1, 10, 12, 0, 0, 0, time.UTC)
	certs := []Certificate{
		{Expires: time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC)},
		{Expires: time.Date(2027, 3, 1, 6, 0, 0, 0, time.UTC)}, // the first to expire decides
		{},
	}
	// 2027-03-01 minus 30 days is 2027-01-30.
	if got := SleepCertificateNote(certs, "dev", now); !strings.Contains(got, "expires at 2027-03-01T06:00:00Z") || !strings.Contains(got, "have it awake between 2027-01-30 and then") {
		t.Errorf("note: %s", got)
	}
	// Already in the window: from today.
	if got := SleepCertificateNote(certs[1:2], "dev", time.Date(2027, 2, 20, 0, 0, 0, 0, time.UTC)); !strings.Contains(got, "between 2027-02-20 and then") {
		t.Errorf("note inside the window: %s", got)
	}
	if got := SleepCertificateNote(certs[2:], "dev", now); got != "" {
		t.Errorf("no expiry yet: %q", got)
	}
}
