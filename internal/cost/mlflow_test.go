package cost

import (
	"math"
	"strings"
	"testing"

	"github.com/unlimited-translation/infra/internal/prices"
)

// MLflow on dev, worked by hand from prices.json (us-central1 stands in
// for europe-west1):
//
//	pod (server 500m/1Gi/1Gi + Auth Proxy sidecar 250m/512Mi/100Mi, which
//	runs beside it, Spot): 0.75 × 0.0133 + 1.5 × 0.0014767
//	      + (1 + 100/1024) × 0.0000548 = 0.009975 + 0.00221505
//	      + 0.000060151... = 0.0122502 $/h × 730 = 8.9426 $
//	Cloud SQL: 0.0105 × 730 + 10 × 0.17 = 7.665 + 1.70 = 9.365 $
//	load balancer: 4 forwarding rules in all, within the first five: 0 $
//	total: 45.17 + 8.9426 + 9.365 = 63.48 $ a month awake
//
// Asleep, the instance keeps running and MLflow's address is reserved
// but unused (0.01 × 730 = 7.30 $): 7.63 + 9.365 + 7.30 = 24.30 $.
func TestMLflowPrice(t *testing.T) {
	on := map[string]string{"unlimited-translation:mlflow": "true"}
	e, err := ForStack("../..", "dev", on, prices.Default)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"mlflow": 8.9426, "mlflow-database": 9.365, "load balancer": 18.25}
	got := map[string]float64{}
	for _, l := range e.Lines {
		got[l.Component] += l.Monthly
	}
	for c, w := range want {
		if math.Abs(got[c]-w) > 0.005 {
			t.Errorf("%s %.4f/month, want %.4f", c, got[c], w)
		}
	}
	if math.Abs(e.Monthly-63.48) > 0.01 {
		t.Errorf("dev with MLflow %.2f/month, want 63.48", e.Monthly)
	}
	if !strings.Contains(strings.Join(e.Notes, "\n"), "Cloud SQL prices from Infracost") {
		t.Errorf("notes lack the Cloud SQL source: %v", e.Notes)
	}
	on["unlimited-translation:awake"] = "false"
	asleep, err := ForStack("../..", "dev", on, prices.Default)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(asleep.Monthly-24.30) > 0.01 {
		t.Errorf("dev asleep with MLflow %.2f/month, want 24.30", asleep.Monthly)
	}
}
