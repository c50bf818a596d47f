package stacks

import (
	"errors"
	"strings"
	"testing"
)

// FuzzLoad feeds arbitrary values to every key: Load must answer with a
// Config or a ConfigError naming known keys, never panic, and never echo a
// secret's value.
func FuzzLoad(f *testing.F) {
	f.Add("dev", "translate.example.com", "1", "250m", "1Gi", `{"a":"b"}`, "hunter2hunter2")
	f.Add("prod", "x", "-3", "4 cores", "2GB", `[1]`, "")
	f.Add("local", "", "1e3", "1e99", ".5", "{}", "s")
	f.Fuzz(func(t *testing.T, stack, domain, replicas, cpu, memory, labels, password string) {
		src := validSource()
		src.Values[p("domain")] = domain
		src.Values[p("backendReplicas")] = replicas
		src.Values[p("frontendCpu")] = cpu
		src.Values[p("mysqlMemory")] = memory
		src.Values[p("labels")] = labels
		src.Values[p("mysqlPassword")] = password
		_, err := Load(stack, src)
		if err == nil {
			return
		}
		var ce *ConfigError
		if !errors.As(err, &ce) || len(ce.Problems) == 0 {
			t.Fatalf("not a ConfigError: %v", err)
		}
		if len(password) >= 6 && strings.Contains(err.Error(), password) && !strings.Contains(domain+replicas+cpu+memory+labels+stack, password) {
			t.Fatalf("the error shows the password: %v", err)
		}
	})
}
