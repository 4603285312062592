package config

import (
	"os"
	"strings"
	"testing"
	"time"
)

func env(kv ...string) func(string) (string, bool) {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestDefaults(t *testing.T) {
	c, err := FromEnv(env())
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != "127.0.0.1:8080" || c.SweepInterval != 30*time.Second || c.MaxUploadMB != 200 || c.Concurrency < 1 {
		t.Errorf("defaults: %+v", c)
	}
	if c.NotifyARN == "" || c.EventsToken == "" {
		t.Error("notifications are off by default")
	}
}

func TestEmptyTurnsOff(t *testing.T) {
	c, err := FromEnv(env("SOHOA_S3_NOTIFY_ARN", "", "SOHOA_CONCURRENCY", "3"))
	if err != nil {
		t.Fatal(err)
	}
	if c.NotifyARN != "" || c.Concurrency != 3 || c.BulkConcurrency != 3 || c.BulkNice != 10 {
		t.Errorf("got ARN %q, concurrency %d, bulk %d at nice %d; want bulk as many, at 10", c.NotifyARN, c.Concurrency, c.BulkConcurrency, c.BulkNice)
	}
}

func TestBulkLane(t *testing.T) {
	c, err := FromEnv(env("SOHOA_BULK_CONCURRENCY", "1", "SOHOA_BULK_NICE", "0"))
	if err != nil || c.BulkConcurrency != 1 || c.BulkNice != 0 {
		t.Errorf("bulk lane %d at nice %d, %v; want 1 at 0", c.BulkConcurrency, c.BulkNice, err)
	}
	for _, bad := range [][]string{{"SOHOA_BULK_CONCURRENCY", "0"}, {"SOHOA_BULK_NICE", "20"}, {"SOHOA_BULK_NICE", "-5"}} {
		if _, err := FromEnv(env(bad...)); err == nil {
			t.Errorf("%s=%s is accepted", bad[0], bad[1])
		}
	}
}

func TestRefuses(t *testing.T) {
	for _, c := range []struct {
		kv   []string
		want string
	}{
		{[]string{"SOHOA_SWEEP_INTERVAL", "soon"}, "SOHOA_SWEEP_INTERVAL"},
		{[]string{"SOHOA_MAX_UPLOAD_MB", "lots"}, "SOHOA_MAX_UPLOAD_MB"},
		{[]string{"SOHOA_ENV", "staging"}, "SOHOA_ENV"},
		{[]string{"SOHOA_ENV", "production"}, "SOHOA_SIGN_CERT"},
		{[]string{"SOHOA_ENV", "production", "SOHOA_SIGN_CERT", "c", "SOHOA_SIGN_KEY", "k"}, "SOHOA_INBOX_EVENTS_TOKEN"},
		{[]string{"SOHOA_ENV", "production", "SOHOA_SIGN_CERT", "c", "SOHOA_SIGN_KEY", "k", "SOHOA_INBOX_EVENTS_TOKEN", "s"}, "SOHOA_TSA_URL"},
		{[]string{"SOHOA_TSA_URL", "tsa.example.vn:80"}, "SOHOA_TSA_URL"},
		{[]string{"SOHOA_ENV", "production", "SOHOA_S3_ACCESS_KEY", "sohoa-admin"}, "administrator"},
		{[]string{"SOHOA_ENV", "production"}, "SOHOA_MIGRATE_DATABASE_URL"},
		{[]string{"SOHOA_MAINTENANCE", "Giấy khai sinh=01"}, "SOHOA_MAINTENANCE"},
		{[]string{"SOHOA_RETENTION_YEARS", "06=mười"}, "SOHOA_RETENTION_YEARS"},
		{[]string{"SOHOA_FIXITY_INTERVAL", "daily"}, "SOHOA_FIXITY_INTERVAL"},
		{[]string{"SOHOA_METRICS_ADDR", "127.0.0.1:9464"}, "needs SOHOA_METRICS_TOKEN"},
		{[]string{"SOHOA_ENV", "production", "SOHOA_METRICS_TOKEN", "prometheus"}, "SOHOA_METRICS_TOKEN must be a secret"},
	} {
		_, err := FromEnv(env(c.kv...))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("FromEnv(%v) = %v, want an error naming %s", c.kv, err, c.want)
		}
	}
}

// production is everything production needs but a TSA.
var production = []string{"SOHOA_ENV", "production", "SOHOA_SIGN_CERT", "c", "SOHOA_SIGN_KEY", "k",
	"SOHOA_INBOX_EVENTS_TOKEN", strings.Repeat("e", 32), "SOHOA_S3_SECRET_KEY", "a-real-secret",
	"SOHOA_AGENCY_ID", "000.00.53.H26", "SOHOA_PUBLIC_URL", "https://sohoa.example.vn",
	"SOHOA_DATABASE_URL", "postgres://sohoa_service@db/sohoa", "SOHOA_MIGRATE_DATABASE_URL", "postgres://sohoa_owner@db/sohoa"}

// Production starts with a real key, a secret events token and a TSA; in development an empty
// SOHOA_TSA_URL is the development TSA, not an error.
func TestProductionNeedsTSA(t *testing.T) {
	prod := production
	c, err := FromEnv(env(append(prod, "SOHOA_TSA_URL", "https://tsa.example.vn/tsa")...))
	if err != nil || c.TSAURL != "https://tsa.example.vn/tsa" {
		t.Fatalf("production with a TSA: %+v, %v", c, err)
	}
	_, err = FromEnv(env(prod...))
	if err == nil || !strings.Contains(err.Error(), "SOHOA_TSA_URL") || !strings.Contains(err.Error(), "development TSA is for development only") {
		t.Fatalf("production without a TSA: %v", err)
	}
	if c, err := FromEnv(env()); err != nil || c.TSAURL != "" {
		t.Fatalf("development without a TSA: %+v, %v", c, err)
	}
}

// The README's configuration table must name every variable sohoa reads.
func TestREADMEListsEveryVariable(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range Variables() {
		if !strings.Contains(string(readme), "`"+v.Name+"`") {
			t.Errorf("README.md does not document %s", v.Name)
		}
	}
}
