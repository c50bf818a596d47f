package cost

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/unlimited-translation/infra/components"
	"github.com/unlimited-translation/infra/internal/plan"
	"github.com/unlimited-translation/infra/internal/prices"
	"github.com/unlimited-translation/infra/internal/quantity"
	"github.com/unlimited-translation/infra/internal/report"
	"github.com/unlimited-translation/infra/stacks"
)

// Assumptions where the bill depends on use, not on the plan; every line
// that rests on one says so.
const (
	// BackupMinutesPerDay a backup pod runs.
	BackupMinutesPerDay = 10
	// DumpShareOfDisk is a compressed dump's size as a share of the disk.
	DumpShareOfDisk = 0.1
	// NATNodes is how many nodes send traffic through Cloud NAT (Autopilot
	// decides the node count).
	NATNodes = 3
)

// Line is one billed item.
type Line struct {
	// Component is the part of the stack it belongs to.
	Component string `json:"component"`
	// Item says what is billed, with the quantities.
	Item string `json:"item"`
	// Monthly is the price per month; MonthlyMax the top of a range (an
	// autoscaled workload at its maximum), else equal.
	Monthly    float64 `json:"monthly"`
	MonthlyMax float64 `json:"monthlyMax"`
	// Assumption the figure rests on, if any.
	Assumption string `json:"assumption,omitempty"`
}

// Estimate is a stack's monthly bill, line by line.
type Estimate struct {
	Stack  string `json:"stack"`
	Region string `json:"region"`
	// RegionPriced is false when the region's prices are the fallback
	// region's (said in Notes).
	RegionPriced bool `json:"regionPriced"`
	// Asleep: the stack sleeps (awake false).
	Asleep     bool     `json:"asleep"`
	Lines      []Line   `json:"lines"`
	Monthly    float64  `json:"monthly"`
	MonthlyMax float64  `json:"monthlyMax"`
	Daily      float64  `json:"daily"`
	DailyMax   float64  `json:"dailyMax"`
	Notes      []string `json:"notes"`
}

// DaysPerMonth turns monthly figures into daily ones (12 months in 365
// days), as the kept-resources report does.
const DaysPerMonth = 365.0 / 12

// Components sums the lines per component, in order of first appearance.
func (e Estimate) Components() []Line {
	var out []Line
	idx := map[string]int{}
	for _, l := range e.Lines {
		i, ok := idx[l.Component]
		if !ok {
			idx[l.Component] = len(out)
			out = append(out, Line{Component: l.Component})
			i = len(out) - 1
		}
		out[i].Monthly += l.Monthly
		out[i].MonthlyMax += l.MonthlyMax
	}
	return out
}

