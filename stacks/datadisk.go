package stacks

import (
	"fmt"
	"math"
	"strings"

	"github.com/unlimited-translation/infra/internal/quantity"
)

// DiskZones are the zones of the data disk: databaseZones, else the
// region's zones b (and c for a regional disk). Every region in Compute
// Engine's zone table (cloud.google.com/compute/docs/regions-zones) has
// zones b and c, while some have no a (europe-west1: b, c, d).
func DiskZones(c Config) []string {
	if z := strings.TrimSpace(c.Database.DiskZones); z != "" {
		var out []string
		for _, s := range strings.Split(z, ",") {
			out = append(out, strings.TrimSpace(s))
		}
		return out
	}
	return defaultZones(c.Region, c.Database.DiskReplication)
}

func defaultZones(region, replication string) []string {
	if replication == "regional" {
		return []string{region + "-b", region + "-c"}
	}
	return []string{region + "-b"}
}

// DiskSizeGb is mysqlStorageSize in whole GiB (0 when it is not).
func DiskSizeGb(c Config) int {
	q, err := quantity.Parse(c.Database.StorageSize)
	if err != nil || q <= 0 || math.Mod(q, quantity.Gi) != 0 {
		return 0
	}
	return int(q / quantity.Gi)
}

// DiskName is the data disk's name in the project: from the stack, not the
// cluster, so renaming or replacing the cluster leaves the disk alone.
func DiskName(c Config) string { return "translation-" + c.Stack + "-mysql-data" }

// checkDataDisk validates the GKE data disk's settings.
func (v *validation) checkDataDisk(c Config) {
	d := c.Database
	if d.StorageClass != "" {
		v.add("mysqlStorageClass", "is set, but on GKE the data is a Compute Engine disk, not a StorageClass's volume",
			fmt.Sprintf("pulumi config rm mysqlStorageClass --stack %s; choose the disk with databaseDiskType (standard-rwo is pd-balanced, premium-rwo pd-ssd)", v.stack))
	}
	switch d.DiskType {
	case "pd-balanced", "pd-ssd", "pd-standard":
	default:
		v.add("databaseDiskType", fmt.Sprintf("%q is not one of pd-balanced, pd-ssd, pd-standard", d.DiskType), v.setFix("databaseDiskType", "pd-balanced"))
	}
	want := 1
	switch d.DiskReplication {
	case "zonal":
	case "regional":
		want = 2
	default:
		v.add("databaseDiskReplication", fmt.Sprintf("%q is not zonal or regional", d.DiskReplication), v.setFix("databaseDiskReplication", "zonal"))
		return
	}
	zones := DiskZones(c)
	if len(zones) != want {
		v.add("databaseZones", fmt.Sprintf("lists %d zone(s); a %s disk needs %d", len(zones), d.DiskReplication, want),
			v.setFix("databaseZones", strings.Join(defaultZones(c.Region, d.DiskReplication), ",")))
	}
	for _, z := range zones {
		if !strings.HasPrefix(z, c.Region+"-") || len(z) != len(c.Region)+2 {
			v.add("databaseZones", fmt.Sprintf("%q is not a zone of the region %s (e.g. %s-b)", z, c.Region, c.Region), v.setFix("databaseZones", c.Region+"-b"))
		}
	}
	if len(zones) == 2 && zones[0] == zones[1] {
		v.add("databaseZones", "names the same zone twice; a regional disk needs two different zones", v.setFix("databaseZones", c.Region+"-b,"+c.Region+"-c"))
	}
	gb := DiskSizeGb(c)
	q, err := quantity.Parse(d.StorageSize)
	if err != nil || q < quantity.Gi {
		return // reported by checkDatabase
	}
	if gb == 0 {
		// The next whole GiB: a disk never shrinks, so round up.
		v.add("mysqlStorageSize", fmt.Sprintf("is %q; the data disk is sized in whole GiB", d.StorageSize),
			v.setFix("mysqlStorageSize", fmt.Sprintf("%.0fGi", math.Ceil(q/quantity.Gi))))
		return
	}
	// Regional persistent disks have a minimum size: 200 GB for
	// pd-standard, 10 GB for the SSD-backed types
	// (cloud.google.com/compute/docs/disks/regional-persistent-disk).
	if want == 2 {
		min := 10
		if d.DiskType == "pd-standard" {
			min = 200
		}
		if gb < min {
			v.add("mysqlStorageSize", fmt.Sprintf("is %dGi; a regional %s disk is at least %dGi", gb, d.DiskType, min), v.setFix("mysqlStorageSize", fmt.Sprintf("%dGi", min)))
		}
	}
}
