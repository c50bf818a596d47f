package components

import (
	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	autoscalingv2 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/autoscaling/v2"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	policyv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/policy/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// DefaultRolloutTimeout is how long Pulumi waits for a Deployment or
// StatefulSet to roll out when Placement.RolloutTimeout is empty.
const DefaultRolloutTimeout = "20m"

// WebWorkloadArgs configures a WebWorkload: one HTTP container behind a
// Service.
type WebWorkloadArgs struct {
	// Namespace of both objects. Default "default".
	Namespace string
	// DeploymentName, ContainerName and ServiceName name the objects.
	DeploymentName string
	ContainerName  string
	ServiceName    string
	// Labels select the pods; they are also set on both objects.
	Labels map[string]string
	// Image and ImagePullPolicy (default IfNotPresent) of the container.
	Image           string
	ImagePullPolicy string
	// Replicas of the Deployment. Default 1.
	Replicas int
	// Port the container listens on and the Service exposes. Default 80.
	Port int
	// ServiceType is ClusterIP (default), NodePort or LoadBalancer.
	ServiceType string
	// ServiceAnnotations go on the Service (e.g. a BackendConfig reference).
	ServiceAnnotations map[string]string
	// ServiceOwnsCloudResources marks a Service that a load balancer uses
	// (NEGs): it is then deleted explicitly, never with the cluster.
	ServiceOwnsCloudResources bool
	Requests                  Requests
	// Args replace the image's command arguments; nil keeps its own.
	Args []string
	Env  corev1.EnvVarArray
	// VolumeMounts of the container, from Volumes of the pod.
	VolumeMounts corev1.VolumeMountArray
	Volumes      corev1.VolumeArray
	// RunAs is the pod's user and its writable directories; the container
	// and the pod are hardened either way (see RunAs).
	RunAs RunAs
	// ServiceAccountName the pods run as (Workload Identity); empty: the
	// namespace's default, whose token is then not mounted (the app never
	// calls the Kubernetes API).
	ServiceAccountName string
	// Sidecars run beside the container for the pod's whole life, started
	// before it (native sidecars: init containers that restart always,
	// Kubernetes 1.29+); each sets RestartPolicy "Always" and its own
	// security context.
	Sidecars       corev1.ContainerArrayInput
	StartupProbe   *corev1.ProbeArgs
	ReadinessProbe *corev1.ProbeArgs
	LivenessProbe  *corev1.ProbeArgs
	// Autoscale, when set, scales the Deployment on CPU with a
	// HorizontalPodAutoscaler; Replicas is then its starting point.
	Autoscale *Autoscale
	// Spot runs the pods as Autopilot Spot Pods: cheaper, evicted when
	// Google needs the capacity back.
	Spot bool
	// Accelerator, when set, runs each pod on a GPU node.
	Accelerator *Accelerator
	Placement   Placement
}

// Autoscale bounds a HorizontalPodAutoscaler.
type Autoscale struct {
	// MinReplicas and MaxReplicas bound the replica count.
	MinReplicas, MaxReplicas int
	// CPUPercent is the average CPU use, in percent of the request, the
	// autoscaler aims at.
	CPUPercent int
}

// WebWorkload is a Deployment and the Service in front of it.
type WebWorkload struct {
	pulumi.ResourceState

	Deployment  *appsv1.Deployment
	Service     *corev1.Service
	Budget      *policyv1.PodDisruptionBudget
	Autoscaler  *autoscalingv2.HorizontalPodAutoscaler
	ServiceName pulumi.StringOutput
}

// NewWebWorkload creates the Deployment and the Service.
func NewWebWorkload(ctx *pulumi.Context, name string, args WebWorkloadArgs, opts ...pulumi.ResourceOption) (*WebWorkload, error) {
	w := &WebWorkload{}
	if err := ctx.RegisterComponentResource("translation:components:WebWorkload", name, w, opts...); err != nil {
		return nil, err
	}
	ns := orDefault(args.Namespace, "default")
	port := orDefault(args.Port, 80)
	labels := pulumi.ToStringMap(args.Labels)
	replicas := orDefault(args.Replicas, 1)
	// A cold Autopilot node plus a large image plus a slow start can take
	// longer than pulumi-kubernetes' default 10-minute wait for a rollout.
	depOpts := append(args.Placement.inCluster(w), args.Placement.rolloutTimeouts())
	if a := args.Autoscale; a != nil {
		// The autoscaler owns the replica count; an up must not reset it.
		replicas = a.MinReplicas
		depOpts = append(depOpts, pulumi.IgnoreChanges([]string{"spec.replicas"}))
	}
	dep, err := appsv1.NewDeployment(ctx, name, &appsv1.DeploymentArgs{
		Metadata: &metav1.ObjectMetaArgs{
			Name:      pulumi.String(args.DeploymentName),
			Namespace: pulumi.String(ns),
			Labels:    labels,
		},
		Spec: &appsv1.DeploymentSpecArgs{
			Replicas: pulumi.Int(replicas),
			Selector: &metav1.LabelSelectorArgs{MatchLabels: labels},
			Template: &corev1.PodTemplateSpecArgs{
				Metadata: &metav1.ObjectMetaArgs{Labels: labels},
				Spec: &corev1.PodSpecArgs{
					NodeSelector:                  nodeSelector(args.Spot, args.Accelerator),
					TerminationGracePeriodSeconds: spotGrace(args.Spot),
					ServiceAccountName:            optional(args.ServiceAccountName),
					AutomountServiceAccountToken:  pulumi.Bool(args.ServiceAccountName != ""),
					SecurityContext:               args.RunAs.pod(),
					InitContainers:                args.Sidecars,
					Volumes:                       volumesOrNil(append(append(corev1.VolumeArray{}, args.Volumes...), args.RunAs.volumes()...)),
					Containers: corev1.ContainerArray{&corev1.ContainerArgs{
						Name:            pulumi.String(args.ContainerName),
						Image:           pulumi.String(args.Image),
						ImagePullPolicy: pulumi.String(orDefault(args.ImagePullPolicy, "IfNotPresent")),
						Ports: corev1.ContainerPortArray{&corev1.ContainerPortArgs{
							Name:          pulumi.String("http"),
							ContainerPort: pulumi.Int(port),
						}},
						Args:            stringsOrNil(args.Args),
						Env:             envOrNil(append(append(corev1.EnvVarArray{}, args.Env...), args.RunAs.env()...)),
						VolumeMounts:    mountsOrNil(append(append(corev1.VolumeMountArray{}, args.VolumeMounts...), args.RunAs.mounts()...)),
						SecurityContext: args.RunAs.container(),
						Resources:       args.Requests.args(args.Accelerator),
						StartupProbe:    args.StartupProbe,
						ReadinessProbe:  args.ReadinessProbe,
						LivenessProbe:   args.LivenessProbe,
					}},
				},
			},
		},
	}, depOpts...)
	if err != nil {
		return nil, err
	}
	meta := func() *metav1.ObjectMetaArgs {
		return &metav1.ObjectMetaArgs{Name: pulumi.String(args.DeploymentName), Namespace: pulumi.String(ns), Labels: labels}
	}
	// Voluntary disruptions (node upgrades, Autopilot's bin packing) take
	// one pod at a time; with one replica that one may still go.
	w.Budget, err = policyv1.NewPodDisruptionBudget(ctx, name, &policyv1.PodDisruptionBudgetArgs{
		Metadata: meta(),
		Spec: &policyv1.PodDisruptionBudgetSpecArgs{
			MaxUnavailable: pulumi.Int(1),
			Selector:       &metav1.LabelSelectorArgs{MatchLabels: labels},
		},
	}, args.Placement.inCluster(w)...)
	if err != nil {
		return nil, err
	}
	if a := args.Autoscale; a != nil {
		w.Autoscaler, err = autoscalingv2.NewHorizontalPodAutoscaler(ctx, name, &autoscalingv2.HorizontalPodAutoscalerArgs{
			Metadata: meta(),
			Spec: &autoscalingv2.HorizontalPodAutoscalerSpecArgs{
				ScaleTargetRef: &autoscalingv2.CrossVersionObjectReferenceArgs{
					ApiVersion: pulumi.String("apps/v1"),
					Kind:       pulumi.String("Deployment"),
					Name:       dep.Metadata.Name().Elem(),
				},
				MinReplicas: pulumi.Int(a.MinReplicas),
				MaxReplicas: pulumi.Int(a.MaxReplicas),
				Metrics: autoscalingv2.MetricSpecArray{&autoscalingv2.MetricSpecArgs{
					Type: pulumi.String("Resource"),
					Resource: &autoscalingv2.ResourceMetricSourceArgs{
						Name: pulumi.String("cpu"),
						Target: &autoscalingv2.MetricTargetArgs{
							Type:               pulumi.String("Utilization"),
							AverageUtilization: pulumi.Int(a.CPUPercent),
						},
					},
				}},
			},
		}, args.Placement.inCluster(w)...)
		if err != nil {
			return nil, err
		}
	}
	svcOpts := args.Placement.inCluster(w)
	if args.ServiceOwnsCloudResources {
		svcOpts = args.Placement.ownsCloud(w)
	}
	svcMeta := &metav1.ObjectMetaArgs{
		Name:      pulumi.String(args.ServiceName),
		Namespace: pulumi.String(ns),
		Labels:    labels,
	}
	if len(args.ServiceAnnotations) > 0 {
		svcMeta.Annotations = pulumi.ToStringMap(args.ServiceAnnotations)
	}
	svc, err := corev1.NewService(ctx, name, &corev1.ServiceArgs{
		Metadata: svcMeta,
		Spec: &corev1.ServiceSpecArgs{
			Type:     pulumi.String(orDefault(args.ServiceType, "ClusterIP")),
			Selector: labels,
			Ports: corev1.ServicePortArray{&corev1.ServicePortArgs{
				Name:       pulumi.String("http"),
				Port:       pulumi.Int(port),
				TargetPort: pulumi.Int(port),
			}},
		},
	}, svcOpts...)
	if err != nil {
		return nil, err
	}
	w.Deployment = dep
	w.Service = svc
	w.ServiceName = svc.Metadata.Name().Elem()
	return w, ctx.RegisterResourceOutputs(w, pulumi.Map{
		"deploymentName": dep.Metadata.Name(),
		"serviceName":    svc.Metadata.Name(),
	})
}
