package engine

import (
	"context"
	"net/http"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"
)

// OAuth scopes of the Google APIs infra calls itself.
const (
	cloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform"
	storageScope       = "https://www.googleapis.com/auth/devstorage.read_write"
)

// googleClient is an HTTP client with Application Default Credentials for
// scope, each request bounded to 30 s.
func googleClient(scope string) (*http.Client, error) {
	// Not a caller's ctx: the token source keeps its context for every
	// refresh, and the client outlives the call that made it.
	ts, err := google.DefaultTokenSource(context.Background(), scope)
	if err != nil {
		return nil, err
	}
	c := oauth2.NewClient(context.Background(), ts)
	c.Timeout = 30 * time.Second
	return c, nil
}
