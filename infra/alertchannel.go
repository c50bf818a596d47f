package infra

import (
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/monitoring"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// MonitoringAPIs are what AlertChannel and UptimeAlert need enabled.
var MonitoringAPIs = []string{"monitoring.googleapis.com"}

// AlertChannelArgs configures an AlertChannel.
type AlertChannelArgs struct {
	Project string
	// DisplayName names it in the console.
	DisplayName string
	// Email is the address alerts go to.
	Email string
	// Requires are resources (enabled APIs) it waits for.
	Requires []pulumi.Resource
}

// AlertChannel is a Cloud Monitoring e-mail notification channel: where a
// stack's alerts go. It costs nothing and holds no state, so a sleeping
// stack keeps it and its alert policy comes back on it after a wake.
type AlertChannel struct {
	pulumi.ResourceState

	// Name is the channel's resource name (projects/P/notificationChannels/ID),
	// which alert policies list.
	Name pulumi.StringOutput
}

// NewAlertChannel creates the channel.
func NewAlertChannel(ctx *pulumi.Context, name string, args AlertChannelArgs, opts ...pulumi.ResourceOption) (*AlertChannel, error) {
	c := &AlertChannel{}
	if err := ctx.RegisterComponentResource("translation:infra:AlertChannel", name, c, opts...); err != nil {
		return nil, err
	}
	ch, err := monitoring.NewNotificationChannel(ctx, name, &monitoring.NotificationChannelArgs{
		Project:     pulumi.String(args.Project),
		DisplayName: pulumi.String(args.DisplayName),
		Type:        pulumi.String("email"),
		Labels:      pulumi.StringMap{"email_address": pulumi.String(args.Email)},
	}, pulumi.Parent(c), pulumi.DependsOn(args.Requires))
	if err != nil {
		return nil, err
	}
	c.Name = ch.Name
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{"name": ch.Name})
}
