package stacks

import (
	"fmt"
	"net"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/unlimited-translation/infra/components"
	"github.com/unlimited-translation/infra/infra"
	"github.com/unlimited-translation/infra/internal/quantity"
	"github.com/unlimited-translation/infra/internal/suggest"
)

// Problem is one bad config value: the key, what is wrong and the command
// that fixes it.
type Problem struct {
	Key     string
	Message string
	Fix     string
}

// ConfigError lists every problem of a stack's config.
type ConfigError struct {
	Stack    string
	Problems []Problem
}

// Error is one line for one problem, else a header and one entry per
// problem.
func (e *ConfigError) Error() string {
	if len(e.Problems) == 1 {
		p := e.Problems[0]
		msg := fmt.Sprintf("stack %q: config %s %s", e.Stack, p.Key, p.Message)
		if p.Fix != "" {
			msg += " (fix: " + p.Fix + ")"
		}
		return msg
	}
	var b strings.Builder
	fmt.Fprintf(&b, "stack %q: %d config problems:", e.Stack, len(e.Problems))
	for _, p := range e.Problems {
		fmt.Fprintf(&b, "\n  - %s: %s", p.Key, p.Message)
		if p.Fix != "" {
			fmt.Fprintf(&b, "\n    fix: %s", p.Fix)
		}
	}
	return b.String()
}

type validation struct {
	stack    string
	problems []Problem
}

func (v *validation) add(key, msg, fix string) {
	v.problems = append(v.problems, Problem{Key: key, Message: msg, Fix: fix})
}

func (v *validation) setFix(name, value string) string {
	return fmt.Sprintf("pulumi config set %s %s --stack %s", name, value, v.stack)
}

func (v *validation) missing(s Setting) {
	msg := "is required and not set"
	if s.RequiredWith != "" {
		msg = "is required while " + s.RequiredWith + " is true, and not set"
	}
	if s.Secret {
		v.add(s.Name(), msg,
			fmt.Sprintf("pulumi config set --secret %s <value> --stack %s", s.Name(), v.stack))
		return
	}
	v.add(s.Name(), msg, v.setFix(s.Name(), "<value>"))
}

func (v *validation) err() error {
	if len(v.problems) == 0 {
		return nil
	}
	return &ConfigError{Stack: v.stack, Problems: v.problems}
}

func (v *validation) unknownKeys(keys []string) {
	sort.Strings(keys)
	for _, k := range keys {
		ns, name, ok := strings.Cut(k, ":")
		if !ok {
			continue
		}
		rm := fmt.Sprintf("pulumi config rm %s --stack %s", k, v.stack)
		switch known, provider := providerKeys[ns]; {
		case ns == Project:
			if _, ok := lookupSetting(k); ok {
				continue
			}
			msg := "is not a setting of this project"
			if near := suggest.Nearest(name, settingNames()); near != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", near)
			}
			v.add(name, msg, fmt.Sprintf("pulumi config rm %s --stack %s", name, v.stack))
		case ns == "pulumi":
			// The engine's own keys (pulumi:tags, pulumi:disable-default-providers).
		case provider:
			if slices.Contains(known, name) {
				continue
			}
			msg := fmt.Sprintf("is not a setting of the %s provider at the pinned version", ns)
			if near := suggest.Nearest(name, known); near != "" {
				msg += fmt.Sprintf(" (did you mean %s:%s?)", ns, near)
			}
			v.add(k, msg, rm)
		default:
			msg := fmt.Sprintf("is under %q, neither this project's namespace (%s) nor a provider's (gcp, kubernetes), so nothing reads it", ns, Project)
			if near := suggest.Nearest(ns, []string{Project, "gcp", "kubernetes"}); near != "" {
				msg += fmt.Sprintf(" (did you mean %s:%s?)", near, name)
			}
			v.add(k, msg, rm)
		}
	}
}

