package components

import (
	_ "embed"

	batchv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/batch/v1"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The scripts the backup and restore pods run. Their containers need bash
// and gzip: the MySQL image has both (docker-library/mysql
// Dockerfile.oracle installs gzip), so does the Cloud CLI image (Debian).
var (
	//go:embed scripts/backup.sh
	BackupScript string
	//go:embed scripts/restore.sh
	RestoreScript string
	//go:embed scripts/backup-user.sh
	BackupUserScript string
)

// DefaultCLIImage uploads and downloads backups: the Google Cloud CLI,
// pinned to the release the scripts are tested with.
const DefaultCLIImage = "gcr.io/google.com/cloudsdktool/google-cloud-cli:528.0.0-slim"

// The names `infra backup` and `infra restore` find the jobs by.
const (
	BackupCronJobName  = "mysql-backup"
	RestoreCronJobName = "mysql-restore"
)

// backupPods are the backup and restore pods: MySQL lets them in.
var backupPods = map[string]string{"name": "mysql-backup-pod", "app": AppLabel}

// DatabaseBackupArgs configures DatabaseBackup.
type DatabaseBackupArgs struct {
	// Namespace. Default "default".
	Namespace string
	// DumpImage dumps and loads: the database's own MySQL image, so the
	// client matches the server. Required.
	DumpImage string
	// CLIImage uploads and downloads. Default DefaultCLIImage.
	CLIImage string
	// Schedule of the backup, in cron syntax, UTC. Default "30 2 * * *".
	Schedule string
	// Bucket the backups go to, under Prefix (default "mysql/"). Required.
	Bucket pulumi.StringInput
	Prefix string
	// NewestObject, when set, is where each backup is also copied: one
	// name in Bucket whose newest versions the bucket keeps whatever the
	// age of the backups (infra.BackupRules).
	NewestObject string
	// GoogleServiceAccount is the email the pods act as through Workload
	// Identity; nil: no annotation (the node's credentials, if any).
	GoogleServiceAccount pulumi.StringInput
	// ServiceAccountName of the pods. Default "mysql-backup".
	ServiceAccountName string
	// Database to back up: its host, the Secret holding
	// MYSQL_ROOT_PASSWORD (restores write), the Secret holding the
	// read-only dump account (MYSQL_BACKUP_USER, MYSQL_BACKUP_PASSWORD:
	// backups never hold root), and the schema. Required.
	DatabaseHost   pulumi.StringInput
	DatabaseSecret pulumi.StringInput
	BackupSecret   pulumi.StringInput
	DatabaseName   string
	// Requests of each container; EphemeralStorage must hold a compressed
	// dump. Required.
	Requests Requests
	// Spot runs the jobs on Spot capacity (a preempted run is retried).
	Spot      bool
	Placement Placement
}

// DatabaseBackup is the database's backup: a CronJob that dumps MySQL
// and uploads the dump to Cloud Storage, and a suspended CronJob that is
// the template of a restore (`infra restore` makes a Job from it).
type DatabaseBackup struct {
	pulumi.ResourceState

	ServiceAccount *corev1.ServiceAccount
	Backup         *batchv1.CronJob
	Restore        *batchv1.CronJob
}

// backupRunAs is the backup pods' user (the Cloud CLI's) and scratch
// directory; the MySQL steps run as MySQL's user in the same pod.
var backupRunAs = RunAs{UID: CLIUID, Scratch: []string{"/tmp"}}

// NewDatabaseBackup creates the backup objects.
func NewDatabaseBackup(ctx *pulumi.Context, name string, args DatabaseBackupArgs, opts ...pulumi.ResourceOption) (*DatabaseBackup, error) {
	b := &DatabaseBackup{}
	if err := ctx.RegisterComponentResource("translation:components:DatabaseBackup", name, b, opts...); err != nil {
		return nil, err
	}
	ns := orDefault(args.Namespace, "default")
	meta := func(n string) *metav1.ObjectMetaArgs {
		return &metav1.ObjectMetaArgs{Name: pulumi.String(n), Namespace: pulumi.String(ns),
			Labels: pulumi.StringMap{"app": pulumi.String(AppLabel)}}
	}
	saMeta := meta(orDefault(args.ServiceAccountName, "mysql-backup"))
	if args.GoogleServiceAccount != nil {
		saMeta.Annotations = pulumi.StringMap{"iam.gke.io/gcp-service-account": args.GoogleServiceAccount}
	}
	sa, err := corev1.NewServiceAccount(ctx, name, &corev1.ServiceAccountArgs{Metadata: saMeta}, args.Placement.inCluster(b)...)
	if err != nil {
		return nil, err
	}
	scripts, err := corev1.NewConfigMap(ctx, name+"-scripts", &corev1.ConfigMapArgs{
		Metadata: meta("mysql-backup-scripts"),
		Data:     pulumi.StringMap{"backup.sh": pulumi.String(BackupScript), "restore.sh": pulumi.String(RestoreScript)},
	}, args.Placement.inCluster(b)...)
	if err != nil {
		return nil, err
	}

	env := func(kv ...interface{}) corev1.EnvVarArray {
		out := corev1.EnvVarArray{}
		for i := 0; i < len(kv); i += 2 {
			out = append(out, &corev1.EnvVarArgs{Name: pulumi.String(kv[i].(string)), Value: kv[i+1].(pulumi.StringInput)})
		}
		return out
	}
	database := env("MYSQL_HOST", args.DatabaseHost, "MYSQL_DATABASE", pulumi.String(orDefault(args.DatabaseName, DefaultDatabaseName)))
	dumpEnv := append(append(corev1.EnvVarArray{}, database...),
		secretEnv("MYSQL_DUMP_USER", args.BackupSecret, "MYSQL_BACKUP_USER"),
		secretEnv("MYSQL_DUMP_PASSWORD", args.BackupSecret, "MYSQL_BACKUP_PASSWORD"))
	mysqlEnv := append(append(corev1.EnvVarArray{}, database...), secretEnv("MYSQL_ROOT_PASSWORD", args.DatabaseSecret, "MYSQL_ROOT_PASSWORD"))
	// Each step runs as its image's own user: MySQL's for the dump and
	// the load, the Cloud CLI's for the transfer. Both share /backup (an
	// emptyDir, writable by all) and /tmp, which is HOME: gcloud keeps its
	// configuration there.
	step := func(image, script, verb string, uid int, e corev1.EnvVarArray) *corev1.ContainerArgs {
		as := RunAs{UID: uid, Scratch: backupRunAs.Scratch}
		return &corev1.ContainerArgs{
			Name:    pulumi.String(verb),
			Image:   pulumi.String(image),
			Command: pulumi.ToStringArray([]string{"bash", "/scripts/" + script, verb}),
			Env:     append(append(corev1.EnvVarArray{}, e...), as.env()...),
			VolumeMounts: append(corev1.VolumeMountArray{
				&corev1.VolumeMountArgs{Name: pulumi.String("work"), MountPath: pulumi.String("/backup")},
				&corev1.VolumeMountArgs{Name: pulumi.String("scripts"), MountPath: pulumi.String("/scripts"), ReadOnly: pulumi.Bool(true)},
			}, as.mounts()...),
			SecurityContext: as.container(),
			Resources:       args.Requests.args(nil),
			// A failed step's last log lines become its termination
			// message, which `infra backup` and `infra restore` print.
			TerminationMessagePolicy: pulumi.String("FallbackToLogsOnError"),
		}
	}
	cli := orDefault(args.CLIImage, DefaultCLIImage)
	// The first step runs as an init container, so the second only starts
	// once it succeeded, and the pod's outcome is the second's.
	job := func(first, second *corev1.ContainerArgs) *batchv1.JobTemplateSpecArgs {
		return &batchv1.JobTemplateSpecArgs{
			Metadata: &metav1.ObjectMetaArgs{Labels: pulumi.ToStringMap(backupPods)},
			Spec: &batchv1.JobSpecArgs{
				// A transient failure (a pod evicted, the network) is
				// retried twice; a refusal (exit 3: restore into a database
				// with rows) or bad input (exit 2) is final.
				BackoffLimit:          pulumi.Int(2),
				ActiveDeadlineSeconds: pulumi.Int(3600),
				PodFailurePolicy: &batchv1.PodFailurePolicyArgs{Rules: batchv1.PodFailurePolicyRuleArray{
					&batchv1.PodFailurePolicyRuleArgs{
						Action: pulumi.String("FailJob"),
						OnExitCodes: &batchv1.PodFailurePolicyOnExitCodesRequirementArgs{
							Operator: pulumi.String("In"), Values: pulumi.ToIntArray([]int{2, 3}),
						},
					},
				}},
				Template: &corev1.PodTemplateSpecArgs{
					Metadata: &metav1.ObjectMetaArgs{Labels: pulumi.ToStringMap(backupPods)},
					Spec: &corev1.PodSpecArgs{
						NodeSelector:       nodeSelector(args.Spot, nil),
						ServiceAccountName: sa.Metadata.Name(),
						SecurityContext:    backupRunAs.pod(),
						RestartPolicy:      pulumi.String("Never"),
						InitContainers:     corev1.ContainerArray{first},
						Containers:         corev1.ContainerArray{second},
						Volumes: append(corev1.VolumeArray{
							&corev1.VolumeArgs{Name: pulumi.String("work"), EmptyDir: &corev1.EmptyDirVolumeSourceArgs{
								SizeLimit: pulumi.String(args.Requests.EphemeralStorage),
							}},
							&corev1.VolumeArgs{Name: pulumi.String("scripts"), ConfigMap: &corev1.ConfigMapVolumeSourceArgs{
								Name: scripts.Metadata.Name(),
							}},
						}, backupRunAs.volumes()...),
					},
				},
			},
		}
	}
	backupEnv := env("BACKUP_BUCKET", args.Bucket, "BACKUP_PREFIX", pulumi.String(orDefault(args.Prefix, "mysql/")))
	if args.NewestObject != "" {
		backupEnv = append(backupEnv, env("BACKUP_NEWEST", pulumi.String(args.NewestObject))...)
	}
	backup, err := batchv1.NewCronJob(ctx, name, &batchv1.CronJobArgs{
		Metadata: meta(BackupCronJobName),
		Spec: &batchv1.CronJobSpecArgs{
			Schedule:                   pulumi.String(orDefault(args.Schedule, "30 2 * * *")),
			TimeZone:                   pulumi.String("Etc/UTC"),
			ConcurrencyPolicy:          pulumi.String("Forbid"),
			StartingDeadlineSeconds:    pulumi.Int(3600),
			SuccessfulJobsHistoryLimit: pulumi.Int(3),
			FailedJobsHistoryLimit:     pulumi.Int(3),
			JobTemplate: job(step(args.DumpImage, "backup.sh", "dump", MySQLUID, append(env("BACKUP_NAME", pulumi.String("")), dumpEnv...)),
				step(cli, "backup.sh", "upload", CLIUID, backupEnv)),
		},
	}, args.Placement.inCluster(b)...)
	if err != nil {
		return nil, err
	}
	// Never scheduled (suspended): only the template `infra restore`
	// fills in with the object to restore.
	restore, err := batchv1.NewCronJob(ctx, name+"-restore", &batchv1.CronJobArgs{
		Metadata: meta(RestoreCronJobName),
		Spec: &batchv1.CronJobSpecArgs{
			// February 31st: never, should it ever be resumed.
			Schedule: pulumi.String("0 0 31 2 *"),
			Suspend:  pulumi.Bool(true),
			JobTemplate: job(step(cli, "restore.sh", "download", CLIUID, env("RESTORE_OBJECT", pulumi.String(""))),
				step(args.DumpImage, "restore.sh", "load", MySQLUID, append(append(corev1.EnvVarArray{}, mysqlEnv...), env("RESTORE_FORCE", pulumi.String("false"), "RESTORE_VERIFY", pulumi.String("false"))...))),
		},
	}, args.Placement.inCluster(b)...)
	if err != nil {
		return nil, err
	}
	b.ServiceAccount, b.Backup, b.Restore = sa, backup, restore
	return b, ctx.RegisterResourceOutputs(b, pulumi.Map{
		"backupCronJob":  backup.Metadata.Name(),
		"restoreCronJob": restore.Metadata.Name(),
	})
}
