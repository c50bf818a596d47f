// Package cost prices a stack from its offline plan: what each resource
// bills per month at list prices (internal/prices), after GKE Autopilot's
// own rules for what a pod is billed for.
package cost

import "math"

// Pod is what a pod asks for or is billed for: vCPU, GiB of memory, GiB
// of ephemeral storage.
type Pod struct{ CPU, Memory, Ephemeral float64 }

// Container is one container's requests; a zero value is unset.
type Container = Pod

// Accelerated is a GPU pod's size as it is priced: Autopilot's
// accelerator class enforces no default requests and has its own ranges
// per GPU type and count, which this repository does not hold, so the
// requests are taken as they are, summed over the containers (init
// containers run before them), with unset ephemeral storage at its
// 1 GiB default.
func Accelerated(containers []Container) Pod {
	var pod Pod
	for _, c := range containers {
		pod.CPU += c.CPU
		pod.Memory += c.Memory
		if c.Ephemeral == 0 {
			c.Ephemeral = defaultEphemeral
		}
		pod.Ephemeral += c.Ephemeral
	}
	return pod
}

// Autopilot's rules for the billed size of a pod on a cluster without
// bursting (GKE, "Resource requests in Autopilot"); clusters from 1.30.2-gke.1394000 may bill less for pods
// under 250m / 512 MiB, never more, so these are the stricter figures.
const (
	defaultCPU       = 0.5 // a container that sets no request
	defaultMemory    = 2
	defaultEphemeral = 1
	minCPU           = 0.25 // per pod
	minMemory        = 0.5
	cpuStep          = 0.25 // CPU is rounded up to this step
	minMemPerCPU     = 1    // GiB of memory per vCPU
	maxMemPerCPU     = 6.5
	minEphemeral     = 10.0 / 1024 // 10 MiB
	maxEphemeral     = 10
)

// Billed is what Autopilot bills a pod for: unset requests take the
// defaults, the pod is the sum of its containers (or its largest init
// container, if larger: they run before, not beside), then raised to the
// minimums, CPU rounded up to 250m, memory brought into 1-6.5 GiB per
// vCPU (by raising memory, or CPU when memory is above the ratio), and
// ephemeral storage into 10 MiB-10 GiB.
func Billed(containers, inits []Container) Pod {
	var pod Pod
	for _, c := range containers {
		c = withDefaults(c)
		pod.CPU += c.CPU
		pod.Memory += c.Memory
		pod.Ephemeral += c.Ephemeral
	}
	for _, c := range inits {
		c = withDefaults(c)
		pod.CPU = math.Max(pod.CPU, c.CPU)
		pod.Memory = math.Max(pod.Memory, c.Memory)
		pod.Ephemeral = math.Max(pod.Ephemeral, c.Ephemeral)
	}
	pod.CPU = math.Max(pod.CPU, minCPU)
	pod.Memory = math.Max(pod.Memory, minMemory)
	if pod.Memory > pod.CPU*maxMemPerCPU {
		pod.CPU = pod.Memory / maxMemPerCPU
	}
	pod.CPU = math.Ceil(pod.CPU/cpuStep-1e-9) * cpuStep
	pod.Memory = math.Max(pod.Memory, pod.CPU*minMemPerCPU)
	pod.Ephemeral = math.Min(math.Max(pod.Ephemeral, minEphemeral), maxEphemeral)
	return pod
}

func withDefaults(c Container) Container {
	if c.CPU == 0 {
		c.CPU = defaultCPU
	}
	if c.Memory == 0 {
		c.Memory = defaultMemory
	}
	if c.Ephemeral == 0 {
		c.Ephemeral = defaultEphemeral
	}
	return c
}
