package stacks

import (
	"strings"

	"github.com/unlimited-translation/infra/components"
)

// IsLocal tells whether a stack name defaults to a local cluster: "local"
// and anything starting with "local-".
func IsLocal(stack string) bool {
	return stack == "local" || strings.HasPrefix(stack, "local-")
}

// IsProduction tells whether a stack name gets production defaults:
// "prod", "production" and anything starting with "prod-".
func IsProduction(stack string) bool {
	return stack == "prod" || stack == "production" || strings.HasPrefix(stack, "prod-")
}

// Defaults returns the config a stack starts from before its own settings.
// Requests are Autopilot-valid shapes (memory 1-6.5 GiB per vCPU, at least
// 250m/512Mi, explicit ephemeral storage) so Autopilot never rewrites them.
func Defaults(stack string) Config {
	prod := IsProduction(stack)
	c := Config{
		Stack:                stack,
		Production:           prod,
		Platform:             PlatformGKE,
		FrontendServiceType:  "NodePort",
		Region:               "us-central1",
		CreateDNSZone:        true,
		DNSSEC:               true,
		CAA:                  true,
		ClusterName:          "translation-" + stack,
		AddressName:          "translation-" + stack + "-ip",
		ReleaseChannel:       "REGULAR",
		MaintenanceStartTime: "03:00",
		Namespace:            "default",
		RolloutTimeout:       components.DefaultRolloutTimeout,
		ImagePullPolicy:      "Always",
		Backend: Workload{
			Image:            "datatrigger/unlimited-translation_backend_fastapi:latest",
			Replicas:         1,
			CPU:              "1",
			Memory:           "2Gi",
			EphemeralStorage: "500Mi",
		},
		Frontend: Workload{
			Image:            "datatrigger/unlimited-translation_frontend_flask:k8s",
			Replicas:         1,
			CPU:              "250m",
			Memory:           "512Mi",
			EphemeralStorage: "100Mi",
		},
		BackendCPUTarget: 70,
		// GPUs are opt-in: the CPU backend is what the app was built for.
		BackendAcceleratorCount: 1,
		NetworkPolicies:         true,
		Backup:                  Backup{Schedule: "30 2 * * *", RetentionDays: 7, KeepNewest: 3, MaxAgeHours: 36},
		FreeTierCredit:          true,
		Awake:                   true,
		Spot:                    true,
		SSLPolicyProfile:        "MODERN",
		// A day: a mistake in dev is forgotten by browsers by tomorrow.
		HSTSMaxAge: 86400,
		// Off outside production: the policy's fee and its default rule
		// ($6 a month at least) would take dev past its daily budget. On,
		// twenty translations a minute is more than a person types; a
		// client sending twice that is banned for ten minutes.
		Armor: Armor{RateLimit: 20, BanSeconds: 600},
		// MLflow is opt-in. 3.16.1 is the first release without a built-in
		// admin password (GHSA-gq3w-7jj3-x7gr); -full images exist from 3.9.
		MLflow: MLflow{Image: "ghcr.io/mlflow/mlflow:v3.18.0-full", DatabaseTier: "db-f1-micro"},
		Database: Database{
			Image:            "mysql:8.4",
			CPU:              "250m",
			Memory:           "1Gi",
			EphemeralStorage: "100Mi",
			StorageSize:      "1Gi",
			DiskType:         "pd-balanced",
			DiskReplication:  "zonal",
			User:             "translation",
		},
	}
	if IsLocal(stack) {
		// Small enough for a laptop's minikube or kind (requests, not limits:
		// the backend may still use what the node has).
		c.Platform = PlatformLocal
		c.ImagePullPolicy = "IfNotPresent"
		c.Backend.CPU, c.Backend.Memory, c.Backend.EphemeralStorage = "250m", "1Gi", "100Mi"
		c.Frontend.CPU, c.Frontend.Memory, c.Frontend.EphemeralStorage = "100m", "128Mi", "50Mi"
		c.Database.CPU, c.Database.Memory, c.Database.EphemeralStorage = "100m", "256Mi", "50Mi"
		c.Spot = false
	}
	if stack == ScheduledStack {
		// dev sleeps 19:00-07:00 UTC and at weekends by default
		// (dev-sleep-wake.yml): a night-time backup would never run.
		c.Backup.Schedule = ScheduledStackBackup
		// Friday's midday backup to Monday's, plus a day of slack.
		c.Backup.MaxAgeHours = 96
	}
	if prod {
		c.ReleaseChannel = "STABLE"
		c.SSLPolicyProfile = "RESTRICTED"
		// A year, what HSTS preload lists ask for.
		c.HSTSMaxAge = 31536000
		// The attacks a Flask form with a MySQL table behind it can meet;
		// no PHP, Java or file inclusion targets run here, but a scanner
		// looking for them is denied before it reaches a pod.
		c.Armor.Enabled = true
		c.Armor.WAF = "sqli,xss,lfi,rce,scannerdetection,protocolattack"
		c.DeletionProtection = true
		c.ProtectInfrastructure = true
		c.PrivateNodes = true
		c.RestrictControlPlane = true
		c.ImagePullPolicy = "IfNotPresent"
		c.Backend.Replicas = 2
		c.BackendMaxReplicas = 4
		c.Backend.CPU = "2"
		c.Backend.Memory = "4Gi"
		c.Frontend.Replicas = 2
		c.Frontend.CPU = "500m"
		c.Frontend.Memory = "1Gi"
		c.Database.CPU = "500m"
		c.Database.Memory = "2Gi"
		c.Database.StorageSize = "10Gi"
		c.Database.DiskReplication = "regional"
		c.Database.Protect = true
		c.Database.KeepData = true
		c.Backup.RetentionDays = 30
		c.Backup.KeepNewest = 7
		// dev takes the free tier; prod pays on-demand prices and is
		// never evicted.
		c.FreeTierCredit = false
		c.Spot = false
	}
	return c
}

// ScheduledStack is the stack dev-sleep-wake.yml puts to sleep at night,
// and ScheduledStackBackup its backup schedule: midday on weekdays, when
// the default schedule has it awake (sleep takes a backup as well).
const (
	ScheduledStack       = "dev"
	ScheduledStackBackup = "30 12 * * 1-5"
)
