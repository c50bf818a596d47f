package components

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// BackendArgs configures the FastAPI translation backend. Zero values take
// the defaults noted on each field, which match the stock frontend image.
type BackendArgs struct {
	// Namespace. Default "default".
	Namespace string
	// Image of the backend. Required.
	Image string
	// ImagePullPolicy. Default IfNotPresent.
	ImagePullPolicy string
	// Replicas. Default 1; with Autoscale, the autoscaler's range decides.
	Replicas int
	// Autoscale scales the backend on CPU (nil: a fixed replica count).
	Autoscale *Autoscale
	// Requests of each pod. Required (Autopilot bills them).
	Requests Requests
	// DeploymentName. Default "backend-fastapi-deploy".
	DeploymentName string
	// ServiceName. Default "backend-fastapi-service": the stock frontend
	// calls http://backend-fastapi-service/translate.
	ServiceName string
	// Spot runs the pods as Autopilot Spot Pods.
	Spot bool
	// Accelerator, when set, runs the model on GPUs (nil: CPU only).
	Accelerator *Accelerator
	Placement   Placement
}

// Backend is the translation API: a Deployment behind a ClusterIP Service,
// reachable only from inside the cluster.
type Backend struct {
	pulumi.ResourceState

	Workload    *WebWorkload
	ServiceName pulumi.StringOutput
}

// NewBackend creates the backend.
func NewBackend(ctx *pulumi.Context, name string, args BackendArgs, opts ...pulumi.ResourceOption) (*Backend, error) {
	b := &Backend{}
	if err := ctx.RegisterComponentResource("translation:components:Backend", name, b, opts...); err != nil {
		return nil, err
	}
	w, err := NewWebWorkload(ctx, name, WebWorkloadArgs{
		Namespace:       args.Namespace,
		DeploymentName:  orDefault(args.DeploymentName, "backend-fastapi-deploy"),
		ContainerName:   "backend-fastapi",
		ServiceName:     orDefault(args.ServiceName, "backend-fastapi-service"),
		Labels:          backendPods,
		Image:           args.Image,
		ImagePullPolicy: args.ImagePullPolicy,
		Replicas:        args.Replicas,
		ServiceType:     "ClusterIP",
		Requests:        args.Requests,
		// The image listens on port 80 and its libraries cache under HOME.
		RunAs: RunAs{Scratch: []string{"/tmp"}, LowPort: 80},
		// The models load at import time (tens of seconds, longer on a cold
		// node pulling a 2 GiB image): give it up to 10 minutes to start
		// before liveness may restart it.
		StartupProbe:   httpProbe("/", 80, 10, 60),
		ReadinessProbe: httpProbe("/", 80, 10, 3),
		// A translation keeps the CPU busy; be slow to call it dead.
		LivenessProbe: httpProbe("/", 80, 30, 4),
		Autoscale:     args.Autoscale,
		Spot:          args.Spot,
		Accelerator:   args.Accelerator,
		Placement:     args.Placement,
	}, pulumi.Parent(b))
	if err != nil {
		return nil, err
	}
	b.Workload = w
	b.ServiceName = w.ServiceName
	return b, ctx.RegisterResourceOutputs(b, pulumi.Map{"serviceName": w.ServiceName})
}

// AppLabel is the "app" label of every object, as in the original manifest.
const AppLabel = "unlimited-translation-app"

// The pods' labels, as in the original manifests; NetworkPolicies select by
// them.
var (
	backendPods  = map[string]string{"name": "backend-fastapi-pod", "app": AppLabel}
	frontendPods = map[string]string{"name": "frontend-flask-pod", "app": AppLabel}
	databasePods = map[string]string{"name": "mysql-pod", "app": AppLabel}
)
