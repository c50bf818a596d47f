package infra

import (
	"fmt"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/sql"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// PostgresDatabaseArgs configures a PostgresDatabase.
type PostgresDatabaseArgs struct {
	Project string
	Region  string
	// Name of the Cloud SQL instance.
	Name string
	// Version is the database version, e.g. POSTGRES_16.
	Version string
	// Tier is the machine type, e.g. db-f1-micro (shared core).
	Tier string
	// DiskSizeGb of the SSD at creation; it then grows by itself when
	// nearly full, up to DiskLimitGb, and never shrinks.
	DiskSizeGb, DiskLimitGb int
	// Databases to create in the instance.
	Databases []string
	// User and Password of the built-in user the workload connects as.
	User     string
	Password pulumi.StringInput
	Labels   map[string]string
	// Requires are resources (enabled APIs) every child waits for.
	Requires []pulumi.Resource
}

// PostgresDatabase is a Cloud SQL for PostgreSQL instance with its
// databases and user. It holds data, so like the data disk it outlives the
// cluster and is protected: only `infra destroy --delete-data` removes it.
// It has a public IP with no authorised networks and accepts only the
// Cloud SQL connectors (the Auth Proxy), which authorise by IAM and
// encrypt: nothing can reach it with a password alone.
type PostgresDatabase struct {
	pulumi.ResourceState

	Instance *sql.DatabaseInstance
	// ConnectionName is PROJECT:REGION:INSTANCE, what the Auth Proxy dials.
	ConnectionName pulumi.StringOutput
}

// NewPostgresDatabase creates the instance, databases and user.
func NewPostgresDatabase(ctx *pulumi.Context, name string, args PostgresDatabaseArgs, opts ...pulumi.ResourceOption) (*PostgresDatabase, error) {
	d := &PostgresDatabase{}
	if err := ctx.RegisterComponentResource("translation:infra:PostgresDatabase", name, d, opts...); err != nil {
		return nil, err
	}
	// name, region, project, settings.diskType and a smaller
	// settings.diskSize replace the instance (terraform-provider-google-beta
	// v5.42.0 resource_sql_database_instance.go); protect turns that into an
	// error instead of an empty database. deletionProtection is the
	// provider's own lock: off, because protect already guards it and
	// `infra destroy --delete-data` lifts protect alone.
	//
	// It keeps running while the stack sleeps: a stopped instance still
	// pays for its storage and its public IP ($0.37/month less than running
	// on db-f1-micro), and the provider cannot read the databases and
	// users of a stopped instance ("instance is not running":
	// hashicorp/terraform-provider-google#11382), so every refresh would fail.
	instance, err := sql.NewDatabaseInstance(ctx, name, &sql.DatabaseInstanceArgs{
		Project:            pulumi.String(args.Project),
		Region:             pulumi.String(args.Region),
		Name:               pulumi.String(args.Name),
		DatabaseVersion:    pulumi.String(args.Version),
		DeletionProtection: pulumi.Bool(false),
		Settings: &sql.DatabaseInstanceSettingsArgs{
			// Shared-core tiers exist only in the Enterprise edition
			// (cloud.google.com/sql/docs/postgres/editions-intro).
			Edition:             pulumi.String("ENTERPRISE"),
			Tier:                pulumi.String(args.Tier),
			AvailabilityType:    pulumi.String("ZONAL"),
			DiskType:            pulumi.String("PD_SSD"),
			DiskSize:            pulumi.Int(args.DiskSizeGb),
			DiskAutoresize:      pulumi.Bool(true),
			DiskAutoresizeLimit: pulumi.Int(args.DiskLimitGb),
			// Only the Cloud SQL connectors may connect, which authorise by
			// IAM and always encrypt; no authorised networks
			// (cloud.google.com/sql/docs/postgres/connect-auth-proxy).
			ConnectorEnforcement: pulumi.String("REQUIRED"),
			IpConfiguration: &sql.DatabaseInstanceSettingsIpConfigurationArgs{
				Ipv4Enabled: pulumi.Bool(true),
			},
			BackupConfiguration: &sql.DatabaseInstanceSettingsBackupConfigurationArgs{
				Enabled:   pulumi.Bool(true),
				StartTime: pulumi.String("02:00"),
			},
			UserLabels: pulumi.ToStringMap(args.Labels),
		},
	}, pulumi.Parent(d), pulumi.DependsOn(args.Requires), pulumi.Protect(true),
		// Once the disk has grown by itself, the configured size would read
		// as a shrink, which replaces the instance (same file, CustomizeDiff
		// IsDiskShrinkage): the size is set at creation only.
		pulumi.IgnoreChanges([]string{"settings.diskSize"}))
	if err != nil {
		return nil, err
	}
	// Databases and the user go with the instance; they are not protected
	// on their own, so --delete-data needs to lift protect only once.
	child := []pulumi.ResourceOption{pulumi.Parent(d), pulumi.DeletedWith(instance)}
	for _, db := range args.Databases {
		if _, err := sql.NewDatabase(ctx, name+"-"+db, &sql.DatabaseArgs{
			Project:  pulumi.String(args.Project),
			Instance: instance.Name,
			Name:     pulumi.String(db),
		}, child...); err != nil {
			return nil, err
		}
	}
	if _, err := sql.NewUser(ctx, name+"-user", &sql.UserArgs{
		Project:  pulumi.String(args.Project),
		Instance: instance.Name,
		Name:     pulumi.String(args.User),
		Password: args.Password,
	}, child...); err != nil {
		return nil, err
	}
	// The connection name follows from the inputs (PROJECT:REGION:NAME), so
	// previews show what the proxy will dial.
	d.Instance = instance
	d.ConnectionName = pulumi.String(ConnectionName(args.Project, args.Region, args.Name)).ToStringOutput()
	return d, ctx.RegisterResourceOutputs(d, pulumi.Map{"connectionName": instance.ConnectionName})
}

// ConnectionName is a Cloud SQL instance's connection name.
func ConnectionName(project, region, instance string) string {
	return fmt.Sprintf("%s:%s:%s", project, region, instance)
}
