package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// githubRun is what infra reads of a GitHub Actions workflow run (REST API
// "Get a workflow run": https://docs.github.com/en/rest/actions/workflow-runs#get-a-workflow-run).
// status is queued, in_progress, … or completed; created_at is when the
// run was made and updated_at its last change, which for a completed run
// is at or after its end.
type githubRun struct {
	ID         int64     `json:"id"`
	Status     string    `json:"status"`
	Conclusion string    `json:"conclusion"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	HTMLURL    string    `json:"html_url"`
}

// errNoGitHubToken: the API is not asked without a token (a run of a
// private repository is not readable anonymously, and anonymous calls are
// rate-limited to 60 an hour).
var errNoGitHubToken = errors.New("GITHUB_TOKEN (or GH_TOKEN) is needed to ask GitHub whether that run has ended: set it in the job's env (with permissions: actions: read)")

// githubWorkflowRun reads run id of repo (owner/name) from the GitHub API
// at GITHUB_API_URL (set by Actions; https://api.github.com otherwise), as
// documented: Bearer token, the JSON media type and the API version header.
func githubWorkflowRun(ctx context.Context, repo string, id int64) (githubRun, error) {
	token := os.Getenv("GITHUB_TOKEN")
	if token == "" {
		token = os.Getenv("GH_TOKEN")
	}
	if token == "" {
		return githubRun{}, errNoGitHubToken
	}
	base := strings.TrimSuffix(os.Getenv("GITHUB_API_URL"), "/")
	if base == "" {
		base = "https://api.github.com"
	}
	owner, name, ok := strings.Cut(repo, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return githubRun{}, fmt.Errorf("GITHUB_REPOSITORY %q is not owner/name", repo)
	}
	u := fmt.Sprintf("%s/repos/%s/%s/actions/runs/%d", base, url.PathEscape(owner), url.PathEscape(name), id)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return githubRun{}, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return githubRun{}, fmt.Errorf("asking GitHub for run %d of %s: %w", id, repo, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return githubRun{}, fmt.Errorf("asking GitHub for run %d of %s: %w", id, repo, err)
	}
	if resp.StatusCode != http.StatusOK {
		var msg struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(b, &msg)
		why := resp.Status
		if msg.Message != "" {
			why += ": " + msg.Message
		}
		if resp.StatusCode == http.StatusNotFound {
			why += " (no such run of this repository, or the token may not read its Actions: permissions: actions: read)"
		}
		return githubRun{}, fmt.Errorf("GitHub answered GET %s with %s", u, why)
	}
	var run githubRun
	if err := json.Unmarshal(b, &run); err != nil {
		return githubRun{}, fmt.Errorf("GitHub's answer for run %d of %s does not parse: %w", id, repo, err)
	}
	if run.ID != id {
		return githubRun{}, fmt.Errorf("GitHub answered for run %d when asked for run %d of %s", run.ID, id, repo)
	}
	return run, nil
}
