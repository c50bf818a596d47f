package rules

// What a replacement or deletion loses, computed from the resource's own
// inputs where they decide it.

func dataOnDisk(map[string]interface{}) []Risk {
	return []Risk{{"data", "the disk and everything on it"}}
}

func networkGoes(map[string]interface{}) []Risk {
	return []Risk{{"downtime", "everything attached to the network (the cluster) must go first"}}
}

// GKE's "Using Google-managed SSL certificates" page: provisioning starts
// once DNS points at the load balancer and can take up to 60 minutes.
func certificateGoes(map[string]interface{}) []Risk {
	return []Risk{{"certificate", "HTTPS fails until a new Google-managed certificate is provisioned (up to 60 minutes once DNS points at the load balancer)"}}
}

func loadBalancerGoes(map[string]interface{}) []Risk {
	return []Risk{{"downtime", "the load balancer is deleted; a new one takes several minutes to program"}}
}

func namespaceGoes(map[string]interface{}) []Risk {
	return []Risk{{"data", "Kubernetes deletes every object in the namespace with it, claims and their disks included"}}
}

func podsGo(map[string]interface{}) []Risk {
	return []Risk{{"downtime", "its pods stop until the new object's pods are ready"}}
}

func serviceGoes(map[string]interface{}) []Risk {
	return []Risk{{"downtime", "traffic through the Service stops until the new one has endpoints"}}
}

// A claim's dynamically provisioned volume is deleted with it (GKE's
// StorageClasses reclaim with Delete); one bound to a volume by name keeps
// whatever that volume's reclaim policy keeps.
func claimGoes(in map[string]interface{}) []Risk {
	if name, _ := lookup(in, "spec", "volumeName").(string); name != "" {
		return []Risk{{"downtime", "its pods lose the volume until the new claim binds " + name + " again"}}
	}
	return []Risk{{"data", "the claim's volume and the data on it: a dynamically provisioned disk is deleted with its claim"}}
}

func volumeGoes(in map[string]interface{}) []Risk {
	if lookup(in, "spec", "persistentVolumeReclaimPolicy") == "Retain" {
		return []Risk{{"downtime", "the claim loses its volume until the new one binds (the disk is kept: reclaim policy Retain)"}}
	}
	return []Risk{{"data", "the volume's disk (reclaim policy is not Retain)"}}
}

// A StatefulSet's own claims survive it unless its retention policy says
// Delete (persistentVolumeClaimRetentionPolicy.whenDeleted).
func statefulSetGoes(in map[string]interface{}) []Risk {
	risks := []Risk{{"downtime", "its pods stop until the new StatefulSet's pods are ready"}}
	templates, _ := lookup(in, "spec", "volumeClaimTemplates").([]interface{})
	if len(templates) > 0 && lookup(in, "spec", "persistentVolumeClaimRetentionPolicy", "whenDeleted") == "Delete" {
		risks = append(risks, Risk{"data", "its claims are deleted with it (persistentVolumeClaimRetentionPolicy.whenDeleted: Delete)"})
	}
	return risks
}

func lookup(m map[string]interface{}, keys ...string) interface{} {
	var v interface{} = m
	for _, k := range keys {
		mm, ok := v.(map[string]interface{})
		if !ok {
			return nil
		}
		v = mm[k]
	}
	return v
}
