package kubejob

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Outcome is how far a Job got.
type Outcome string

const (
	Running   Outcome = "running"
	Succeeded Outcome = "succeeded"
	Failed    Outcome = "failed"
)

// Status is the newest Job of a kind and how it went.
type Status struct {
	Name    string
	Created time.Time
	Outcome Outcome
	// Finished is when it completed or failed (zero while running).
	Finished time.Time
	// Message says why a failed Job failed: its pod's termination
	// message, else the Job's condition message.
	Message string
}

func (s Status) String() string {
	switch s.Outcome {
	case Succeeded:
		return fmt.Sprintf("Job %s succeeded at %s", s.Name, s.Finished.UTC().Format(time.RFC3339))
	case Failed:
		return fmt.Sprintf("Job %s failed at %s: %s", s.Name, s.Finished.UTC().Format(time.RFC3339), s.Message)
	}
	return fmt.Sprintf("Job %s has been running since %s", s.Name, s.Created.UTC().Format(time.RFC3339))
}

// Latest returns the newest Job whose name starts with prefix (the Jobs
// a CronJob makes are named after it, and so are infra's), or nil when
// there is none: the Jobs history keeps the last few of each outcome.
func (k Runner) Latest(ctx context.Context, prefix string) (*Status, error) {
	out, err := k.kubectl(ctx, nil, "get", "jobs", "-o", "json")
	if err != nil {
		return nil, fmt.Errorf("listing the Jobs of %s: %w", k.Namespace, err)
	}
	var jobs struct {
		Items []struct {
			Metadata struct {
				Name              string    `json:"name"`
				CreationTimestamp time.Time `json:"creationTimestamp"`
			} `json:"metadata"`
			Status struct {
				Conditions []struct {
					Type, Status, Message string
					LastTransitionTime    time.Time `json:"lastTransitionTime"`
				} `json:"conditions"`
			} `json:"status"`
		} `json:"items"`
	}
	if err := json.Unmarshal(out, &jobs); err != nil {
		return nil, fmt.Errorf("the Jobs of %s: %w", k.Namespace, err)
	}
	var newest *Status
	for _, j := range jobs.Items {
		if !strings.HasPrefix(j.Metadata.Name, prefix) || (newest != nil && !j.Metadata.CreationTimestamp.After(newest.Created)) {
			continue
		}
		s := &Status{Name: j.Metadata.Name, Created: j.Metadata.CreationTimestamp, Outcome: Running}
		for _, c := range j.Status.Conditions {
			if c.Status != "True" {
				continue
			}
			switch c.Type {
			case "Complete":
				s.Outcome, s.Finished = Succeeded, c.LastTransitionTime
			case "Failed":
				s.Outcome, s.Finished, s.Message = Failed, c.LastTransitionTime, c.Message
			}
		}
		newest = s
	}
	if newest != nil && newest.Outcome == Failed {
		if m := k.message(ctx, newest.Name); m != "" {
			newest.Message = m
		}
	}
	return newest, nil
}
