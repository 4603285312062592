package config

import (
	"slices"
	"strings"
	"testing"
)

// Production refuses, each naming the variable to set: the repository's S3 secret, an events token
// short enough to guess, the placeholder agency and a missing public URL. Development takes them all.
func TestProductionRefusesDevelopmentSecrets(t *testing.T) {
	withTSA := append(slices.Clone(production), "SOHOA_TSA_URL", "https://tsa.example.vn")
	if _, err := FromEnv(env(withTSA...)); err != nil {
		t.Fatalf("a complete production configuration: %v", err)
	}
	for _, c := range []struct {
		name, value, want string
	}{
		{"SOHOA_S3_SECRET_KEY", "sohoa-dev-secret", "SOHOA_S3_SECRET_KEY is the development default"},
		{"SOHOA_INBOX_EVENTS_TOKEN", strings.Repeat("e", 31), "at least 32 characters"},
		{"SOHOA_INBOX_EVENTS_TOKEN", "sohoa-dev-events", "at least 32 characters"},
		{"SOHOA_AGENCY_ID", "000.00.00.H99", "placeholder"},
		{"SOHOA_PUBLIC_URL", "", "needs SOHOA_PUBLIC_URL"},
	} {
		kv := append(slices.Clone(withTSA), c.name, c.value) // the later pair wins
		if _, err := FromEnv(env(kv...)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("production with %s=%q: %v, want an error saying %q", c.name, c.value, err, c.want)
		}
		if _, err := FromEnv(env(c.name, c.value)); err != nil {
			t.Errorf("development with %s=%q: %v", c.name, c.value, err)
		}
	}
	// An empty token turns notifications off; nothing to guess.
	if _, err := FromEnv(env(append(slices.Clone(withTSA), "SOHOA_INBOX_EVENTS_TOKEN", "")...)); err != nil {
		t.Errorf("production with notifications off: %v", err)
	}
}

func TestHTTPSettings(t *testing.T) {
	c, err := FromEnv(env("SOHOA_PUBLIC_URL", "https://SoHoa.Example.vn/", "SOHOA_ALLOWED_HOSTS", " sohoa , Scanner.lan,",
		"SOHOA_HTTP_ADDR", "10.0.0.5:8080", "SOHOA_REDIS_PASSWORD", "pw"))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.HTTP.PublicURL.String(); got != "https://sohoa.example.vn" {
		t.Errorf("public URL %q", got)
	}
	if want := []string{"sohoa.example.vn", "10.0.0.5", "sohoa", "scanner.lan"}; !slices.Equal(c.Hosts(), want) {
		t.Errorf("hosts %q, want %q", c.Hosts(), want)
	}
	if c.RedisPassword != "pw" || c.HTTP.TLS() || c.HTTP.MinRate != 32<<10 || c.HTTP.MaxConcurrentUploads != 8 {
		t.Errorf("settings: %+v", c)
	}
	if c.LocalURL() != "http://10.0.0.5:8080" {
		t.Errorf("local URL %q", c.LocalURL())
	}
	for addr, want := range map[string]string{"0.0.0.0:8080": "https://127.0.0.1:8080", ":9": "https://127.0.0.1:9", "[::]:80": "https://127.0.0.1:80"} {
		c, err := FromEnv(env("SOHOA_HTTP_ADDR", addr, "SOHOA_TLS_CERT", "c.pem", "SOHOA_TLS_KEY", "k.pem"))
		if err != nil {
			t.Fatal(err)
		}
		if c.LocalURL() != want || len(c.Hosts()) != 0 {
			t.Errorf("%s: local URL %q, hosts %q", addr, c.LocalURL(), c.Hosts())
		}
	}
	for _, kv := range [][]string{
		{"SOHOA_PUBLIC_URL", "sohoa.example.vn"},
		{"SOHOA_PUBLIC_URL", "https://sohoa.example.vn/app"},
		{"SOHOA_TLS_CERT", "c.pem"},
		{"SOHOA_MAX_CONCURRENT_UPLOADS", "0"},
		{"SOHOA_UPLOAD_MIN_RATE_WINDOW", "0s"},
	} {
		if _, err := FromEnv(env(kv...)); err == nil || !strings.Contains(err.Error(), kv[0]) {
			t.Errorf("FromEnv(%v) = %v, want an error naming %s", kv, err, kv[0])
		}
	}
}
