package engine

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/unlimited-translation/infra/internal/kubejob"
)

// notLive is the Kubernetes provider's error for a workload that did not
// become ready within its timeout (pulumi-kubernetes v4.25.0, await:
// `the Kubernetes API server reported that "NS/NAME" failed to fully
// initialize or become live`). It says that it timed out, not why: the
// why is in the pods' events.
var notLive = regexp.MustCompile(`"([a-z0-9][a-z0-9-]*)/([a-z0-9][a-z0-9.-]*)" failed to fully initialize or become live`)

// whyNotReady names what the cluster warned about the pods of each
// workload err says did not become ready ("" when err names none, or the
// cluster cannot be asked).
func (e *Engine) whyNotReady(ctx context.Context, err error) string {
	m := notLive.FindAllStringSubmatch(err.Error(), -1)
	if len(m) == 0 {
		return ""
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	k, done, kerr := e.kubectl(ctx)
	if kerr != nil {
		return ""
	}
	defer done()
	var parts []string
	seen := map[string]bool{}
	for _, w := range m {
		ns, name := w[1], w[2]
		if seen[ns+"/"+name] {
			continue
		}
		seen[ns+"/"+name] = true
		k.Namespace = ns
		warnings, err := k.PodWarnings(ctx, name+"-")
		if err != nil || len(warnings) == 0 {
			continue
		}
		if len(warnings) > 3 {
			warnings = warnings[len(warnings)-3:]
		}
		parts = append(parts, fmt.Sprintf("the pods of %s/%s: %s", ns, name, strings.Join(warnings, "; ")))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, "; ") + ")"
}

// kubectl reaches the stack's cluster: a local stack's through the user's
// kubeconfig and its kubeContext, a GKE stack's as kubeJobs does.
func (e *Engine) kubectl(ctx context.Context) (kubejob.Runner, func(), error) {
	if e.Config.Local() {
		return kubejob.Runner{Context: e.Config.KubeContext, Namespace: e.Config.Namespace}, func() {}, nil
	}
	return e.kubeJobs(ctx)
}
