package stacks

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"strings"
)

// The cluster subnet's ranges: RFC 1918 space, sized for Autopilot (a /20
// of nodes, a /14 of pods, a /20 of Services), in a VPC of the stack's
// own, so they collide with nothing unless the VPC is peered.
const (
	NodesCIDR    = "10.10.0.0/20"
	PodsCIDR     = "10.16.0.0/14"
	ServicesCIDR = "10.20.0.0/20"
)

// NetworkName names the stack's VPC, subnet, router and NAT.
func NetworkName(c Config) string { return fitName("translation-"+sanitize(c.Stack), 63) }

// NodeAccountID is the nodes' service account ID: gke-nodes-STACK.
func NodeAccountID(c Config) string { return fitName("gke-nodes-"+sanitize(c.Stack), 30) }

// AuthorizedNetworks is controlPlaneAuthorizedNetworks as a list.
func AuthorizedNetworks(c Config) []string { return splitList(c.AuthorizedNetworks) }

// splitList reads a comma-separated config value, blanks dropped.
func splitList(list string) []string {
	var out []string
	for _, s := range strings.Split(list, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// checkNetwork validates the control plane's authorised networks.
func (v *validation) checkNetwork(c Config) {
	if c.RestrictControlPlane && len(AuthorizedNetworks(c)) == 0 {
		// An empty list with authorised networks on would shut out
		// everything but the cluster's own network: Pulumi, kubectl and
		// CI alike.
		v.add("controlPlaneAuthorizedNetworks", "is empty while restrictControlPlane is true: list the ranges your operators and CI runners reach the control plane from (GitHub-hosted runners have no fixed range: use larger runners with static addresses or self-hosted runners)",
			v.setFix("controlPlaneAuthorizedNetworks", "198.51.100.0/24,203.0.113.7/32")+"  (or, deliberately: "+v.setFix("restrictControlPlane", "false")+")")
	}
	for _, cidr := range AuthorizedNetworks(c) {
		ip, n, err := net.ParseCIDR(cidr)
		if err != nil || ip.To4() == nil {
			v.add("controlPlaneAuthorizedNetworks", fmt.Sprintf("%q is not an IPv4 CIDR range (e.g. 203.0.113.0/24)", cidr),
				v.setFix("controlPlaneAuthorizedNetworks", "203.0.113.0/24"))
			continue
		}
		if !ip.Equal(n.IP) {
			v.add("controlPlaneAuthorizedNetworks", fmt.Sprintf("%q has host bits set; the range is %s", cidr, n),
				v.setFix("controlPlaneAuthorizedNetworks", n.String()))
		}
	}
}

// CertificateName is the stack's Google-managed certificate, named after
// its domains too: another domain is another certificate under another
// name (the provider still deletes the old one first, as it does with
// every resource the program names: internal/rules).
func CertificateName(c Config) string {
	sum := sha256.Sum256([]byte(c.Domain))
	return fitName("translation-"+sanitize(c.Stack), 50) + "-" + hex.EncodeToString(sum[:])[:8]
}
