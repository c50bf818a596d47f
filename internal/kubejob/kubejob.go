// Package kubejob runs one-off Jobs from a CronJob's template with kubectl,
// the way `kubectl create job --from=cronjob/…` does, plus environment
// values and a wait for the outcome; it also reads the newest Job of a
// kind (latest.go) and GKE's NEG objects (negs.go). kubectl (with
// gke-gcloud-auth-plugin on GKE) is what users of a cluster have anyway.
package kubejob

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// Runner runs Jobs in one namespace of one cluster.
type Runner struct {
	Kubeconfig string // path; empty: kubectl's own ($KUBECONFIG, ~/.kube/config)
	// Context is the kubeconfig context; empty: its current one.
	Context   string
	Namespace string
	// Poll is the wait between status reads.
	Poll time.Duration
}

// Result is how a Job ended: the termination message of its last
// container (the object a backup wrote; the log tail of a failure).
type Result struct {
	Name    string
	Message string
}

func (k Runner) kubectl(ctx context.Context, stdin []byte, args ...string) ([]byte, error) {
	flags := []string{"--namespace", k.Namespace, "--request-timeout=30s"}
	if k.Kubeconfig != "" {
		flags = append(flags, "--kubeconfig", k.Kubeconfig)
	}
	if k.Context != "" {
		flags = append(flags, "--context", k.Context)
	}
	cmd := exec.CommandContext(ctx, "kubectl", append(flags, args...)...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if e, ok := err.(*exec.Error); ok {
			return nil, fmt.Errorf("kubectl is needed to run jobs in the cluster (gcloud components install kubectl gke-gcloud-auth-plugin): %w", e)
		}
		return nil, fmt.Errorf("kubectl %s: %s", args[0], strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// Run creates a Job named name from cronJob's template with env set on
// every container that has the variable, waits until it completes or
// fails (or ctx ends), and says how it ended.
func (k Runner) Run(ctx context.Context, cronJob, name string, env map[string]string) (Result, error) {
	res := Result{Name: name}
	raw, err := k.kubectl(ctx, nil, "get", "cronjob", cronJob, "-o", "json")
	if err != nil {
		return res, fmt.Errorf("reading the CronJob %s/%s: %w", k.Namespace, cronJob, err)
	}
	job, err := jobFrom(raw, name, env)
	if err != nil {
		return res, fmt.Errorf("CronJob %s/%s: %w", k.Namespace, cronJob, err)
	}
	if _, err := k.kubectl(ctx, job, "create", "-f", "-"); err != nil {
		return res, fmt.Errorf("creating the Job %s: %w", name, err)
	}
	poll := k.Poll
	if poll == 0 {
		poll = 2 * time.Second
	}
	for {
		var st struct {
			Status struct {
				Conditions []struct{ Type, Status, Message string }
			}
		}
		out, err := k.kubectl(ctx, nil, "get", "job", name, "-o", "json")
		if err == nil {
			err = json.Unmarshal(out, &st)
		}
		if err != nil {
			return res, fmt.Errorf("reading the Job %s: %w", name, err)
		}
		for _, c := range st.Status.Conditions {
			if c.Status != "True" {
				continue
			}
			switch c.Type {
			case "Complete":
				res.Message = k.message(ctx, name)
				return res, nil
			case "Failed":
				res.Message = k.message(ctx, name)
				why := res.Message
				if why == "" {
					why = c.Message
				}
				return res, fmt.Errorf("the Job %s/%s failed: %s (kubectl logs -n %s job/%s --all-containers)", k.Namespace, name, why, k.Namespace, name)
			}
		}
		select {
		case <-ctx.Done():
			return res, fmt.Errorf("stopped waiting for the Job %s/%s, which goes on in the cluster: %w", k.Namespace, name, ctx.Err())
		case <-time.After(poll):
		}
	}
}

// message is the newest pod's last termination message: its main
// container's, or a failed init container's.
func (k Runner) message(ctx context.Context, job string) string {
	out, err := k.kubectl(ctx, nil, "get", "pods", "-l", "job-name="+job, "-o", "json")
	if err != nil {
		return ""
	}
	type status struct {
		State struct {
			Terminated *struct {
				ExitCode int    `json:"exitCode"`
				Message  string `json:"message"`
			} `json:"terminated"`
		} `json:"state"`
	}
	var pods struct {
		Items []struct {
			Metadata struct {
				CreationTimestamp time.Time `json:"creationTimestamp"`
			} `json:"metadata"`
			Status struct {
				Init []status `json:"initContainerStatuses"`
				Main []status `json:"containerStatuses"`
			} `json:"status"`
		} `json:"items"`
	}
	if json.Unmarshal(out, &pods) != nil || len(pods.Items) == 0 {
		return ""
	}
	newest := pods.Items[0]
	for _, p := range pods.Items[1:] {
		if p.Metadata.CreationTimestamp.After(newest.Metadata.CreationTimestamp) {
			newest = p
		}
	}
	for _, s := range newest.Status.Init {
		if t := s.State.Terminated; t != nil && t.ExitCode != 0 {
			return strings.TrimSpace(t.Message)
		}
	}
	for _, s := range newest.Status.Main {
		if t := s.State.Terminated; t != nil {
			return strings.TrimSpace(t.Message)
		}
	}
	return ""
}

// jobFrom turns a CronJob (JSON) into a Job manifest named name with env
// set, the CronJob's labels kept and a day to be looked at once done.
func jobFrom(cronJob []byte, name string, env map[string]string) ([]byte, error) {
	var cj struct {
		Metadata struct {
			Namespace string `json:"namespace"`
		} `json:"metadata"`
		Spec struct {
			JobTemplate struct {
				Metadata map[string]interface{} `json:"metadata"`
				Spec     map[string]interface{} `json:"spec"`
			} `json:"jobTemplate"`
		} `json:"spec"`
	}
	if err := json.Unmarshal(cronJob, &cj); err != nil {
		return nil, err
	}
	spec := cj.Spec.JobTemplate.Spec
	tmpl, _ := spec["template"].(map[string]interface{})
	pod, _ := tmpl["spec"].(map[string]interface{})
	if pod == nil {
		return nil, fmt.Errorf("has no pod template")
	}
	set := map[string]bool{}
	for _, key := range []string{"initContainers", "containers"} {
		cs, _ := pod[key].([]interface{})
		for _, c := range cs {
			cm, _ := c.(map[string]interface{})
			vars, _ := cm["env"].([]interface{})
			for _, v := range vars {
				vm, _ := v.(map[string]interface{})
				if val, ok := env[vm["name"].(string)]; ok {
					vm["value"] = val
					delete(vm, "valueFrom")
					set[vm["name"].(string)] = true
				}
			}
		}
	}
	for k := range env {
		if !set[k] {
			return nil, fmt.Errorf("no container of its template reads %s (an older stack? infra up first)", k)
		}
	}
	spec["ttlSecondsAfterFinished"] = 86400
	labels, _ := cj.Spec.JobTemplate.Metadata["labels"].(map[string]interface{})
	return json.Marshal(map[string]interface{}{
		"apiVersion": "batch/v1",
		"kind":       "Job",
		"metadata": map[string]interface{}{
			"name": name, "namespace": cj.Metadata.Namespace, "labels": labels,
			"annotations": map[string]string{"cronjob.kubernetes.io/instantiate": "manual"},
		},
		"spec": spec,
	})
}

// WriteKubeconfig puts a kubeconfig in a file only this user reads; the
// caller removes it.
func WriteKubeconfig(content string) (string, error) {
	f, err := os.CreateTemp("", "infra-kubeconfig-")
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := f.WriteString(content); err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}
