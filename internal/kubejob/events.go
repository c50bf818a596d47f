package kubejob

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// PodWarnings lists what the cluster warned about the pods whose names
// start with prefix (a Deployment's or StatefulSet's name and "-"): the
// reason a rollout does not become ready (FailedScheduling, BackOff,
// Unhealthy…), each reason and message once, oldest first.
func (k Runner) PodWarnings(ctx context.Context, prefix string) ([]string, error) {
	out, err := k.kubectl(ctx, nil, "get", "events", "-o", "json", "--field-selector", "type=Warning,involvedObject.kind=Pod")
	if err != nil {
		return nil, fmt.Errorf("reading the events of namespace %s: %w", k.Namespace, err)
	}
	return podWarnings(out, prefix)
}

func podWarnings(list []byte, prefix string) ([]string, error) {
	var events struct {
		Items []struct {
			InvolvedObject struct {
				Name string `json:"name"`
			} `json:"involvedObject"`
			Reason        string    `json:"reason"`
			Message       string    `json:"message"`
			LastTimestamp time.Time `json:"lastTimestamp"`
			EventTime     time.Time `json:"eventTime"`
		} `json:"items"`
	}
	if err := json.Unmarshal(list, &events); err != nil {
		return nil, fmt.Errorf("the events do not parse: %w", err)
	}
	items := events.Items
	when := func(i int) time.Time {
		// The events API sets eventTime; core/v1 events from older
		// components only lastTimestamp.
		if !items[i].EventTime.IsZero() {
			return items[i].EventTime
		}
		return items[i].LastTimestamp
	}
	sort.SliceStable(items, func(i, j int) bool { return when(i).Before(when(j)) })
	var out []string
	seen := map[string]bool{}
	for _, e := range items {
		if !strings.HasPrefix(e.InvolvedObject.Name, prefix) {
			continue
		}
		line := e.Reason + ": " + strings.TrimSpace(e.Message)
		if !seen[line] {
			seen[line] = true
			out = append(out, line)
		}
	}
	return out, nil
}
