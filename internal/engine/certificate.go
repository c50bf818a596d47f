package engine

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// A sleeping stack keeps its Google-managed certificate but not the load
// balancer that serves it. The facts this file acts on (README "Sleep and
// wake", Renewal):
//   - Google-managed certificates are valid for 90 days and renewal begins
//     about one month before expiry (Certificate Manager, "Best practices");
//   - renewal fails while a domain does not point at a load balancer that
//     serves it (Cloud Load Balancing, "Using Google-managed SSL
//     certificates"): asleep, every renewal attempt fails;
//   - a certificate that lapsed must be deleted and created anew (the
//     Compute API's advice for managed.status RENEWAL_FAILED), which takes
//     up to 60 minutes (GKE, "Secure traffic for GKE Ingress").
//
// The state's expireTime is the one read at the stack's last refresh; a
// sleep refreshes first and nothing renews while asleep, so for a
// sleeping stack it is current.

// certificateType is the pinned GCP SDK's token for the certificate
// infra.Certificate makes.
const certificateType = "gcp:compute/managedSslCertificate:ManagedSslCertificate"

// renewalWindow is how long before expiry renewal begins (above).
const renewalWindow = 30 * 24 * time.Hour

// Certificate is a Google-managed certificate in the stack's state.
type Certificate struct {
	URN resource.URN
	// Name is the certificate's name in the project.
	Name    string
	Domains []string
	// Expires is the zero time while the certificate has none yet (it is
	// still provisioning).
	Expires time.Time
	// Protected: Pulumi refuses to replace it (protectInfrastructure).
	Protected bool
}

// CertificateRisk is what a sleep does to one certificate at a moment.
type CertificateRisk struct {
	Certificate
	// Lapsed: it expired while the stack slept; wake has to replace it.
	Lapsed bool
	// Message says what happens and what to do.
	Message string
}

// Certificates reads the stack's Google-managed certificates from its
// state.
func (e *Engine) Certificates(ctx context.Context) ([]Certificate, error) {
	var state struct {
		Resources []stateResource `json:"resources"`
	}
	if _, err := e.export(ctx, &state); err != nil {
		return nil, err
	}
	return certificatesOf(state.Resources)
}

func certificatesOf(resources []stateResource) ([]Certificate, error) {
	var out []Certificate
	for _, r := range resources {
		if r.Type != certificateType {
			continue
		}
		outputs := resource.NewObjectProperty(resource.NewPropertyMapFromMap(r.Outputs))
		c := Certificate{URN: resource.URN(r.URN), Name: resource.URN(r.URN).Name(), Protected: r.Protect}
		if n := stringAt(outputs, "name"); n != "" {
			c.Name = n
		}
		for _, d := range arrayAt(outputs, "managed.domains") {
			if d.IsString() {
				c.Domains = append(c.Domains, d.StringValue())
			}
		}
		if s := stringAt(outputs, "expireTime"); s != "" {
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return nil, fmt.Errorf("certificate %s: expireTime %q in the state is not an RFC 3339 time: %w", c.Name, s, err)
			}
			c.Expires = t
		}
		out = append(out, c)
	}
	return out, nil
}

// CertificateRisks says, for a stack asleep at now, which certificates
// its sleep puts at risk: those already in their renewal window (every
// renewal attempt fails) and those that lapsed. An awake stack renews on
// its own: no risk.
func CertificateRisks(certs []Certificate, stack string, asleep bool, now time.Time) []CertificateRisk {
	if !asleep {
		return nil
	}
	var out []CertificateRisk
	for _, c := range certs {
		if c.Expires.IsZero() {
			continue
		}
		what := fmt.Sprintf("the certificate %s (%s)", c.Name, strings.Join(c.Domains, ", "))
		expires := c.Expires.UTC().Format(time.RFC3339)
		switch left := c.Expires.Sub(now); {
		case left <= 0 && c.Protected:
			out = append(out, CertificateRisk{Certificate: c, Lapsed: true, Message: fmt.Sprintf(
				"%s expired at %s while stack %s slept: Google renews only while a load balancer serves the domain. "+
					"It is protected (protectInfrastructure), so infra wake refuses rather than bring the stack back without HTTPS: set protectInfrastructure: false in Pulumi.%s.yaml "+
					"and run infra up --stack %s (the stack stays asleep), then infra wake --stack %s replaces the certificate; set protectInfrastructure back afterwards",
				what, expires, stack, stack, stack, stack)})
		case left <= 0:
			out = append(out, CertificateRisk{Certificate: c, Lapsed: true, Message: fmt.Sprintf(
				"%s expired at %s while stack %s slept: Google renews only while a load balancer serves the domain. "+
					"infra wake --stack %s replaces it with a new one; HTTPS then waits for Google to provision it (up to 60 minutes after DNS resolves)",
				what, expires, stack, stack)})
		case left <= renewalWindow:
			out = append(out, CertificateRisk{Certificate: c, Message: fmt.Sprintf(
				"%s expires at %s, in %s: its renewal began about 30 days before expiry and fails while stack %s sleeps. "+
					"Wake it before then (infra wake --stack %s) and keep it awake until the certificate is renewed, or HTTPS lapses and wake has to replace the certificate",
				what, expires, days(left), stack, stack)})
		}
	}
	return out
}

// SleepCertificateNote says, for a stack going to sleep at now, by when it
// should wake so its certificates can renew, or "" when it has none.
func SleepCertificateNote(certs []Certificate, stack string, now time.Time) string {
	var first time.Time
	for _, c := range certs {
		if !c.Expires.IsZero() && (first.IsZero() || c.Expires.Before(first)) {
			first = c.Expires
		}
	}
	if first.IsZero() {
		return ""
	}
	renew := first.Add(-renewalWindow)
	if renew.Before(now) {
		renew = now
	}
	return fmt.Sprintf("the certificate of %s expires at %s and renews only while the stack is awake (renewal begins about 30 days before expiry): have it awake between %s and then, or HTTPS lapses",
		stack, first.UTC().Format(time.RFC3339), renew.UTC().Format("2006-01-02"))
}

// days says a duration in whole days, rounded down ("less than a day"
// below one).
func days(d time.Duration) string {
	n := int(d / (24 * time.Hour))
	switch n {
	case 0:
		return "less than a day"
	case 1:
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}
