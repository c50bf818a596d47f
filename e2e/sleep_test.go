package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Sleep keeps exactly what holds data or takes long to get back; wake
// brings the rest back around the same disk, address, zone and
// certificate; a sleeping stack is not drifted, and sleeping twice is a
// no-op.
func TestSleepAndWake(t *testing.T) {
	const stack = "sleepy"
	p := projectAs(t, "dev", stack)
	p.destroyAtEnd(t, stack)
	p.mustInfra(t, "up", "--stack", stack, "--yes")
	ids := func() map[string]string {
		out := map[string]string{}
		for urn, r := range gcp.Snapshot() {
			if strings.HasPrefix(urn, "urn:pulumi:"+stack+"::") {
				out[urn[strings.LastIndex(urn, "$")+1:]] = r.ID
			}
		}
		return out
	}
	before := ids()

	// A preview of sleep deletes (never replaces) and touches nothing.
	had := len(cloudURNs(stack))
	pr := p.mustInfra(t, "sleep", "--stack", stack, "--preview")
	if !strings.Contains(pr.stdout, "infra sleep --stack sleepy would: 0 to create, 0 to update, 0 to replace, ") ||
		!strings.Contains(pr.stdout, "nothing was changed") || len(cloudURNs(stack)) != had {
		t.Errorf("sleep --preview:\n%s", pr.stdout)
	}
	if f, _ := os.ReadFile(filepath.Join(p.dir, "Pulumi."+stack+".yaml")); strings.Contains(string(f), "awake") {
		t.Errorf("sleep --preview wrote the stack file:\n%s", f)
	}

	// The stand-ins' cluster runs no Job: the backup sleep takes first
	// cannot run here (tested on its own in the lifecycle test).
	r := p.mustInfra(t, "sleep", "--stack", stack, "--yes", "--skip-backup")
	asleep := ids()
	kept := map[string]bool{
		"gcp:compute/globalAddress:GlobalAddress::address":                          true,
		"gcp:dns/managedZone:ManagedZone::dns":                                      true,
		"gcp:dns/recordSet:RecordSet::dns-apex":                                     true,
		"gcp:dns/recordSet:RecordSet::dns-www":                                      true,
		"gcp:compute/managedSslCertificate:ManagedSslCertificate::certificate":      true,
		"gcp:compute/disk:Disk::database-disk":                                      true,
		"gcp:storage/bucket:Bucket::backups":                                        true,
		"gcp:compute/network:Network::network":                                      true,
		"gcp:compute/subnetwork:Subnetwork::network":                                true,
		"gcp:serviceaccount/account:Account::node-identity":                         true,
		"gcp:projects/iAMMember:IAMMember::node-identity-defaultNodeServiceAccount": true,
		"gcp:projects/iAMMember:IAMMember::node-identity-reader":                    true,
	}
	for short := range asleep {
		if !kept[short] && !strings.HasPrefix(short, "gcp:projects/service:Service::") {
			t.Errorf("asleep, the stack still has %s", short)
		}
	}
	for short := range kept {
		if asleep[short] == "" || asleep[short] != before[short] {
			t.Errorf("%s: %q before, %q asleep", short, before[short], asleep[short])
		}
	}
	if n := len(cloudURNs(stack)) - len(asleep); n != 0 {
		t.Errorf("%d Kubernetes objects left asleep", n)
	}
	stackFile, _ := os.ReadFile(filepath.Join(p.dir, "Pulumi."+stack+".yaml"))
	if !strings.Contains(string(stackFile), "unlimited-translation:awake: \"false\"") {
		t.Errorf("the stack file does not say it sleeps:\n%s", stackFile)
	}
	// Unused address $0.01 × 730 = $7.30, zone $0.20, disk $0.10,
	// backups 14 × 0.1 GiB × $0.02 = $0.028: $7.628 a month, $0.25 a day.
	if !strings.Contains(r.stdout, "asleep it costs $0.25 a day ($7.63 a month") {
		t.Errorf("sleep does not say what it keeps for how much:\n%s", r.stdout)
	}

	t.Run("a sleeping stack is not drifted, and stays asleep", func(t *testing.T) {
		if r := p.infra(t, "drift", "--stack", stack); r.code != 0 {
			t.Errorf("drift of a sleeping stack: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		// A plain up of the sleeping stack changes nothing.
		creates := gcp.CallCount("Create") + kube.CallCount("Create")
		p.mustInfra(t, "up", "--stack", stack, "--yes")
		if gcp.CallCount("Create")+kube.CallCount("Create") != creates {
			t.Error("up of a sleeping stack created something")
		}
		r := p.mustInfra(t, "sleep", "--stack", stack, "--yes", "--skip-backup")
		if !strings.Contains(r.stdout, "is already asleep") {
			t.Errorf("second sleep:\n%s", r.stdout)
		}
	})

	t.Run("wake --preview", func(t *testing.T) {
		// What wake brings back, as creates only: the kept resources
		// are unchanged, none replaced.
		// (the engine calls Create with preview set, so count what exists)
		had := len(cloudURNs(stack))
		r := p.mustInfra(t, "wake", "--stack", stack, "--preview")
		if !strings.Contains(r.stdout, "to create, 0 to update, 0 to replace, 0 to delete") || strings.Contains(r.stdout, "would: 0 to create") {
			t.Errorf("wake --preview:\n%s", r.stdout)
		}
		if now := len(cloudURNs(stack)); now != had {
			t.Errorf("wake --preview made %d resources %d", had, now)
		}
		if f, _ := os.ReadFile(filepath.Join(p.dir, "Pulumi."+stack+".yaml")); !strings.Contains(string(f), "unlimited-translation:awake: \"false\"") {
			t.Errorf("wake --preview wrote the stack file:\n%s", f)
		}
		// Without a terminal to ask on, wake needs --yes, as up does.
		if r := p.infra(t, "wake", "--stack", stack); r.code == 0 || !strings.Contains(r.stderr, "refusing to wake stack "+stack+" without confirmation") {
			t.Errorf("wake without --yes: exit %d\n%s", r.code, r.stderr)
		}
	})

	t.Run("wake", func(t *testing.T) {
		r := p.mustInfra(t, "wake", "--stack", stack, "--yes")
		awake := ids()
		for short, id := range before {
			if kept[short] && awake[short] != id {
				t.Errorf("%s changed: %s -> %s", short, id, awake[short])
			}
			if awake[short] == "" {
				t.Errorf("%s did not come back", short)
			}
		}
		if s, c := stateURNs(t, p, stack), cloudURNs(stack); strings.Join(s, "\n") != strings.Join(c, "\n") {
			t.Errorf("state and cloud differ after wake:\nstate %v\ncloud %v", s, c)
		}
		if !strings.Contains(r.stdout, "is awake: the same data disk, address, DNS records and certificate") {
			t.Errorf("wake:\n%s", r.stdout)
		}
		if r := p.infra(t, "drift", "--stack", stack); r.code != 0 {
			t.Errorf("drift after wake: exit %d\n%s", r.code, r.stderr)
		}
	})
}

// Production does not sleep unless told to, and nothing is touched.
func TestSleepRefusedForProd(t *testing.T) {
	p := project(t, "prod")
	r := p.infra(t, "sleep", "--stack", "prod", "--yes")
	if r.code != 1 || !strings.Contains(r.stderr, "refusing to put production stack prod to sleep") || !strings.Contains(r.stderr, "--force-prod") {
		t.Errorf("sleep of prod: exit %d\n%s", r.code, r.stderr)
	}
	stackFile, _ := os.ReadFile(filepath.Join(p.dir, "Pulumi.prod.yaml"))
	if strings.Contains(string(stackFile), "awake") {
		t.Error("a refused sleep wrote to the stack file")
	}
}
