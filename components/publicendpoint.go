package components

import (
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// PublicPath is one URL path routed from the internet to the frontend.
type PublicPath struct {
	Path     string
	PathType string // Exact or Prefix
}

// DefaultPublicPaths route the form and Flask's static files only, so that
// the frontend's /query_db (arbitrary SQL) is not reachable from outside.
var DefaultPublicPaths = []PublicPath{{Path: "/", PathType: "Exact"}, {Path: "/static", PathType: "Prefix"}}

// PublicEndpointArgs configures a PublicEndpoint.
type PublicEndpointArgs struct {
	// Namespace of the Ingress, certificate and configs (a
	// ManagedCertificate must share the Ingress's namespace). Default "default".
	Namespace string
	// Hosts the certificate covers and the Ingress serves (apex and www).
	Hosts []string
	// AddressName is the name of the reserved global static IP.
	AddressName pulumi.StringInput
	// ServiceName and ServicePort (default 80) of the frontend Service.
	ServiceName pulumi.StringInput
	ServicePort int
	// Paths routed to the frontend. Default DefaultPublicPaths.
	Paths []PublicPath
	// HealthCheckPath of the load balancer's health check. Default "/".
	HealthCheckPath string
	// Labels of every object. Default app: AppLabel.
	Labels map[string]string
	// IngressName. Default "translation-web".
	IngressName string
	// CertificateName of the ManagedCertificate object. Default
	// "managed-certificate".
	CertificateName string
	// PreSharedCertificate, when set, names a Google-managed certificate
	// made outside the cluster; no ManagedCertificate object is made, and
	// the certificate outlives the cluster.
	PreSharedCertificate pulumi.StringInput
	// FrontendConfigName. Default "ssl-redirect".
	FrontendConfigName string
	// BackendConfigName. Default DefaultBackendConfigName.
	BackendConfigName string
	// SSLPolicy names the Google SSL policy (the TLS floor) the load
	// balancer's HTTPS proxy uses; nil leaves Google's default.
	SSLPolicy pulumi.StringInput
	// SecurityPolicy names the Cloud Armor policy of the backend; "" detaches
	// whatever policy the backend has, nil leaves it as it is (GKE's
	// ingress controller ignores a missing securityPolicy and removes the
	// policy on an empty name: ingress-gce pkg/backends/features/
	// securitypolicy.go).
	SecurityPolicy pulumi.StringInput
	// HSTSMaxAge, above 0, makes the load balancer add
	// Strict-Transport-Security with this max-age to every answer.
	HSTSMaxAge int
	// HTTPSOnly gives the load balancer no HTTP listener at all, where a
	// redirect is not enough: a client sending credentials to http:// would
	// send them in clear text before being redirected.
	HTTPSOnly bool
	// IngressTimeout bounds the wait for the load balancer. Default "30m":
	// GKE load balancers often take longer than the provider's 10 minutes
	// (pulumi-kubernetes 1649).
	IngressTimeout string
	Placement      Placement
}

// DefaultBackendConfigName is the BackendConfig a PublicEndpoint creates
// unless told otherwise.
const DefaultBackendConfigName = "translation-backendconfig"

// BackendConfigAnnotations attach a BackendConfig to the Service it must
// shape (the Service is made elsewhere, so it carries the reference).
func BackendConfigAnnotations(name string) map[string]string {
	b, _ := json.Marshal(map[string]string{"default": name})
	return map[string]string{"cloud.google.com/backend-config": string(b)}
}

// PublicEndpoint is the HTTPS entry of the app on GKE: a Google-managed
// certificate, an HTTP to HTTPS redirect, a load balancer health check and
// the Ingress bound to the static IP.
type PublicEndpoint struct {
	pulumi.ResourceState

	Ingress         *networkingv1.Ingress
	Certificate     *apiextensions.CustomResource
	CertificateName pulumi.StringOutput
}

// NewPublicEndpoint creates the endpoint's objects.
func NewPublicEndpoint(ctx *pulumi.Context, name string, args PublicEndpointArgs, opts ...pulumi.ResourceOption) (*PublicEndpoint, error) {
	e := &PublicEndpoint{}
	if err := ctx.RegisterComponentResource("translation:components:PublicEndpoint", name, e, opts...); err != nil {
		return nil, err
	}
	ns := orDefault(args.Namespace, "default")
	port := orDefault(args.ServicePort, 80)
	labels := args.Labels
	if len(labels) == 0 {
		labels = map[string]string{"app": AppLabel}
	}
	meta := func(n string) *metav1.ObjectMetaArgs {
		return &metav1.ObjectMetaArgs{Name: pulumi.String(n), Namespace: pulumi.String(ns), Labels: pulumi.ToStringMap(labels)}
	}
	custom := func(resName, apiVersion, kind, objName string, spec map[string]interface{}, opts []pulumi.ResourceOption) (*apiextensions.CustomResource, error) {
		return apiextensions.NewCustomResource(ctx, resName, &apiextensions.CustomResourceArgs{
			ApiVersion:  pulumi.String(apiVersion),
			Kind:        pulumi.String(kind),
			Metadata:    meta(objName),
			OtherFields: kubernetes.UntypedArgs{"spec": spec},
		}, opts...)
	}

	domains := make([]interface{}, len(args.Hosts))
	for i, h := range args.Hosts {
		domains[i] = h
	}
	var cert *apiextensions.CustomResource
	certAnnotation, certName := "ingress.gcp.kubernetes.io/pre-shared-cert", args.PreSharedCertificate
	if args.PreSharedCertificate == nil {
		// The certificate controller creates a Google SSL certificate:
		// delete it explicitly so that certificate is cleaned up too.
		var err error
		cert, err = custom(name+"-certificate", "networking.gke.io/v1", "ManagedCertificate",
			orDefault(args.CertificateName, "managed-certificate"),
			map[string]interface{}{"domains": domains}, args.Placement.ownsCloud(e))
		if err != nil {
			return nil, err
		}
		certAnnotation, certName = "networking.gke.io/managed-certificates", cert.Metadata.Name().Elem()
	}
	// The FrontendConfig redirects HTTP to HTTPS (a redirect only exists
	// on the HTTP listener) and names the SSL policy (GKE, "Configuring
	// Ingress features": FrontendConfig sslPolicy and redirectToHttps).
	frontend := map[string]interface{}{}
	if !args.HTTPSOnly {
		frontend["redirectToHttps"] = map[string]interface{}{"enabled": true}
	}
	if args.SSLPolicy != nil {
		frontend["sslPolicy"] = args.SSLPolicy
	}
	redirect, err := custom(name+"-redirect", "networking.gke.io/v1beta1", "FrontendConfig",
		orDefault(args.FrontendConfigName, "ssl-redirect"), frontend, args.Placement.inCluster(e))
	if err != nil {
		return nil, err
	}
	backendConfig, err := custom(name+"-backendconfig", "cloud.google.com/v1", "BackendConfig",
		orDefault(args.BackendConfigName, DefaultBackendConfigName),
		backendSpec(args, port), args.Placement.inCluster(e))
	if err != nil {
		return nil, err
	}

	paths := networkingv1.HTTPIngressPathArray{}
	for _, p := range orDefaultSlice(args.Paths, DefaultPublicPaths) {
		paths = append(paths, &networkingv1.HTTPIngressPathArgs{
			Path:     pulumi.String(p.Path),
			PathType: pulumi.String(p.PathType),
			Backend: &networkingv1.IngressBackendArgs{Service: &networkingv1.IngressServiceBackendArgs{
				Name: args.ServiceName,
				Port: &networkingv1.ServiceBackendPortArgs{Number: pulumi.Int(port)},
			}},
		})
	}
	rules := networkingv1.IngressRuleArray{}
	for _, h := range args.Hosts {
		rules = append(rules, &networkingv1.IngressRuleArgs{
			Host: pulumi.String(h),
			Http: &networkingv1.HTTPIngressRuleValueArgs{Paths: paths},
		})
	}
	timeout := orDefault(args.IngressTimeout, "30m")
	ingressMeta := meta(orDefault(args.IngressName, "translation-web"))
	// No kubernetes.io/ingress.class: the API server warns that it is
	// deprecated, and GKE gives an Ingress without a class to its external
	// Application Load Balancer controller ("gce") anyway.
	annotations := pulumi.StringMap{
		"kubernetes.io/ingress.global-static-ip-name": args.AddressName,
		certAnnotation: certName,
		"networking.gke.io/v1beta1.FrontendConfig": redirect.Metadata.Name().Elem(),
	}
	if args.HTTPSOnly {
		// No HTTP forwarding rule or proxy (GKE, "Disabling HTTP").
		annotations["kubernetes.io/ingress.allow-http"] = pulumi.String("false")
	}
	ingressMeta.Annotations = annotations
	// The Ingress owns the load balancer: deleted explicitly so the GKE
	// controller removes forwarding rules, URL maps and NEGs first.
	ing, err := networkingv1.NewIngress(ctx, name, &networkingv1.IngressArgs{
		Metadata: ingressMeta,
		Spec:     &networkingv1.IngressSpecArgs{Rules: rules},
	}, append(args.Placement.ownsCloud(e),
		pulumi.Timeouts(&pulumi.CustomTimeouts{Create: timeout, Update: timeout}),
		// The frontend Service names the BackendConfig, not the Ingress:
		// without this the load balancer could be built before its health
		// check exists, and check the wrong path until the next sync.
		pulumi.DependsOn([]pulumi.Resource{backendConfig}))...)
	if err != nil {
		return nil, err
	}
	e.Ingress = ing
	e.Certificate = cert
	e.CertificateName = certName.ToStringOutput()
	return e, ctx.RegisterResourceOutputs(e, pulumi.Map{
		"ingressName":     ing.Metadata.Name(),
		"certificateName": e.CertificateName,
	})
}

// backendSpec is the BackendConfig's spec: the load balancer's health
// check, the Cloud Armor policy and, with HSTSMaxAge, the
// Strict-Transport-Security header it adds to every answer (GKE,
// "Configuring Ingress features": security policy, custom response
// headers).
func backendSpec(args PublicEndpointArgs, port int) map[string]interface{} {
	spec := map[string]interface{}{"healthCheck": map[string]interface{}{
		"type":               "HTTP",
		"requestPath":        orDefault(args.HealthCheckPath, "/"),
		"port":               port,
		"checkIntervalSec":   15,
		"timeoutSec":         5,
		"healthyThreshold":   1,
		"unhealthyThreshold": 3,
	}}
	if args.SecurityPolicy != nil {
		spec["securityPolicy"] = map[string]interface{}{"name": args.SecurityPolicy}
	}
	if args.HSTSMaxAge > 0 {
		spec["customResponseHeaders"] = map[string]interface{}{"headers": []interface{}{
			fmt.Sprintf("Strict-Transport-Security: max-age=%d", args.HSTSMaxAge),
		}}
	}
	return spec
}

func orDefaultSlice[T any](v, def []T) []T {
	if len(v) == 0 {
		return def
	}
	return v
}
