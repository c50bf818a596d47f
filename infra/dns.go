package infra

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/dns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// DNSArgs configures DNS.
type DNSArgs struct {
	Project string
	// Domain is the app's apex host name; records are made for it and www.
	Domain string
	// ZoneName is the Cloud DNS managed zone.
	ZoneName string
	// CreateZone creates a public zone for Domain; false adopts the existing
	// zone ZoneName (read, never modified or deleted).
	CreateZone bool
	// DNSSEC signs a created zone. Its state changes in place (google_dns_
	// managed_zone, terraform-provider-google-beta v5.42.0: dnssec_config
	// is not ForceNew). Resolvers check the signatures only once the
	// registrar publishes the zone's DS record.
	DNSSEC bool
	// CAAIssuers, when set, makes a CAA record at Domain allowing only
	// these CAs to issue certificates for it and every name below it (a CA
	// looks for CAA at the name, then each parent: RFC 8659 section 3).
	CAAIssuers []string
	// Address is the IP the A records point at.
	Address pulumi.StringInput
	// More are A records for other host names in the zone, each to its own
	// address (a second app's load balancer).
	More   []DNSRecord
	Labels map[string]string
	// Protect sets Pulumi's protect on a created zone (a new zone means new
	// name servers) and on the records.
	Protect bool
	// Requires are resources (enabled APIs) every child waits for.
	Requires []pulumi.Resource
}

// ManagedCertificateCAs are the CAs Google-managed certificates come from:
// Google Trust Services and Let's Encrypt. An explicit CAA record that
// leaves one out makes issuance or renewal fail (FAILED_CAA_FORBIDDEN);
// App Engine's ManagementStatus reference names "the in-use CAs (Google CA
// and Let's Encrypt)", and the load balancer's google-managed-certs page
// (section "caa") lists both pki.goog and letsencrypt.org.
var ManagedCertificateCAs = []string{"pki.goog", "letsencrypt.org"}

// DNS is the public zone and the A records for the app's host names.
type DNS struct {
	pulumi.ResourceState

	ZoneName    pulumi.StringOutput
	NameServers pulumi.StringArrayOutput
	// Hosts are the names the records serve (and the certificate covers).
	Hosts []string
}

// DNSRecord is an A record: Host to Address, made as the DNS component's
// child NAME-Label.
type DNSRecord struct {
	Label, Host string
	Address     pulumi.StringInput
}

// Hosts lists the host names served for a domain: the apex and www.
func Hosts(domain string) []string {
	d := strings.TrimSuffix(domain, ".")
	return []string{d, "www." + d}
}

// NewDNS creates or adopts the zone and adds the records.
func NewDNS(ctx *pulumi.Context, name string, args DNSArgs, opts ...pulumi.ResourceOption) (*DNS, error) {
	d := &DNS{Hosts: Hosts(args.Domain)}
	if err := ctx.RegisterComponentResource("translation:infra:DNS", name, d, opts...); err != nil {
		return nil, err
	}
	var zone *dns.ManagedZone
	var err error
	if args.CreateZone {
		zone, err = dns.NewManagedZone(ctx, name, &dns.ManagedZoneArgs{
			Name:        pulumi.String(args.ZoneName),
			Project:     pulumi.String(args.Project),
			DnsName:     pulumi.String(d.Hosts[0] + "."),
			Visibility:  pulumi.String("public"),
			Description: pulumi.String("Public zone of the translation app"),
			Labels:      pulumi.ToStringMap(args.Labels),
			DnssecConfig: &dns.ManagedZoneDnssecConfigArgs{
				State: pulumi.String(map[bool]string{true: "on", false: "off"}[args.DNSSEC]),
			},
		}, pulumi.Parent(d), pulumi.DependsOn(args.Requires), pulumi.Protect(args.Protect))
	} else {
		// A read resource: the zone belongs to someone else and stays on destroy.
		zone, err = dns.GetManagedZone(ctx, name, pulumi.ID(fmt.Sprintf("projects/%s/managedZones/%s", args.Project, args.ZoneName)), nil, pulumi.Parent(d), pulumi.DependsOn(args.Requires))
	}
	if err != nil {
		return nil, fmt.Errorf("dns zone %s: %w", args.ZoneName, err)
	}
	// Every record set: in the zone, a child of the component, protected
	// with it.
	record := func(label, host, typ string, ttl int, rrdatas pulumi.StringArray) error {
		_, err := dns.NewRecordSet(ctx, name+"-"+label, &dns.RecordSetArgs{
			Project:     pulumi.String(args.Project),
			ManagedZone: zone.Name,
			Name:        pulumi.String(host + "."),
			Type:        pulumi.String(typ),
			Ttl:         pulumi.Int(ttl),
			Rrdatas:     rrdatas,
		}, pulumi.Parent(d), pulumi.DependsOn(args.Requires), pulumi.Protect(args.Protect))
		return err
	}
	records := []DNSRecord{{"apex", d.Hosts[0], args.Address}, {"www", d.Hosts[1], args.Address}}
	for _, r := range append(records, args.More...) {
		if err := record(r.Label, r.Host, "A", 300, pulumi.StringArray{r.Address}); err != nil {
			return nil, err
		}
	}
	if len(args.CAAIssuers) > 0 {
		var rrdatas pulumi.StringArray
		for _, ca := range args.CAAIssuers {
			rrdatas = append(rrdatas, pulumi.Sprintf("0 issue %q", ca))
		}
		if err := record("caa", d.Hosts[0], "CAA", 3600, rrdatas); err != nil {
			return nil, err
		}
	}
	d.ZoneName = zone.Name
	d.NameServers = zone.NameServers
	return d, ctx.RegisterResourceOutputs(d, pulumi.Map{
		"zoneName":    zone.Name,
		"nameServers": zone.NameServers,
	})
}
