package infra

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/compute"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// DataDiskArgs configures a DataDisk.
type DataDiskArgs struct {
	Project string
	Region  string
	// Name of the disk in the project.
	Name string
	// SizeGb of the disk; growing it resizes the disk in place.
	SizeGb int
	// Type is the disk type (pd-balanced, pd-ssd, pd-standard).
	Type string
	// Zones: one for a zonal disk, two for a regional disk replicated
	// synchronously across both.
	Zones  []string
	Labels map[string]string
	// Requires are resources (enabled APIs) every child waits for.
	Requires []pulumi.Resource
}

// DataDisk is the database's Compute Engine persistent disk. It lives
// outside the cluster, so the cluster can be destroyed and created again
// while the data stays: the database binds it through a static
// PersistentVolume. It is always protected: only an explicit
// `infra destroy --delete-data` removes it.
type DataDisk struct {
	pulumi.ResourceState

	// VolumeHandle is what the PD CSI driver names the disk by:
	// projects/P/zones/Z/disks/N or projects/P/regions/R/disks/N.
	VolumeHandle pulumi.StringOutput
	Zones        []string
	SizeGb       int
	Type         string
}

// NewDataDisk creates the disk.
func NewDataDisk(ctx *pulumi.Context, name string, args DataDiskArgs, opts ...pulumi.ResourceOption) (*DataDisk, error) {
	d := &DataDisk{Zones: args.Zones, SizeGb: args.SizeGb, Type: args.Type}
	if err := ctx.RegisterComponentResource("translation:infra:DataDisk", name, d, opts...); err != nil {
		return nil, err
	}
	description := pulumi.String("MySQL data of the translation app; outlives the cluster")
	// Growing size is an update in place; shrinking it or changing type,
	// name or zones replaces the disk (terraform-provider-google-beta
	// v5.42.0 resource_compute_disk.go and resource_compute_region_disk.go:
	// ForceNew fields and ForceNewIfChange on a smaller size). protect
	// turns such a replacement into an error instead of an empty disk.
	child := []pulumi.ResourceOption{pulumi.Parent(d), pulumi.DependsOn(args.Requires), pulumi.Protect(true)}
	switch len(args.Zones) {
	case 1:
		disk, err := compute.NewDisk(ctx, name, &compute.DiskArgs{
			Name:        pulumi.String(args.Name),
			Project:     pulumi.String(args.Project),
			Zone:        pulumi.String(args.Zones[0]),
			Size:        pulumi.Int(args.SizeGb),
			Type:        pulumi.String(args.Type),
			Labels:      pulumi.ToStringMap(args.Labels),
			Description: description,
		}, child...)
		if err != nil {
			return nil, err
		}
		d.VolumeHandle = pulumi.Sprintf("projects/%s/zones/%s/disks/%s", args.Project, args.Zones[0], disk.Name)
	case 2:
		disk, err := compute.NewRegionDisk(ctx, name, &compute.RegionDiskArgs{
			Name:         pulumi.String(args.Name),
			Project:      pulumi.String(args.Project),
			Region:       pulumi.String(args.Region),
			ReplicaZones: pulumi.ToStringArray(args.Zones),
			Size:         pulumi.Int(args.SizeGb),
			Type:         pulumi.String(args.Type),
			Labels:       pulumi.ToStringMap(args.Labels),
			Description:  description,
		}, child...)
		if err != nil {
			return nil, err
		}
		d.VolumeHandle = pulumi.Sprintf("projects/%s/regions/%s/disks/%s", args.Project, args.Region, disk.Name)
	default:
		return nil, fmt.Errorf("data disk %s: %d zones (%s); a disk is zonal (one) or regional (two)", name, len(args.Zones), strings.Join(args.Zones, ", "))
	}
	return d, ctx.RegisterResourceOutputs(d, pulumi.Map{"volumeHandle": d.VolumeHandle})
}
