package components

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// TranslationAppArgs configures the whole app. The parts' Namespace and
// Placement fields are filled in from here.
type TranslationAppArgs struct {
	// Namespace of every object. Default "default", the only one the stock
	// frontend image works in; any other is created.
	Namespace string
	Backend   BackendArgs
	Frontend  FrontendArgs
	Database  DatabaseArgs
	// Public, when set, exposes the frontend through a GKE Ingress with a
	// managed certificate; nil leaves it to Frontend.ServiceType.
	Public *PublicEndpointArgs
	// Backup, when set, backs the database up to a bucket on a schedule;
	// its database fields are filled in from Database.
	Backup *DatabaseBackupArgs
	// NetworkPolicies denies incoming connections to the app's pods but
	// for the frontend (public), the backend from the frontend and MySQL
	// from the frontend and the backup jobs.
	NetworkPolicies bool
	Placement       Placement
}

// TranslationApp is the translation app: database, backend, frontend and,
// on GKE, its public HTTPS endpoint.
type TranslationApp struct {
	pulumi.ResourceState

	Database *Database
	Backend  *Backend
	Frontend *Frontend
	Public   *PublicEndpoint
	Backup   *DatabaseBackup
}

// NewTranslationApp composes the parts.
func NewTranslationApp(ctx *pulumi.Context, name string, args TranslationAppArgs, opts ...pulumi.ResourceOption) (*TranslationApp, error) {
	app := &TranslationApp{}
	if err := ctx.RegisterComponentResource("translation:components:TranslationApp", name, app, opts...); err != nil {
		return nil, err
	}
	ns := orDefault(args.Namespace, "default")
	place, err := namespace(ctx, name, ns, args.Placement, app)
	if err != nil {
		return nil, err
	}
	parent := pulumi.Parent(app)

	db := args.Database
	db.Namespace, db.Placement = ns, place
	database, err := NewDatabase(ctx, name+"-database", db, parent)
	if err != nil {
		return nil, err
	}
	be := args.Backend
	be.Namespace, be.Placement = ns, place
	backend, err := NewBackend(ctx, name+"-backend", be, parent)
	if err != nil {
		return nil, err
	}
	fe := args.Frontend
	fe.Namespace, fe.Placement = ns, place
	fe.DatabaseSecret = database.SecretName
	if fe.DatabaseName == "" {
		fe.DatabaseName = db.DatabaseName
	}
	if args.Public != nil {
		annotations := BackendConfigAnnotations(orDefault(args.Public.BackendConfigName, DefaultBackendConfigName))
		for k, v := range fe.ServiceAnnotations {
			annotations[k] = v
		}
		fe.ServiceAnnotations = annotations
	}
	frontend, err := NewFrontend(ctx, name+"-frontend", fe, parent)
	if err != nil {
		return nil, err
	}
	app.Database, app.Backend, app.Frontend = database, backend, frontend
	if args.Backup != nil {
		bk := *args.Backup
		bk.Namespace, bk.Placement = ns, place
		if db.BackupPassword == nil {
			return nil, fmt.Errorf("app %s: a backup needs Database.BackupPassword: backups dump as their own read-only account, never as root", name)
		}
		bk.DatabaseHost, bk.DatabaseSecret, bk.BackupSecret = database.Host, database.SecretName, database.BackupSecretName
		bk.DatabaseName = orDefault(bk.DatabaseName, orDefault(db.DatabaseName, DefaultDatabaseName))
		bk.DumpImage = orDefault(bk.DumpImage, db.Image)
		if app.Backup, err = NewDatabaseBackup(ctx, name+"-backup", bk, parent); err != nil {
			return nil, err
		}
	}
	if args.NetworkPolicies {
		allowed := []Allowed{
			{Name: "backend-from-frontend", To: backendPods, From: frontendPods, Port: 80},
			{Name: "mysql-from-frontend", To: databasePods, From: frontendPods, Port: 3306},
		}
		var google []GoogleEgress
		if app.Backup != nil {
			allowed = append(allowed, Allowed{Name: "mysql-from-backup", To: databasePods, From: backupPods, Port: 3306})
			// The transfer steps reach Cloud Storage as the backup account.
			google = append(google, GoogleEgress{Name: "backup-to-google", From: backupPods})
		}
		_, err = NewNetworkPolicies(ctx, name+"-network", NetworkPoliciesArgs{
			Namespace: ns, Public: frontendPods, PublicPort: 80, LoadBalanced: args.Public != nil,
			Allowed: allowed, Google: google, Placement: place,
		}, parent)
		if err != nil {
			return nil, err
		}
	}

	outputs := pulumi.Map{
		"frontendService": frontend.ServiceName,
		"backendService":  backend.ServiceName,
		"databaseHost":    database.Host,
	}
	if app.Backup != nil {
		outputs["backupCronJob"] = app.Backup.Backup.Metadata.Name()
		outputs["restoreCronJob"] = app.Backup.Restore.Metadata.Name()
	}
	if args.Public != nil {
		pub := *args.Public
		pub.Namespace, pub.Placement = ns, place
		pub.ServiceName = frontend.ServiceName
		if app.Public, err = NewPublicEndpoint(ctx, name+"-public", pub, parent); err != nil {
			return nil, err
		}
		outputs["ingressName"] = app.Public.Ingress.Metadata.Name()
	}
	return app, ctx.RegisterResourceOutputs(app, outputs)
}
