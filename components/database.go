package components

import (
	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// DefaultDatabaseName is the app's database when DatabaseName is empty:
// the one its init SQL creates, and what backups are named after.
const DefaultDatabaseName = "translation"

// InitSQL creates the app's table on the first start of an empty volume.
const InitSQL = `USE translation;
CREATE TABLE IF NOT EXISTS translations(id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, text_de LONGTEXT, text_en LONGTEXT);
`

// DatabaseArgs configures Database. Zero values take the defaults noted on
// each field; the default names are the ones the stock frontend image uses.
type DatabaseArgs struct {
	// Namespace. Default "default".
	Namespace string
	// Image of MySQL, pinned to a major version. Required.
	Image string
	// Requests of the pod. Required.
	Requests Requests
	// StorageSize of the data volume. Required.
	StorageSize string
	// StorageClass of a dynamically provisioned data volume; empty uses
	// the cluster default. Not used with Disk.
	StorageClass string
	// Disk, when set, is a disk made outside the cluster that the data
	// volume binds (a static PersistentVolume); the data then outlives the
	// cluster. Nil: the cluster provisions the volume (local clusters).
	Disk *DiskVolume
	// User is the application user; RootPassword and Password are secrets.
	User         string
	RootPassword pulumi.StringInput
	Password     pulumi.StringInput
	// BackupPassword, when set, gives the backup Job its own account,
	// BackupUser, that may only read DatabaseName: the MySQL container's
	// postStart hook makes it (BackupUserScript), on a new disk and an old
	// one alike, and its Secret, BackupSecretName, is what the backup
	// reads. A secret; letters and digits only.
	BackupPassword pulumi.StringInput
	// DatabaseName. Default "translation" (the init SQL uses it).
	DatabaseName string
	// StatefulSetName. Default "mysql-stateful".
	StatefulSetName string
	// ServiceName of the headless Service. Default "mysql-headless".
	ServiceName string
	// SecretName. Default "mysql-db-secret".
	SecretName string
	// ConfigMapName of the init SQL. Default "mysql-initdb-configmap".
	ConfigMapName string
	// Protect sets Pulumi's protect option on the StatefulSet and its
	// volume claim.
	Protect bool
	// KeepData keeps a dynamically provisioned volume's claim (and so its
	// volume) on destroy (Pulumi's retainOnDelete). A Disk is kept anyway.
	KeepData bool
	// Spot runs MySQL as a Spot Pod: after an eviction it starts again on
	// the same disk, within the 25 s a preemption gives it to shut down.
	Spot      bool
	Placement Placement
}

// DiskVolume is a Compute Engine persistent disk the database binds
// through the PD CSI driver.
type DiskVolume struct {
	// VolumeHandle: projects/P/zones/Z/disks/N or projects/P/regions/R/disks/N.
	VolumeHandle pulumi.StringInput
	// Zones the disk lives in (one, or two for a regional disk); the pod
	// is scheduled there.
	Zones []string
	// SizeGb of the disk.
	SizeGb int
	// Type of the disk (pd-balanced, …), for the StorageClass.
	Type string
}

// pdDriver is GKE's Compute Engine persistent disk CSI driver.
const pdDriver = "pd.csi.storage.gke.io"

// Database is MySQL as a one-replica StatefulSet with its headless
// Service, init SQL, credentials Secret and a data volume per pod.
type Database struct {
	pulumi.ResourceState

	StatefulSet *appsv1.StatefulSet
	Volume      *corev1.PersistentVolumeClaim
	Service     *corev1.Service
	Secret      *corev1.Secret
	ConfigMap   *corev1.ConfigMap
	// SecretName is what the frontend reads credentials from.
	SecretName pulumi.StringOutput
	// BackupSecretName holds the backup account (MYSQL_BACKUP_USER,
	// MYSQL_BACKUP_PASSWORD); empty without BackupPassword.
	BackupSecretName pulumi.StringOutput
	// Host is the DNS name of the first (and only) pod.
	Host pulumi.StringOutput
}

// BackupUser is the read-only account backups dump as.
const BackupUser = "backup"

// mysqlRunAs runs MySQL as the image's mysql user, which owns the disk;
// the entrypoint then skips its chown and gosu steps, and writes only its
// socket and pid file (/var/run/mysqld, the image's my.cnf), temp files
// and the data directory (docker-library/mysql 8.4/docker-entrypoint.sh).
var mysqlRunAs = RunAs{UID: MySQLUID, Scratch: []string{"/tmp", "/var/run/mysqld"}, VolumeOwner: true}

// NewDatabase creates the database objects.
func NewDatabase(ctx *pulumi.Context, name string, args DatabaseArgs, opts ...pulumi.ResourceOption) (*Database, error) {
	d := &Database{}
	if err := ctx.RegisterComponentResource("translation:components:Database", name, d, opts...); err != nil {
		return nil, err
	}
	ns := orDefault(args.Namespace, "default")
	stsName := orDefault(args.StatefulSetName, "mysql-stateful")
	svcName := orDefault(args.ServiceName, "mysql-headless")
	dbName := orDefault(args.DatabaseName, DefaultDatabaseName)
	labels := pulumi.ToStringMap(databasePods)
	meta := func(n string) *metav1.ObjectMetaArgs {
		return &metav1.ObjectMetaArgs{Name: pulumi.String(n), Namespace: pulumi.String(ns), Labels: labels}
	}

	secret, err := corev1.NewSecret(ctx, name, &corev1.SecretArgs{
		Metadata: meta(orDefault(args.SecretName, "mysql-db-secret")),
		Type:     pulumi.String("Opaque"),
		StringData: pulumi.StringMap{
			"MYSQL_ROOT_PASSWORD": pulumi.ToSecret(args.RootPassword).(pulumi.StringOutput),
			"MYSQL_USER":          pulumi.String(args.User),
			"MYSQL_PASSWORD":      pulumi.ToSecret(args.Password).(pulumi.StringOutput),
		},
	}, args.Placement.inCluster(d)...)
	if err != nil {
		return nil, err
	}
	env := corev1.EnvVarArray{}
	var hook *corev1.LifecycleArgs
	d.BackupSecretName = pulumi.String("").ToStringOutput()
	if args.BackupPassword != nil {
		// A Secret of its own: adding keys to the credentials Secret would
		// replace it, and with it the StatefulSet.
		backup, err := corev1.NewSecret(ctx, name+"-backup", &corev1.SecretArgs{
			Metadata: meta("mysql-backup-credentials"),
			Type:     pulumi.String("Opaque"),
			StringData: pulumi.StringMap{
				"MYSQL_BACKUP_USER":     pulumi.String(BackupUser),
				"MYSQL_BACKUP_PASSWORD": pulumi.ToSecret(args.BackupPassword).(pulumi.StringOutput),
			},
		}, args.Placement.inCluster(d)...)
		if err != nil {
			return nil, err
		}
		d.BackupSecretName = backup.Metadata.Name().Elem()
		for _, key := range []string{"MYSQL_BACKUP_USER", "MYSQL_BACKUP_PASSWORD"} {
			env = append(env, secretEnv(key, d.BackupSecretName, key))
		}
		hook = &corev1.LifecycleArgs{PostStart: &corev1.LifecycleHandlerArgs{Exec: &corev1.ExecActionArgs{
			Command: pulumi.ToStringArray([]string{"bash", "-c", BackupUserScript}),
		}}}
	}
	initdb, err := corev1.NewConfigMap(ctx, name+"-initdb", &corev1.ConfigMapArgs{
		Metadata: meta(orDefault(args.ConfigMapName, "mysql-initdb-configmap")),
		Data:     pulumi.StringMap{"initdb.sql": pulumi.String(InitSQL)},
	}, args.Placement.inCluster(d)...)
	if err != nil {
		return nil, err
	}
	svc, err := corev1.NewService(ctx, name, &corev1.ServiceArgs{
		Metadata: meta(svcName),
		Spec: &corev1.ServiceSpecArgs{
			ClusterIP: pulumi.String("None"),
			Selector:  labels,
			Ports: corev1.ServicePortArray{&corev1.ServicePortArgs{
				Name: pulumi.String("mysql"), Port: pulumi.Int(3306), TargetPort: pulumi.Int(3306),
			}},
		},
	}, args.Placement.inCluster(d)...)
	if err != nil {
		return nil, err
	}

	secretName := secret.Metadata.Name().Elem()
	fromSecret := func(key string) *corev1.EnvVarArgs { return secretEnv(key, secretName, key) }
	tcp := func(period, failures int) *corev1.ProbeArgs {
		return &corev1.ProbeArgs{
			TcpSocket:        &corev1.TCPSocketActionArgs{Port: pulumi.Int(3306)},
			PeriodSeconds:    pulumi.Int(period),
			FailureThreshold: pulumi.Int(failures),
		}
	}
	pvc, err := d.dataVolume(ctx, name, args, meta, stsName)
	if err != nil {
		return nil, err
	}
	stsOpts := append(args.Placement.ownsCloud(d),
		pulumi.Protect(args.Protect),
		pulumi.DependsOn([]pulumi.Resource{pvc}),
		args.Placement.rolloutTimeouts(),
	)
	sts, err := appsv1.NewStatefulSet(ctx, name, &appsv1.StatefulSetArgs{
		Metadata: meta(stsName),
		Spec: &appsv1.StatefulSetSpecArgs{
			ServiceName: svc.Metadata.Name().Elem(),
			Replicas:    pulumi.Int(1),
			Selector:    &metav1.LabelSelectorArgs{MatchLabels: labels},
			Template: &corev1.PodTemplateSpecArgs{
				Metadata: &metav1.ObjectMetaArgs{Labels: labels},
				Spec: &corev1.PodSpecArgs{
					NodeSelector:                  nodeSelector(args.Spot, nil),
					TerminationGracePeriodSeconds: spotGrace(args.Spot),
					AutomountServiceAccountToken:  pulumi.Bool(false),
					SecurityContext:               mysqlRunAs.pod(),
					Containers: corev1.ContainerArray{&corev1.ContainerArgs{
						Name:            pulumi.String("mysql"),
						Image:           pulumi.String(args.Image),
						SecurityContext: mysqlRunAs.container(),
						Ports: corev1.ContainerPortArray{&corev1.ContainerPortArgs{
							Name: pulumi.String("mysql"), ContainerPort: pulumi.Int(3306),
						}},
						Env: append(corev1.EnvVarArray{
							fromSecret("MYSQL_ROOT_PASSWORD"),
							fromSecret("MYSQL_USER"),
							fromSecret("MYSQL_PASSWORD"),
							&corev1.EnvVarArgs{Name: pulumi.String("MYSQL_DATABASE"), Value: pulumi.String(dbName)},
						}, env...),
						Lifecycle: hook,
						Resources: args.Requests.args(nil),
						// First start initialises the data directory: allow 5 minutes.
						StartupProbe: tcp(10, 30),
						ReadinessProbe: &corev1.ProbeArgs{
							Exec: &corev1.ExecActionArgs{Command: pulumi.ToStringArray(
								[]string{"mysqladmin", "ping", "-h", "127.0.0.1", "--silent"})},
							PeriodSeconds: pulumi.Int(10), TimeoutSeconds: pulumi.Int(5),
						},
						LivenessProbe: tcp(20, 3),
						VolumeMounts: append(corev1.VolumeMountArray{
							&corev1.VolumeMountArgs{Name: pulumi.String("data-volume"), MountPath: pulumi.String("/var/lib/mysql")},
							&corev1.VolumeMountArgs{Name: pulumi.String("initdb"), MountPath: pulumi.String("/docker-entrypoint-initdb.d")},
						}, mysqlRunAs.mounts()...),
					}},
					Volumes: append(corev1.VolumeArray{
						&corev1.VolumeArgs{
							Name:      pulumi.String("initdb"),
							ConfigMap: &corev1.ConfigMapVolumeSourceArgs{Name: initdb.Metadata.Name()},
						},
						&corev1.VolumeArgs{
							Name:                  pulumi.String("data-volume"),
							PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSourceArgs{ClaimName: pvc.Metadata.Name().Elem()},
						},
					}, mysqlRunAs.volumes()...),
				},
			},
		},
	}, stsOpts...)
	if err != nil {
		return nil, err
	}
	d.StatefulSet, d.Volume, d.Service, d.Secret, d.ConfigMap = sts, pvc, svc, secret, initdb
	d.SecretName = secretName
	d.Host = pulumi.Sprintf("%s-0.%s.%s.svc.cluster.local", stsName, svcName, ns)
	return d, ctx.RegisterResourceOutputs(d, pulumi.Map{
		"secretName":       secretName,
		"backupSecretName": d.BackupSecretName,
		"host":             d.Host,
	})
}
