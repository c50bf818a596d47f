package components

import (
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// FrontendArgs configures the Flask frontend.
type FrontendArgs struct {
	// Namespace. Default "default".
	Namespace string
	// Image of the frontend. Required.
	Image string
	// ImagePullPolicy. Default IfNotPresent.
	ImagePullPolicy string
	// Replicas. Default 1.
	Replicas int
	// Requests of each pod. Required.
	Requests Requests
	// DeploymentName. Default "frontend-flask-deploy".
	DeploymentName string
	// ServiceName. Default "translation-backend" (the original manifest's
	// name, although it fronts the frontend).
	ServiceName string
	// ServiceType. Default NodePort, which a GKE Ingress needs; LoadBalancer
	// or NodePort for a local cluster.
	ServiceType string
	// ServiceAnnotations, e.g. cloud.google.com/backend-config.
	ServiceAnnotations map[string]string
	// DatabaseSecret names the Secret holding MYSQL_USER and MYSQL_PASSWORD.
	DatabaseSecret pulumi.StringInput
	// DatabaseName. Default "translation".
	DatabaseName string
	// Spot runs the pods as Autopilot Spot Pods.
	Spot      bool
	Placement Placement
}

// Frontend is the web UI: a Deployment behind a NodePort Service.
type Frontend struct {
	pulumi.ResourceState

	Workload    *WebWorkload
	ServiceName pulumi.StringOutput
}

// NewFrontend creates the frontend.
func NewFrontend(ctx *pulumi.Context, name string, args FrontendArgs, opts ...pulumi.ResourceOption) (*Frontend, error) {
	f := &Frontend{}
	if err := ctx.RegisterComponentResource("translation:components:Frontend", name, f, opts...); err != nil {
		return nil, err
	}
	fromSecret := func(env, key string) *corev1.EnvVarArgs { return secretEnv(env, args.DatabaseSecret, key) }
	serviceType := orDefault(args.ServiceType, "NodePort")
	w, err := NewWebWorkload(ctx, name, WebWorkloadArgs{
		Namespace:       args.Namespace,
		DeploymentName:  orDefault(args.DeploymentName, "frontend-flask-deploy"),
		ContainerName:   "frontend-flask",
		ServiceName:     orDefault(args.ServiceName, "translation-backend"),
		Labels:          frontendPods,
		Image:           args.Image,
		ImagePullPolicy: args.ImagePullPolicy,
		Replicas:        args.Replicas,
		ServiceType:     serviceType,
		// A NodePort or LoadBalancer Service backs a cloud load balancer
		// (NEGs, forwarding rules): never leave it to die with the cluster.
		ServiceOwnsCloudResources: serviceType != "ClusterIP",
		ServiceAnnotations:        args.ServiceAnnotations,
		Requests:                  args.Requests,
		// The image listens on port 80 and writes nothing but temp files.
		RunAs: RunAs{Scratch: []string{"/tmp"}, LowPort: 80},
		Env: corev1.EnvVarArray{
			fromSecret("DB_USER", "MYSQL_USER"),
			fromSecret("DB_PASSWORD", "MYSQL_PASSWORD"),
			&corev1.EnvVarArgs{Name: pulumi.String("DB_NAME"), Value: pulumi.String(orDefault(args.DatabaseName, DefaultDatabaseName))},
		},
		// GET / renders the form: the only health signal the app has.
		ReadinessProbe: httpProbe("/", 80, 10, 3),
		LivenessProbe:  httpProbe("/", 80, 20, 3),
		Spot:           args.Spot,
		Placement:      args.Placement,
	}, pulumi.Parent(f))
	if err != nil {
		return nil, err
	}
	f.Workload = w
	f.ServiceName = w.ServiceName
	return f, ctx.RegisterResourceOutputs(f, pulumi.Map{"serviceName": w.ServiceName})
}
