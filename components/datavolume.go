package components

import (
	"fmt"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	storagev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/storage/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// dataVolume is the database's claim: bound to args.Disk through a static
// PersistentVolume, or provisioned by the cluster when there is no Disk.
func (d *Database) dataVolume(ctx *pulumi.Context, name string, args DatabaseArgs, meta func(string) *metav1.ObjectMetaArgs, stsName string) (*corev1.PersistentVolumeClaim, error) {
	claimName := stsName + "-data"
	spec := &corev1.PersistentVolumeClaimSpecArgs{
		AccessModes: pulumi.StringArray{pulumi.String("ReadWriteOnce")},
		Resources: &corev1.VolumeResourceRequirementsArgs{
			Requests: pulumi.StringMap{"storage": pulumi.String(args.StorageSize)},
		},
	}
	if args.Disk == nil {
		// Provisioned by the cluster: the claim owns its volume, so it is
		// deleted on its own (never with a cluster) unless KeepData.
		if args.StorageClass != "" {
			spec.StorageClassName = pulumi.String(args.StorageClass)
		}
		return corev1.NewPersistentVolumeClaim(ctx, name+"-data", &corev1.PersistentVolumeClaimArgs{
			Metadata: meta(claimName),
			Spec:     spec,
		}, append(args.Placement.ownsCloud(d), pulumi.Protect(args.Protect), pulumi.RetainOnDelete(args.KeepData))...)
	}

	disk := args.Disk
	size := pulumi.String(fmt.Sprintf("%dGi", disk.SizeGb))
	spec.Resources = &corev1.VolumeResourceRequirementsArgs{Requests: pulumi.StringMap{"storage": size}}
	// A growth of the claim is what makes the PD CSI driver grow the file
	// system; the external resizer expands only claims whose class allows
	// it, so the static volume and its claim name a class that does.
	// The disk itself is grown first by Pulumi (the claim depends on it);
	// the driver's own resize then finds it large enough and returns
	// (kubernetes-sigs/gcp-compute-persistent-disk-csi-driver
	// pkg/gce-cloud-provider/compute/gce-compute.go, ResizeDisk).
	params := pulumi.StringMap{"type": pulumi.String(disk.Type)}
	if len(disk.Zones) == 2 {
		params["replication-type"] = pulumi.String("regional-pd")
	}
	class, err := storagev1.NewStorageClass(ctx, name+"-data", &storagev1.StorageClassArgs{
		Metadata:             &metav1.ObjectMetaArgs{Name: pulumi.String(claimName), Labels: pulumi.StringMap{"app": pulumi.String(AppLabel)}},
		Provisioner:          pulumi.String(pdDriver),
		Parameters:           params,
		AllowVolumeExpansion: pulumi.Bool(true),
		ReclaimPolicy:        pulumi.String("Retain"),
		// The claim is then ready (to pulumi-kubernetes' await) while it
		// waits for the volume made after it (v4.30.0 await/awaiters.go).
		VolumeBindingMode: pulumi.String("WaitForFirstConsumer"),
	}, args.Placement.inCluster(d)...)
	if err != nil {
		return nil, err
	}
	spec.StorageClassName = class.Metadata.Name().Elem()
	spec.VolumeName = pulumi.String(claimName)
	claimMeta := meta(claimName)
	// Naming the disk makes the claim wait for the disk's own changes: a
	// growth resizes the disk first, then the claim asks the driver to grow
	// the file system.
	claimMeta.Annotations = pulumi.StringMap{"translation.unlimited/disk": disk.VolumeHandle}
	claim, err := corev1.NewPersistentVolumeClaim(ctx, name+"-data", &corev1.PersistentVolumeClaimArgs{
		Metadata: claimMeta,
		Spec:     spec,
	}, append(args.Placement.inCluster(d), pulumi.Protect(args.Protect))...)
	if err != nil {
		return nil, err
	}
	// The static volume names the disk (GKE: "Using pre-existing persistent
	// disks as PersistentVolumes": csi.driver, volumeHandle, claimRef) and
	// keeps it when released (Retain). Its claimRef carries the claim's UID,
	// so a replaced claim is bound again: a volume released by the old
	// claim would otherwise never bind the new one. Volume, class and claim
	// are cluster objects that hold no data: they go with the cluster; the
	// disk stays.
	_, err = corev1.NewPersistentVolume(ctx, name+"-data", &corev1.PersistentVolumeArgs{
		Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String(claimName), Labels: pulumi.StringMap{"app": pulumi.String(AppLabel)}},
		Spec: &corev1.PersistentVolumeSpecArgs{
			Capacity:                      pulumi.StringMap{"storage": size},
			AccessModes:                   pulumi.StringArray{pulumi.String("ReadWriteOnce")},
			PersistentVolumeReclaimPolicy: pulumi.String("Retain"),
			StorageClassName:              class.Metadata.Name().Elem(),
			ClaimRef: &corev1.ObjectReferenceArgs{
				Namespace: claim.Metadata.Namespace().Elem(),
				Name:      claim.Metadata.Name().Elem(),
				Uid:       claim.Metadata.Uid().Elem(),
			},
			Csi: &corev1.CSIPersistentVolumeSourceArgs{
				Driver:       pulumi.String(pdDriver),
				VolumeHandle: disk.VolumeHandle,
				FsType:       pulumi.String("ext4"),
			},
			// The pod can only run where the disk can attach.
			NodeAffinity: &corev1.VolumeNodeAffinityArgs{Required: &corev1.NodeSelectorArgs{
				NodeSelectorTerms: corev1.NodeSelectorTermArray{&corev1.NodeSelectorTermArgs{
					MatchExpressions: corev1.NodeSelectorRequirementArray{&corev1.NodeSelectorRequirementArgs{
						Key:      pulumi.String("topology.gke.io/zone"),
						Operator: pulumi.String("In"),
						Values:   pulumi.ToStringArray(disk.Zones),
					}},
				}},
			}},
		},
	}, args.Placement.inCluster(d)...)
	return claim, err
}