// Of prices a planned stack. cfg is the stack's config (the free tier,
// the backup retention); list the prices.
func Of(p *plan.Plan, cfg stacks.Config, list prices.List) Estimate {
	reg, own := list.For(cfg.Region)
	h := list.HoursPerMonth
	e := Estimate{Stack: p.Stack, Region: cfg.Region, RegionPriced: own, Asleep: !cfg.Awake}
	if cfg.Local() {
		e.Region = "local"
		e.Notes = append(e.Notes, "a local cluster: nothing is billed by Google Cloud")
		return e
	}
	if !own {
		e.Notes = append(e.Notes, fmt.Sprintf("no prices read for %s: %s's stand in (list prices differ by region)", cfg.Region, list.FallbackRegion))
	}
	add := func(l Line) {
		if l.MonthlyMax == 0 {
			l.MonthlyMax = l.Monthly
		}
		e.Lines = append(e.Lines, l)
	}
	// The price list's notes that concern this stack's lines.
	used := map[string]bool{}
	byType := map[string][]*plan.Resource{}
	for _, r := range p.Resources {
		if r.Custom {
			byType[r.Type] = append(byType[r.Type], r)
		}
	}

	for range byType["gcp:container/cluster:Cluster"] {
		fee := reg.ClusterHour * h
		add(Line{Component: "cluster", Item: fmt.Sprintf("GKE cluster fee (%s/hour)", usd(reg.ClusterHour)), Monthly: fee})
		if cfg.FreeTierCredit {
			credit := math.Min(reg.FreeTierMonthly, fee)
			add(Line{Component: "cluster", Item: fmt.Sprintf("free tier credit (%s/month, once per billing account)", usd(reg.FreeTierMonthly)),
				Monthly: -credit, Assumption: "no other cluster of the billing account takes it (freeTierCredit)"})
		}
	}

	scaled := map[string][2]float64{}
	for _, hpa := range byType["kubernetes:autoscaling/v2:HorizontalPodAutoscaler"] {
		target := str(hpa.Inputs, "spec.scaleTargetRef.name")
		scaled[target] = [2]float64{num(hpa.Inputs, "spec.minReplicas"), num(hpa.Inputs, "spec.maxReplicas")}
	}
	for _, typ := range []string{"kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet"} {
		for _, r := range byType[typ] {
			name := str(r.Inputs, "metadata.name")
			replicas := num(r.Inputs, "spec.replicas")
			if _, set := lookup(r.Inputs, "spec.replicas"); !set {
				replicas = 1
			}
			most := replicas
			if s, ok := scaled[name]; ok {
				replicas, most = s[0], s[1]
			}
			pod, spot, gpu := podOf(r.Inputs, "spec.template.spec")
			hourly := podHour(pod, spot, reg)
			desc, assumption := describe(pod, spot), ""
			used["spot"] = used["spot"] || spot
			if gpu.Type != "" {
				used["gpu"] = true
				g, note := gpuHour(gpu, spot, reg)
				hourly += g
				desc += fmt.Sprintf(", %g × %s", gpu.Count, gpu.Type)
				assumption = note
			}
			item := fmt.Sprintf("%s × %s pod%s (%s)", count(replicas, most), name, plural(most), desc)
			add(Line{Component: component(r.Name), Item: item, Monthly: replicas * hourly * h, MonthlyMax: most * hourly * h, Assumption: assumption})
		}
	}
	for _, r := range byType["kubernetes:batch/v1:CronJob"] {
		if b, _ := lookup(r.Inputs, "spec.suspend"); b.IsBool() && b.BoolValue() {
			continue // a template, never scheduled
		}
		pod, spot, _ := podOf(r.Inputs, "spec.jobTemplate.spec.template.spec")
		used["spot"] = used["spot"] || spot
		hours := BackupMinutesPerDay / 60.0 * h / 24
		add(Line{Component: component(r.Name), Item: fmt.Sprintf("%s pod, %d minutes a day (%s)", str(r.Inputs, "metadata.name"), BackupMinutesPerDay, describe(pod, spot)),
			Monthly: podHour(pod, spot, reg) * hours, Assumption: fmt.Sprintf("a run takes %d minutes", BackupMinutesPerDay)})
	}

	usedAddresses := map[string]bool{}
	var rulesSoFar float64
	for _, r := range byType["kubernetes:networking.k8s.io/v1:Ingress"] {
		annotations, _ := lookup(r.Inputs, "metadata.annotations")
		rules := 2.0 // HTTP and HTTPS forwarding rules
		if annotations.IsObject() {
			if v := annotations.ObjectValue()["kubernetes.io/ingress.allow-http"]; v.IsString() && v.StringValue() == "false" {
				rules = 1
			}
			if v := annotations.ObjectValue()["kubernetes.io/ingress.global-static-ip-name"]; v.IsString() {
				usedAddresses[v.StringValue()] = true
			}
		}
		// The first five forwarding rules of a project are billed together,
		// each one after them on its own.
		hourly := math.Max(0, rulesSoFar+rules-5)*reg.LBExtraRuleHour - math.Max(0, rulesSoFar-5)*reg.LBExtraRuleHour
		item := fmt.Sprintf("%d forwarding rules of %s (first 5 together %s/hour, then %s/hour each)", int(rules), str(r.Inputs, "metadata.name"), usd(reg.LBFirstFiveHour), usd(reg.LBExtraRuleHour))
		if rulesSoFar == 0 {
			hourly += reg.LBFirstFiveHour
		} else if hourly == 0 {
			item += ": within the first 5"
		}
		rulesSoFar += rules
		add(Line{Component: "load balancer", Item: item, Monthly: hourly * h, Assumption: "data processed is billed on top ($0.008 per GiB)"})
	}
	for _, r := range byType["gcp:compute/globalAddress:GlobalAddress"] {
		name := str(r.Inputs, "name")
		if usedAddresses[name] {
			add(Line{Component: "address", Item: name + " (in use by the load balancer: no charge)"})
		} else {
			add(Line{Component: "address", Item: name + fmt.Sprintf(" (reserved, unused: %s/hour)", usd(reg.UnusedAddressHour)), Monthly: reg.UnusedAddressHour * h})
		}
	}
	for _, r := range byType["gcp:dns/managedZone:ManagedZone"] {
		if !r.Read {
			add(Line{Component: "dns", Item: str(r.Inputs, "name") + " zone", Monthly: reg.DNSZoneMonth, Assumption: "queries are billed on top ($0.40 per million)"})
		}
	}
	var diskGiB float64
	for _, typ := range []string{"gcp:compute/disk:Disk", "gcp:compute/regionDisk:RegionDisk"} {
		for _, r := range byType[typ] {
			regional := strings.Contains(typ, "regionDisk")
			gib := math.Max(1, num(r.Inputs, "size"))
			diskGiB += gib
			price, _ := reg.DiskMonthly(str(r.Inputs, "type"), int(gib), regional)
			kind := "zonal"
			if regional {
				kind = "regional, two replicas billed"
			}
			add(Line{Component: "data disk", Item: fmt.Sprintf("%s: %d GiB %s (%s)", str(r.Inputs, "name"), int(gib), str(r.Inputs, "type"), kind), Monthly: price})
		}
	}
	for _, r := range byType["gcp:sql/databaseInstance:DatabaseInstance"] {
		used["cloudsql"] = true
		tier := str(r.Inputs, "settings.tier")
		gib := math.Max(prices.CloudSQLMinGiB, num(r.Inputs, "settings.diskSize"))
		l := Line{Component: component(r.Name), Item: fmt.Sprintf("Cloud SQL %s: %s, %d GiB SSD", str(r.Inputs, "name"), tier, int(gib)),
			Assumption: "runs while the stack sleeps too; backups are billed on top ($0.08 per GiB)"}
		var priced bool
		if l.Monthly, priced = reg.CloudSQLMonthly(tier, gib, h); !priced {
			l.Assumption = fmt.Sprintf("no price for %s in the price list: only the storage is counted", tier)
		}
		add(l)
	}
	for _, r := range byType["gcp:storage/bucket:Bucket"] {
		if !report.IsBackupBucket(r.URN) {
			add(Line{Component: component(r.Name), Item: fmt.Sprintf("%s: priced per GiB stored (%s per GiB-month)", str(r.Inputs, "name"), usd(reg.StorageGiBMonth)),
				Assumption: "what is stored is not known beforehand: not counted"})
			continue
		}
		kept := float64(cfg.Backup.RetentionDays + 7) // live, then 7 days noncurrent
		dump := math.Max(diskGiB, 1) * DumpShareOfDisk
		add(Line{Component: "backups", Item: fmt.Sprintf("%s: %.0f daily dumps of %.1f GiB kept", str(r.Inputs, "name"), kept, dump),
			Monthly: kept * dump * reg.StorageGiBMonth, Assumption: fmt.Sprintf("a compressed dump is %.0f %% of the disk", DumpShareOfDisk*100)})
	}
	for _, r := range byType["gcp:compute/securityPolicy:SecurityPolicy"] {
		used["armor"] = true
		rules := float64(length(r.Inputs, "rules"))
		add(Line{Component: "armor", Item: fmt.Sprintf("Cloud Armor %s: 1 policy, %.0f rules", str(r.Inputs, "name"), rules),
			Monthly:    reg.ArmorPolicyMonth + rules*reg.ArmorRuleMonth,
			Assumption: "requests are billed on top ($0.75 per million)"})
	}
	for range byType["gcp:compute/routerNat:RouterNat"] {
		add(Line{Component: "nat", Item: fmt.Sprintf("Cloud NAT: %d nodes and 1 address", NATNodes),
			Monthly:    (NATNodes*reg.NATVMHour + reg.NATAddressHour) * h,
			Assumption: fmt.Sprintf("%d nodes; data processed is billed on top ($0.045 per GiB)", NATNodes)})
	}

	// An uptime check every 5 minutes is 8,640 runs a month per checker
	// location (at most 6 by default: about 52,000); the pricing page is
	// quoted as charging past 1 million a project a month, and alerting
	// policies as not charged yet. Neither figure was read from Google
	// here, so it is a note, not a line.
	if n := len(byType["gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig"]); n > 0 {
		e.Notes = append(e.Notes, fmt.Sprintf("alerts: %d uptime check every 5 minutes (about 52,000 runs a month from 6 checker locations) is priced as $0.00: "+
			"Cloud Monitoring is quoted as charging uptime checks past 1 million runs per project a month, and alerting policies not yet; check cloud.google.com/stackdriver/pricing", n))
	}
	for _, l := range e.Lines {
		e.Monthly += l.Monthly
		e.MonthlyMax += l.MonthlyMax
	}
	e.Daily, e.DailyMax = e.Monthly/DaysPerMonth, e.MonthlyMax/DaysPerMonth
	used["nat"] = len(byType["gcp:compute/routerNat:RouterNat"]) > 0
	used["spotEphemeral"] = used["spot"] // Spot pods' storage note goes with Spot
	var keys []string
	for k := range list.Notes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if used[k] {
			e.Notes = append(e.Notes, list.Notes[k])
		}
	}
	e.Notes = append(e.Notes, fmt.Sprintf("prices read %s: %s", list.Read, list.Source))
	return e
}