var (
	projectRe   = regexp.MustCompile(`^[a-z][a-z0-9-]{4,28}[a-z0-9]$`)
	labelRe     = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)
	gceNameRe   = regexp.MustCompile(`^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$`)
	clusterRe   = regexp.MustCompile(`^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$`)
	hhmmRe      = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
	gcpLabelKey = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,62}$`)
	gcpLabelVal = regexp.MustCompile(`^[a-z0-9_-]{0,63}$`)
	mysqlUserRe = regexp.MustCompile(`^[A-Za-z0-9_]{1,32}$`)
	zoneRe      = regexp.MustCompile(`^([a-z]+-[a-z]+[0-9]+)-[a-z]$`)
)

// reservedLabels are set by the program on every labelled resource.
var reservedLabels = []string{"app", "environment", "managed-by"}

func (v *validation) check(c *Config) {
	switch c.Platform {
	case PlatformGKE:
		v.checkGCP(c)
		v.checkDNS(c)
		v.checkCluster(c)
		v.checkEdge(c)
		v.checkArmor(c.Armor)
		if c.FrontendServiceType != "NodePort" {
			v.add("frontendServiceType", fmt.Sprintf("is %q, but the GKE Ingress needs a NodePort Service", c.FrontendServiceType),
				v.setFix("frontendServiceType", "NodePort"))
		}
	case PlatformLocal:
		if c.Production {
			v.add("platform", "is local on a production stack; production runs on gke", v.setFix("platform", "gke"))
		}
		switch c.FrontendServiceType {
		case "NodePort", "LoadBalancer", "ClusterIP":
		default:
			v.add("frontendServiceType", fmt.Sprintf("%q is not one of NodePort, LoadBalancer, ClusterIP", c.FrontendServiceType),
				v.setFix("frontendServiceType", "NodePort"))
		}
	default:
		v.add("platform", fmt.Sprintf("%q is not a platform (gke or local)", c.Platform), v.setFix("platform", "gke"))
	}
	v.checkApp(c)
	v.checkMLflow(c)
	if c.AlertEmail != "" && !emailRe.MatchString(c.AlertEmail) {
		v.add("alertEmail", fmt.Sprintf("%q is not an e-mail address", c.AlertEmail), v.setFix("alertEmail", "ops@example.com"))
	}
}

// emailRe is a plain address: one @, a dotted domain, no spaces.
var emailRe = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)

func (v *validation) checkGCP(c *Config) {
	if c.GCPProject != "" && !projectRe.MatchString(c.GCPProject) {
		v.add("gcp:project", fmt.Sprintf("%q is not a GCP project ID (6-30 lowercase letters, digits or hyphens, starting with a letter)", c.GCPProject),
			v.setFix("gcp:project", "<project-id>"))
	}
	if !knownRegion(c.Region) {
		msg := fmt.Sprintf("%q is not a GCP region", c.Region)
		fix := v.setFix("gcp:region", "us-central1")
		if m := zoneRe.FindStringSubmatch(c.Region); m != nil && knownRegion(m[1]) {
			msg = fmt.Sprintf("%q is a zone; Autopilot clusters are regional", c.Region)
			fix = v.setFix("gcp:region", m[1])
		} else if near := suggest.Nearest(c.Region, Regions); near != "" {
			fix = v.setFix("gcp:region", near)
		}
		v.add("gcp:region", msg, fix)
	}
}

// checkEdge checks what the load balancers answer with: a TLS profile
// with TLS 1.2 at least, and an HSTS max-age browsers accept.
func (v *validation) checkEdge(c *Config) {
	switch c.SSLPolicyProfile {
	case "MODERN", "RESTRICTED":
	default:
		v.add("sslPolicyProfile", fmt.Sprintf("%q is not MODERN or RESTRICTED (COMPATIBLE and CUSTOM are not offered: the first keeps weak ciphers, the second is a list to maintain)", c.SSLPolicyProfile),
			v.setFix("sslPolicyProfile", Defaults(v.stack).SSLPolicyProfile))
	}
	if c.HSTSMaxAge < 0 || c.HSTSMaxAge > maxHSTSAge {
		v.add("hstsMaxAge", fmt.Sprintf("%d is not a number of seconds from 0 (no header) to %d (two years)", c.HSTSMaxAge, maxHSTSAge),
			v.setFix("hstsMaxAge", strconv.Itoa(Defaults(v.stack).HSTSMaxAge)))
	}
}

// checkArmor checks the Cloud Armor settings when the policy is on.
func (v *validation) checkArmor(a Armor) {
	if !a.Enabled {
		return
	}
	// A rate-based ban counts 1 to 10,000 requests (Cloud Armor "Rate
	// limiting overview").
	if a.RateLimit < 1 || a.RateLimit > 10000 {
		v.add("armorRateLimit", fmt.Sprintf("%d is not a number of requests per minute from 1 to 10000 (to have no limit, turn cloudArmor off)", a.RateLimit),
			v.setFix("armorRateLimit", strconv.Itoa(Defaults(v.stack).Armor.RateLimit)))
	}
	if a.BanSeconds < 1 {
		v.add("armorBanSeconds", fmt.Sprintf("%d is not a number of seconds (at least 1)", a.BanSeconds),
			v.setFix("armorBanSeconds", strconv.Itoa(Defaults(v.stack).Armor.BanSeconds)))
	}
	var uniq []string
	for _, w := range a.WAFRules() {
		if slices.Contains(uniq, w) {
			continue
		}
		uniq = append(uniq, w)
		if !slices.Contains(infra.WAFRules, w) {
			v.add("armorWafRules", fmt.Sprintf("%q is not a preconfigured WAF rule (one of %s, without the version suffix)", w, strings.Join(infra.WAFRules, ", ")),
				v.setFix("armorWafRules", "sqli,xss"))
		}
	}
	if len(uniq) < len(a.WAFRules()) {
		v.add("armorWafRules", "lists a rule twice (each is billed)", v.setFix("armorWafRules", strings.Join(uniq, ",")))
	}
}

// maxHSTSAge is two years, the most HSTS preload lists ask for.
const maxHSTSAge = 63072000

func (v *validation) checkDNS(c *Config) {
	domainOK := c.Domain != ""
	if msg := domainProblem(c.Domain); domainOK && msg != "" {
		v.add("domain", msg, v.setFix("domain", "translate.example.com"))
		domainOK = false
	}
	// A zone name derived from a bad domain would only repeat that problem.
	if domainOK && !gceNameRe.MatchString(c.DNSZoneName) {
		v.add("dnsZoneName", fmt.Sprintf("%q is not a Cloud DNS zone name (lowercase letters, digits and hyphens, starting with a letter, at most 63)", c.DNSZoneName),
			v.setFix("dnsZoneName", "example-com"))
	}
	if !gceNameRe.MatchString(c.AddressName) {
		v.add("addressName", fmt.Sprintf("%q is not a GCP resource name (lowercase letters, digits and hyphens, starting with a letter, at most 63)", c.AddressName),
			v.setFix("addressName", "translation-ip"))
	}
}

func domainProblem(d string) string {
	switch {
	case strings.Contains(d, "://") || strings.Contains(d, "/"):
		return fmt.Sprintf("%q must be a host name only, without scheme or path", d)
	case d != strings.ToLower(d):
		return fmt.Sprintf("%q must be lowercase", d)
	case strings.HasPrefix(d, "www."):
		return fmt.Sprintf("%q starts with www.: give the apex name, www. is added for you", d)
	case strings.HasPrefix(d, "*."):
		return fmt.Sprintf("%q is a wildcard; Google-managed certificates need exact names", d)
	case net.ParseIP(d) != nil:
		return fmt.Sprintf("%q is an IP address; the certificate and the DNS records need a domain name", d)
	case len("www."+strings.TrimSuffix(d, ".")) > 63:
		// Google-managed certificates take domains of at most 63
		// characters (maxLength in GKE's ManagedCertificate schema,
		// internal/controlplane/crds), and www.<domain> is one of ours.
		return fmt.Sprintf("%q is too long for a Google-managed certificate: www.%s must fit in 63 characters", d, strings.TrimSuffix(d, "."))
	}
	labels := strings.Split(strings.TrimSuffix(d, "."), ".")
	if len(labels) < 2 {
		return fmt.Sprintf("%q is not a fully qualified domain name (e.g. translate.example.com)", d)
	}
	for _, l := range labels {
		if !labelRe.MatchString(l) {
			return fmt.Sprintf("%q is not a valid domain name: label %q must be 1-63 letters, digits or hyphens, not starting or ending with a hyphen", d, l)
		}
	}
	return ""
}

func (v *validation) checkCluster(c *Config) {
	if !clusterRe.MatchString(c.ClusterName) {
		v.add("clusterName", fmt.Sprintf("%q is not a GKE cluster name (lowercase letters, digits and hyphens, starting with a letter, at most 40)", c.ClusterName),
			v.setFix("clusterName", "translation-"+v.stack))
	}
	// The channels the pinned provider accepts (StringInSlice in
	// resource_container_cluster.go, google-beta v5.42.0): EXTENDED came
	// later, and UNSPECIFIED would leave the cluster unenrolled.
	switch c.ReleaseChannel {
	case "RAPID", "REGULAR", "STABLE":
	case "EXTENDED":
		v.add("releaseChannel", "EXTENDED is a GKE release channel, but the pinned provider (pulumi-gcp 7.38, google-beta 5.42) accepts only RAPID, REGULAR and STABLE",
			v.setFix("releaseChannel", "STABLE"))
	default:
		v.add("releaseChannel", fmt.Sprintf("%q is not a GKE release channel (RAPID, REGULAR or STABLE)", c.ReleaseChannel),
			v.setFix("releaseChannel", "REGULAR"))
	}
	if c.Production && !c.AllowUnprotectedProd {
		if !c.DeletionProtection {
			v.add("deletionProtection", "is false on a production stack; a production cluster must be protected from deletion",
				v.setFix("deletionProtection", "true")+"  (or, deliberately: "+v.setFix("allowUnprotectedProd", "true")+")")
		}
		if !c.ProtectInfrastructure {
			v.add("protectInfrastructure", "is false on a production stack; its cluster, address and DNS must be protected",
				v.setFix("protectInfrastructure", "true")+"  (or, deliberately: "+v.setFix("allowUnprotectedProd", "true")+")")
		}
		if !c.Database.Protect {
			v.add("protectDatabase", "is false on a production stack; the production database must be protected",
				v.setFix("protectDatabase", "true")+"  (or, deliberately: "+v.setFix("allowUnprotectedProd", "true")+")")
		}
	}
	if !hhmmRe.MatchString(c.MaintenanceStartTime) {
		v.add("maintenanceStartTime", fmt.Sprintf("%q is not a time of day as HH:MM (UTC)", c.MaintenanceStartTime),
			v.setFix("maintenanceStartTime", "03:00"))
	}
	keys := make([]string, 0, len(c.Labels))
	for k := range c.Labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fix := fmt.Sprintf("pulumi config set --path 'labels.%s' <value> --stack %s", k, v.stack)
		switch {
		case slices.Contains(reservedLabels, k):
			v.add("labels", fmt.Sprintf("label %q is set by the program and cannot be overridden", k),
				fmt.Sprintf("pulumi config rm --path 'labels.%s' --stack %s", k, v.stack))
		case !gcpLabelKey.MatchString(k):
			v.add("labels", fmt.Sprintf("label key %q must start with a lowercase letter and hold only lowercase letters, digits, _ and - (at most 63)", k), fix)
		case !gcpLabelVal.MatchString(c.Labels[k]):
			v.add("labels", fmt.Sprintf("label %q has value %q: only lowercase letters, digits, _ and - (at most 63)", k, c.Labels[k]), fix)
		}
	}
}

func (v *validation) checkApp(c *Config) {
	if d, err := time.ParseDuration(c.RolloutTimeout); err != nil || d < 30*time.Second || d > 2*time.Hour {
		v.add("rolloutTimeout", fmt.Sprintf("%q is not a duration from 30s to 2h (a Go duration such as 90s or 20m)", c.RolloutTimeout),
			v.setFix("rolloutTimeout", components.DefaultRolloutTimeout))
	}
	if !labelRe.MatchString(c.Namespace) {
		v.add("namespace", fmt.Sprintf("%q is not a Kubernetes namespace name (lowercase letters, digits and hyphens, at most 63)", c.Namespace),
			v.setFix("namespace", "default"))
	} else if c.Namespace != "default" && c.Frontend.Image == Defaults(v.stack).Frontend.Image {
		v.add("namespace", fmt.Sprintf("is %q, but the stock frontend image only reaches MySQL in namespace default", c.Namespace),
			v.setFix("namespace", "default")+"  (or set frontendImage to an image of your own)")
	}
	switch c.ImagePullPolicy {
	case "Always", "IfNotPresent", "Never":
	default:
		v.add("imagePullPolicy", fmt.Sprintf("%q is not one of Always, IfNotPresent, Never", c.ImagePullPolicy),
			v.setFix("imagePullPolicy", "IfNotPresent"))
	}
	// A GPU pod is in Autopilot's accelerator class, whose CPU and memory
	// ranges depend on the GPU type and count ("Deploy GPU workloads in
	// Autopilot"); the general-purpose ranges do not apply to it.
	v.checkWorkload("backend", c.Backend, pinFor(c), !c.Local() && c.BackendAccelerator == "")
	v.checkAccelerator(*c)
	if c.BackendMaxReplicas != 0 {
		switch {
		case c.BackendMaxReplicas < c.Backend.Replicas:
			v.add("backendMaxReplicas", fmt.Sprintf("is %d, below backendReplicas %d: the autoscaler scales between the two", c.BackendMaxReplicas, c.Backend.Replicas),
				v.setFix("backendMaxReplicas", fmt.Sprint(c.Backend.Replicas*2)))
		case c.BackendMaxReplicas > 50:
			v.add("backendMaxReplicas", fmt.Sprintf("is %d; more than 50 backend pods is almost certainly a typo", c.BackendMaxReplicas), v.setFix("backendMaxReplicas", "4"))
		}
		if c.BackendCPUTarget < 10 || c.BackendCPUTarget > 95 {
			v.add("backendCpuTarget", fmt.Sprintf("is %d; aim between 10 and 95 percent of the CPU request", c.BackendCPUTarget), v.setFix("backendCpuTarget", "70"))
		}
	}
	v.checkWorkload("frontend", c.Frontend, pinFor(c), !c.Local())
	v.checkDatabase(c.Database, max(pinFor(c), versionTag), !c.Local())
	if !c.Local() {
		v.checkDataDisk(*c)
		v.checkBackup(*c)
		v.checkNetwork(*c)
		if c.SpotDatabase && !c.Spot {
			v.add("spotDatabase", "is true while spot is false; MySQL only runs on Spot with the rest of the app",
				v.setFix("spotDatabase", "false"))
		}
	}
}

func (v *validation) checkWorkload(prefix string, w Workload, pin imagePin, autopilot bool) {
	v.checkImage(prefix+"Image", w.Image, pin)
	if w.Replicas < 1 {
		v.add(prefix+"Replicas", fmt.Sprintf("must be at least 1, got %d (tear the stack down with `pulumi destroy` instead of scaling to zero)", w.Replicas),
			v.setFix(prefix+"Replicas", "1"))
	} else if w.Replicas > 50 {
		v.add(prefix+"Replicas", fmt.Sprintf("is %d; more than 50 pods of one part is almost certainly a typo", w.Replicas),
			v.setFix(prefix+"Replicas", "2"))
	}
	v.checkRequests(prefix, w.CPU, w.Memory, w.EphemeralStorage, autopilot)
}

func (v *validation) checkDatabase(d Database, pin imagePin, gke bool) {
	v.checkImage("mysqlImage", d.Image, pin)
	v.checkRequests("mysql", d.CPU, d.Memory, d.EphemeralStorage, gke)
	if size, ok := v.quantity("mysqlStorageSize", d.StorageSize, "10Gi"); ok && gke && size < quantity.Gi {
		v.add("mysqlStorageSize", fmt.Sprintf("is %s; GKE provisions and bills at least 1Gi per disk, so ask for what you get", d.StorageSize),
			v.setFix("mysqlStorageSize", "1Gi"))
	}
	if !gke && d.StorageClass != "" && !labelRe.MatchString(d.StorageClass) {
		v.add("mysqlStorageClass", fmt.Sprintf("%q is not a StorageClass name", d.StorageClass),
			v.setFix("mysqlStorageClass", "standard-rwo"))
	}
	switch {
	case !mysqlUserRe.MatchString(d.User):
		v.add("mysqlUser", fmt.Sprintf("%q must be 1-32 letters, digits or underscores", d.User), v.setFix("mysqlUser", "translation"))
	case strings.EqualFold(d.User, "root"):
		v.add("mysqlUser", "must not be root: the MySQL image creates this user beside root", v.setFix("mysqlUser", "translation"))
	}
	v.secretLength("mysqlRootPassword", d.RootPassword, 8, "")
	v.secretLength("mysqlPassword", d.Password, 8, "")
}

// secretLength asks for at least min characters in a set secret (the
// offline plan's NotSet marker is not a value); why follows the message.
func (v *validation) secretLength(name string, s Secret, min int, why string) {
	if pw := s.Reveal(); pw != "" && pw != NotSet && len(pw) < min {
		v.add(name, fmt.Sprintf("is shorter than %d characters%s", min, why),
			fmt.Sprintf("pulumi config set --secret %s \"$(openssl rand -base64 24)\" --stack %s", name, v.stack))
	}
}

// imagePin is how firmly a stack must pin an image.
type imagePin int

const (
	// anyTag: a local cluster may run the public images as published.
	anyTag imagePin = iota
	// versionTag: a tag other than latest, so a redeploy runs what was
	// reviewed unless someone re-pushes the tag.
	versionTag
	// digestOnly: production runs content-addressed images only, so no
	// re-pushed tag (by mistake or by an attacker with registry write)
	// changes what runs.
	digestOnly
)

// pinFor is the rule for a stack's app images: digests in production, no
// latest on any cluster that faces the internet.
func pinFor(c *Config) imagePin {
	switch {
	case c.Production:
		return digestOnly
	case c.Local():
		return anyTag
	}
	return versionTag
}

func (v *validation) checkImage(key, image string, pin imagePin) {
	if msg := imageRefProblem(image); msg != "" {
		v.add(key, msg+": it is not a container image reference", v.setFix(key, "<registry>/<name>:<tag>"))
		return
	}
	name, _, hasDigest := strings.Cut(image, "@")
	tag := ""
	if i := strings.LastIndex(name, ":"); i > strings.LastIndex(name, "/") {
		name, tag = name[:i], name[i+1:]
	}
	switch {
	case hasDigest || pin == anyTag:
	case pin == digestOnly:
		ref := image
		if tag == "" || tag == "latest" {
			ref = name + ":<version>"
		}
		// `gcloud artifacts docker images describe` reports the digest as
		// image_summary.digest (googlecloudsdk/command_lib/artifacts/docker_util.py).
		v.add(key, fmt.Sprintf("%q has no digest; production runs images by digest only, so a re-pushed tag cannot change what runs: "+
			"get it with `crane digest %s` (any registry) or `gcloud artifacts docker images describe %s --format='value(image_summary.digest)'`", image, ref, ref),
			v.setFix(key, ref+"@sha256:<digest>"))
	case tag == "" || tag == "latest":
		v.add(key, fmt.Sprintf("%q is not pinned: use a version tag or a digest, never latest (mirror a latest-only image into your registry with a version tag; see README, \"Images\")", image),
			v.setFix(key, name+":<version>"))
	}
}

// checkRequests checks the quantities and, on Autopilot, its rules for
// general-purpose pods, so that Autopilot never rewrites a request (which
// would show as perpetual drift).
func (v *validation) checkRequests(prefix, cpu, memory, ephemeral string, autopilot bool) {
	c, okC := v.quantity(prefix+"Cpu", cpu, "500m")
	m, okM := v.quantity(prefix+"Memory", memory, "1Gi")
	e, okE := v.quantity(prefix+"EphemeralStorage", ephemeral, "100Mi")
	if !autopilot {
		for _, q := range []struct {
			key string
			ok  bool
			val float64
		}{{prefix + "Cpu", okC, c}, {prefix + "Memory", okM, m}} {
			if q.ok && q.val <= 0 {
				v.add(q.key, "must be greater than zero", v.setFix(q.key, "100m"))
			}
		}
		return
	}
	// Each fix is the nearest bound, the value Autopilot would accept that
	// is closest to what was asked.
	if okC && (c < 0.25 || c > 30) {
		v.add(prefix+"Cpu", fmt.Sprintf("is %s; Autopilot needs between 250m and 30 vCPU per pod", cpu), v.setFix(prefix+"Cpu", nearestBound(c < 0.25, "250m", "30")))
		okC = false
	}
	if okM && (m < 512*quantity.Mi || m > 110*quantity.Gi) {
		v.add(prefix+"Memory", fmt.Sprintf("is %s; Autopilot needs between 512Mi and 110Gi per pod", memory), v.setFix(prefix+"Memory", nearestBound(m < 512*quantity.Mi, "512Mi", "110Gi")))
		okM = false
	}
	if okC && okM {
		ratio := m / quantity.Gi / c
		if ratio < 1 || ratio > 6.5 {
			good := fmt.Sprintf("%gGi", c*2)
			v.add(prefix+"Memory", fmt.Sprintf("%s for %s vCPU is %.2f GiB per vCPU; Autopilot allows 1 to 6.5 and would rewrite the request", memory, cpu, ratio),
				v.setFix(prefix+"Memory", good))
		}
	}
	if okE && (e < 10*quantity.Mi || e > 10*quantity.Gi) {
		v.add(prefix+"EphemeralStorage", fmt.Sprintf("is %s; Autopilot allows 10Mi to 10Gi", ephemeral), v.setFix(prefix+"EphemeralStorage", nearestBound(e < 10*quantity.Mi, "10Mi", "10Gi")))
	}
}

// nearestBound is the lower bound for a value below a range, else the upper.
func nearestBound(below bool, lower, upper string) string {
	if below {
		return lower
	}
	return upper
}

func (v *validation) quantity(key, value, example string) (float64, bool) {
	q, err := quantity.Parse(value)
	if err != nil {
		v.add(key, err.Error(), v.setFix(key, example))
		return 0, false
	}
	return q, true
}
