package infra

import (
	"fmt"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/monitoring"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// UptimeAlertArgs configures an UptimeAlert.
type UptimeAlertArgs struct {
	Project string
	// DisplayName prefixes the check's and the policy's names.
	DisplayName string
	// Host is the public host name checked over HTTPS; Path the page.
	Host, Path string
	// Channels are the notification channels (resource names) alerted.
	Channels pulumi.StringArrayInput
	// Requires are resources (enabled APIs) it waits for.
	Requires []pulumi.Resource
}

// Uptime check timing, fixed on purpose: every UptimePeriod from Cloud
// Monitoring's checker regions, each request given UptimeTimeout.
const (
	UptimePeriod  = "300s"
	UptimeTimeout = "10s"
)

// UptimeAlert watches a public site: a Cloud Monitoring uptime check of
// https://Host/Path, and an alert policy that notifies Channels when the
// check fails from more than one region. It lives only while the stack is
// awake: a sleeping stack is down on purpose.
type UptimeAlert struct {
	pulumi.ResourceState

	// CheckID is the uptime check's ID, which its metric is labelled with.
	CheckID pulumi.StringOutput
}

// NewUptimeAlert creates the check and its alert policy.
func NewUptimeAlert(ctx *pulumi.Context, name string, args UptimeAlertArgs, opts ...pulumi.ResourceOption) (*UptimeAlert, error) {
	u := &UptimeAlert{}
	if err := ctx.RegisterComponentResource("translation:infra:UptimeAlert", name, u, opts...); err != nil {
		return nil, err
	}
	check, err := monitoring.NewUptimeCheckConfig(ctx, name, &monitoring.UptimeCheckConfigArgs{
		Project:     pulumi.String(args.Project),
		DisplayName: pulumi.String(args.DisplayName + " https"),
		Period:      pulumi.String(UptimePeriod),
		Timeout:     pulumi.String(UptimeTimeout),
		HttpCheck: &monitoring.UptimeCheckConfigHttpCheckArgs{
			Path:        pulumi.String(args.Path),
			Port:        pulumi.Int(443),
			UseSsl:      pulumi.Bool(true),
			ValidateSsl: pulumi.Bool(true),
		},
		MonitoredResource: &monitoring.UptimeCheckConfigMonitoredResourceArgs{
			Type:   pulumi.String("uptime_url"),
			Labels: pulumi.StringMap{"project_id": pulumi.String(args.Project), "host": pulumi.String(args.Host)},
		},
	}, pulumi.Parent(u), pulumi.DependsOn(args.Requires))
	if err != nil {
		return nil, err
	}
	// The check's metric is a bool per checker location
	// (monitoring.googleapis.com/uptime_check/check_passed on uptime_url,
	// as the provider's SLO examples filter it). Each location's latest
	// result over two periods (ALIGN_NEXT_OLDER), the failing ones counted
	// per check (REDUCE_COUNT_FALSE): more than one location failing for
	// a minute is an outage, one alone a checker's own trouble.
	filter := check.UptimeCheckId.ApplyT(func(id string) string {
		return fmt.Sprintf(`metric.type="monitoring.googleapis.com/uptime_check/check_passed" AND metric.label.check_id=%q AND resource.type="uptime_url"`, id)
	}).(pulumi.StringOutput)
	if _, err := monitoring.NewAlertPolicy(ctx, name, &monitoring.AlertPolicyArgs{
		Project:     pulumi.String(args.Project),
		DisplayName: pulumi.String(args.DisplayName + " is down"),
		Combiner:    pulumi.String("OR"),
		Conditions: monitoring.AlertPolicyConditionArray{&monitoring.AlertPolicyConditionArgs{
			DisplayName: pulumi.String("https://" + args.Host + args.Path + " fails its uptime check"),
			ConditionThreshold: &monitoring.AlertPolicyConditionConditionThresholdArgs{
				Filter:         filter,
				Comparison:     pulumi.String("COMPARISON_GT"),
				ThresholdValue: pulumi.Float64(1),
				Duration:       pulumi.String("60s"),
				Aggregations: monitoring.AlertPolicyConditionConditionThresholdAggregationArray{&monitoring.AlertPolicyConditionConditionThresholdAggregationArgs{
					AlignmentPeriod:    pulumi.String("600s"),
					PerSeriesAligner:   pulumi.String("ALIGN_NEXT_OLDER"),
					CrossSeriesReducer: pulumi.String("REDUCE_COUNT_FALSE"),
					GroupByFields:      pulumi.ToStringArray([]string{"resource.label.host", "metric.label.check_id"}),
				}},
			},
		}},
		NotificationChannels: args.Channels,
	}, pulumi.Parent(u), pulumi.DependsOn(args.Requires)); err != nil {
		return nil, err
	}
	u.CheckID = check.UptimeCheckId
	return u, ctx.RegisterResourceOutputs(u, pulumi.Map{"checkId": check.UptimeCheckId})
}