// GPU is the accelerator a pod selects: GKE's type name and how many.
type GPU struct {
	Type  string
	Count float64
}

// gpuHour is what a GPU pod's GPUs cost per hour, and the line's note:
// how the figure was made and what it leaves out.
func gpuHour(g GPU, spot bool, r prices.Region) (float64, string) {
	price, ok := r.GPUHour[g.Type]
	if sp, has := r.SpotGPUHour[g.Type]; spot && has {
		price = sp
	}
	if !ok {
		return 0, fmt.Sprintf("no %s price in the price list: the GPUs are not counted", g.Type)
	}
	return g.Count * price, fmt.Sprintf("a GPU pod is billed by its node (machine, GPUs, an Autopilot premium): priced as its requests at pod rates plus %g GPU at %s/hour; the premium is not counted",
		g.Count, usd(price))
}

// podOf reads a pod spec's requests, whether it runs on Spot, and the GPU
// it selects (Type "" for none).
func podOf(inputs resource.PropertyMap, spec string) (Pod, bool, GPU) {
	// Native sidecars (init containers that restart always) run beside
	// the containers, so they add up with them.
	var sidecars []Container
	read := func(key string) []Container {
		v, _ := lookup(inputs, spec+"."+key)
		var out []Container
		if !v.IsArray() {
			return out
		}
		for _, c := range v.ArrayValue() {
			if !c.IsObject() {
				continue
			}
			req := c.ObjectValue()
			one := Container{
				CPU:       qty(req, "resources.requests.cpu", 1),
				Memory:    qty(req, "resources.requests.memory", quantity.Gi),
				Ephemeral: qty(req, "resources.requests.ephemeral-storage", quantity.Gi),
			}
			if key == "initContainers" && str(req, "restartPolicy") == "Always" {
				sidecars = append(sidecars, one)
			} else {
				out = append(out, one)
			}
		}
		return out
	}
	spot, gpu := false, GPU{}
	if sel, _ := lookup(inputs, spec+".nodeSelector"); sel.IsObject() {
		v := sel.ObjectValue()[components.SpotSelector]
		spot = v.IsString() && v.StringValue() == "true"
		if t := sel.ObjectValue()[components.AcceleratorSelector]; t.IsString() {
			gpu = GPU{Type: t.StringValue(), Count: 1}
			if n := sel.ObjectValue()[components.AcceleratorCountSelector]; n.IsString() {
				if c, err := strconv.ParseFloat(n.StringValue(), 64); err == nil && c > 0 {
					gpu.Count = c
				}
			}
		}
	}
	inits := read("initContainers")
	containers := append(read("containers"), sidecars...)
	if gpu.Type != "" {
		return Accelerated(containers), spot, gpu
	}
	return Billed(containers, inits), spot, gpu
}

