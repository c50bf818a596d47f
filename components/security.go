package components

import (
	"fmt"
	"path"
	"strings"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// RunAs is who a pod's processes run as and where they may write. Every
// pod gets the same hardening, the Pod Security Standards' "restricted"
// profile: not root, no privilege escalation, every capability dropped,
// the runtime's default seccomp profile, a read-only root filesystem with
// an emptyDir on each Scratch directory. GKE Autopilot admits all of it
// (it applies RuntimeDefault itself and allows dropping capabilities:
// GKE, "Security capabilities in GKE Autopilot").
type RunAs struct {
	// UID and GID of every process. Default AppUID.
	UID int
	// Scratch are the directories the image writes to at run time; each
	// gets an emptyDir, and HOME is the first one.
	Scratch []string
	// VolumeOwner makes UID's group own the pod's volumes (a database's
	// disk), changed only when the volume's root is not owned already.
	VolumeOwner bool
	// LowPort, when below 1024, is the port the image binds as a non-root
	// user: the pod's network namespace lets ports from it up be bound
	// unprivileged (net.ipv4.ip_unprivileged_port_start: on the kubelet's
	// safe list, pkg/kubelet/sysctl/safe_sysctls.go, since Kubernetes
	// 1.22; the restricted profile allows it; Autopilot refuses only
	// unsafe sysctls, "Security capabilities in GKE Autopilot"). A
	// capability would not do: Kubernetes gives a non-root process no
	// ambient capabilities.
	LowPort int
}

// AppUID is the user the app's Python images run as. The stock images
// (python:3.10 and python:3.11-slim bases, no USER line: they would run
// as root) read only world-readable files (the app under /workdir, the
// models pip and save_pretrained wrote at build time), so any user works;
// HOME is moved to a scratch directory for the caches libraries write.
const AppUID = 1000

// MySQLUID is the mysql user of the official image (docker-library/mysql
// 8.4/Dockerfile.oracle: useradd --uid 999); its entrypoint supports
// starting as that user ("Running as an arbitrary user", Docker Hub mysql).
const MySQLUID = 999

// CLIUID is the cloudsdk user of the Google Cloud CLI images
// (cloud-sdk-docker debian_slim/Dockerfile: uid 1000).
const CLIUID = 1000

func (r RunAs) uid() int { return orDefault(r.UID, AppUID) }

// pod is the pod's security context.
func (r RunAs) pod() *corev1.PodSecurityContextArgs {
	uid := pulumi.Int(r.uid())
	sc := &corev1.PodSecurityContextArgs{
		RunAsNonRoot:   pulumi.Bool(true),
		RunAsUser:      uid,
		RunAsGroup:     uid,
		SeccompProfile: &corev1.SeccompProfileArgs{Type: pulumi.String("RuntimeDefault")},
	}
	if r.VolumeOwner {
		sc.FsGroup = uid
		sc.FsGroupChangePolicy = pulumi.String("OnRootMismatch")
	}
	if r.LowPort > 0 && r.LowPort < 1024 {
		sc.Sysctls = corev1.SysctlArray{&corev1.SysctlArgs{
			Name: pulumi.String("net.ipv4.ip_unprivileged_port_start"), Value: pulumi.String(fmt.Sprint(r.LowPort)),
		}}
	}
	return sc
}

// container is each container's security context; it names the user too,
// for pods whose containers run as different users.
func (r RunAs) container() *corev1.SecurityContextArgs {
	uid := pulumi.Int(r.uid())
	return &corev1.SecurityContextArgs{
		RunAsNonRoot:             pulumi.Bool(true),
		RunAsUser:                uid,
		RunAsGroup:               uid,
		AllowPrivilegeEscalation: pulumi.Bool(false),
		ReadOnlyRootFilesystem:   pulumi.Bool(true),
		Capabilities:             &corev1.CapabilitiesArgs{Drop: pulumi.ToStringArray([]string{"ALL"})},
	}
}

// scratchName is the emptyDir volume of a scratch directory.
func scratchName(dir string) string {
	return "scratch" + strings.ReplaceAll(path.Clean(dir), "/", "-")
}

// volumes are the scratch emptyDirs.
func (r RunAs) volumes() corev1.VolumeArray {
	out := corev1.VolumeArray{}
	for _, d := range r.Scratch {
		out = append(out, &corev1.VolumeArgs{Name: pulumi.String(scratchName(d)), EmptyDir: &corev1.EmptyDirVolumeSourceArgs{}})
	}
	return out
}

// mounts mount the scratch emptyDirs.
func (r RunAs) mounts() corev1.VolumeMountArray {
	out := corev1.VolumeMountArray{}
	for _, d := range r.Scratch {
		out = append(out, &corev1.VolumeMountArgs{Name: pulumi.String(scratchName(d)), MountPath: pulumi.String(d)})
	}
	return out
}

// env points HOME at the first scratch directory: with a read-only root
// and a user that has no home, that is where caches go.
func (r RunAs) env() corev1.EnvVarArray {
	if len(r.Scratch) == 0 {
		return nil
	}
	return corev1.EnvVarArray{&corev1.EnvVarArgs{Name: pulumi.String("HOME"), Value: pulumi.String(r.Scratch[0])}}
}

// An empty list is left out of the object rather than sent as [], which
// the API server drops and a later diff would then see as a change.
func envOrNil(v corev1.EnvVarArray) corev1.EnvVarArrayInput {
	if len(v) == 0 {
		return nil
	}
	return v
}

func mountsOrNil(v corev1.VolumeMountArray) corev1.VolumeMountArrayInput {
	if len(v) == 0 {
		return nil
	}
	return v
}

func volumesOrNil(v corev1.VolumeArray) corev1.VolumeArrayInput {
	if len(v) == 0 {
		return nil
	}
	return v
}