// podHour is what one pod costs per hour.
func podHour(p Pod, spot bool, r prices.Region) float64 {
	cpu, mem := r.VCPUHour, r.MemoryGiBHour
	if spot {
		cpu, mem = r.SpotVCPUHour, r.SpotMemoryGiBHour
	}
	return p.CPU*cpu + p.Memory*mem + p.Ephemeral*r.EphemeralGiBHour
}

func describe(p Pod, spot bool) string {
	s := fmt.Sprintf("%g vCPU, %g GiB, %g GiB ephemeral", round(p.CPU), round(p.Memory), round(p.Ephemeral))
	if spot {
		s += ", Spot"
	}
	return s
}

func round(f float64) float64 { return math.Round(f*1000) / 1000 }

func count(min, max float64) string {
	if min == max {
		return fmt.Sprintf("%g", min)
	}
	return fmt.Sprintf("%g-%g", min, max)
}

func plural(n float64) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// component names a workload's line after its Pulumi resource name
// ("translation-backend" → "backend").
func component(name string) string {
	return strings.TrimPrefix(name, "translation-")
}

func usd(f float64) string {
	return "$" + strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.7f", f), "0"), ".")
}

func lookup(m resource.PropertyMap, path string) (resource.PropertyValue, bool) {
	v := resource.NewObjectProperty(m)
	for _, seg := range strings.Split(path, ".") {
		for v.IsSecret() {
			v = v.SecretValue().Element
		}
		if !v.IsObject() {
			return resource.PropertyValue{}, false
		}
		next, ok := v.ObjectValue()[resource.PropertyKey(seg)]
		if !ok {
			return resource.PropertyValue{}, false
		}
		v = next
	}
	return v, true
}

func str(m resource.PropertyMap, path string) string {
	if v, ok := lookup(m, path); ok && v.IsString() {
		return v.StringValue()
	}
	return ""
}

// length is the length of an array property; 0 when unset.
func length(m resource.PropertyMap, path string) int {
	if v, ok := lookup(m, path); ok && v.IsArray() {
		return len(v.ArrayValue())
	}
	return 0
}

func num(m resource.PropertyMap, path string) float64 {
	if v, ok := lookup(m, path); ok && v.IsNumber() {
		return v.NumberValue()
	}
	return 0
}

// qty reads a Kubernetes quantity in unit (1 for CPU cores, Gi for
// bytes); 0 when unset.
func qty(m resource.PropertyMap, path string, unit float64) float64 {
	s := str(m, path)
	if s == "" {
		return 0
	}
	q, err := quantity.Parse(s)
	if err != nil {
		return 0
	}
	return q / unit
}
