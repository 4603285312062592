package config

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
)

// HTTP is what the HTTP server answers to and how it protects itself.
type HTTP struct {
	PublicURL    *url.URL // nil: not set (development only)
	AllowedHosts []string // SOHOA_ALLOWED_HOSTS, lower case
	TLSCert      string
	TLSKey       string

	MaxConcurrentUploads int
	MinRate              int64 // bytes per second a request body must keep up; 0: no floor
	MinRateWindow        time.Duration
}

// TLS reports whether sohoa serves HTTPS itself.
func (h HTTP) TLS() bool { return h.TLSCert != "" && h.TLSKey != "" }

// readHTTP reads the HTTP settings with FromEnv's helpers, and returns what else is wrong with them.
func readHTTP(get func(string) string, num func(string) int64, dur func(string) time.Duration) (HTTP, []error) {
	var errs []error
	h := HTTP{TLSCert: get("SOHOA_TLS_CERT"), TLSKey: get("SOHOA_TLS_KEY"),
		MaxConcurrentUploads: int(num("SOHOA_MAX_CONCURRENT_UPLOADS")),
		MinRate:              num("SOHOA_UPLOAD_MIN_RATE_KB") << 10, MinRateWindow: dur("SOHOA_UPLOAD_MIN_RATE_WINDOW")}
	if v := get("SOHOA_PUBLIC_URL"); v != "" {
		u, err := url.Parse(v)
		if err == nil && ((u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.Trim(u.Path, "/") != "" || u.RawQuery != "") {
			err = fmt.Errorf("want http(s)://host[:port] with no path")
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("SOHOA_PUBLIC_URL=%q: %w", v, err))
		} else {
			h.PublicURL = &url.URL{Scheme: u.Scheme, Host: strings.ToLower(u.Host)}
		}
	}
	for _, name := range strings.Split(get("SOHOA_ALLOWED_HOSTS"), ",") {
		if name = strings.ToLower(strings.TrimSpace(name)); name != "" {
			h.AllowedHosts = append(h.AllowedHosts, name)
		}
	}
	if (h.TLSCert == "") != (h.TLSKey == "") {
		errs = append(errs, fmt.Errorf("SOHOA_TLS_CERT and SOHOA_TLS_KEY go together: set both for HTTPS, or neither"))
	}
	if h.MaxConcurrentUploads < 1 || h.MinRate < 0 {
		errs = append(errs, fmt.Errorf("SOHOA_MAX_CONCURRENT_UPLOADS must be at least 1 and SOHOA_UPLOAD_MIN_RATE_KB at least 0"))
	}
	return h, errs
}

// Hosts are the host names the HTTP server answers to, besides loopback ones: SOHOA_PUBLIC_URL's,
// SOHOA_HTTP_ADDR's when it names one, and SOHOA_ALLOWED_HOSTS. Anything else in a Host header is
// refused, so that a name an attacker points at this server (DNS rebinding) gets nothing.
func (c Config) Hosts() []string {
	var out []string
	if c.HTTP.PublicURL != nil {
		out = append(out, c.HTTP.PublicURL.Hostname())
	}
	if host, _, err := net.SplitHostPort(c.HTTPAddr); err == nil && host != "" {
		if ip := net.ParseIP(host); ip == nil || !ip.IsUnspecified() {
			out = append(out, strings.ToLower(host))
		}
	}
	return append(out, c.HTTP.AllowedHosts...)
}

// LocalURL is the HTTP server's address as a client on this machine reaches it: a wildcard listen
// address (0.0.0.0, [::], :8080) is reached on loopback.
func (c Config) LocalURL() string {
	scheme := "http"
	if c.HTTP.TLS() {
		scheme = "https"
	}
	host, port, err := net.SplitHostPort(c.HTTPAddr)
	if err != nil {
		return scheme + "://" + c.HTTPAddr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}

// minSecret is the shortest token production takes (the events' and the metrics'): 32 characters
// of a random secret cannot be guessed, unlike a word someone chose.
const minSecret = 32

// productionRefusals are the settings a production deployment must not run with: secrets anyone
// can read in this repository, a placeholder in every code, and an origin to check requests against.
func productionRefusals(c Config) []error {
	var errs []error
	if c.S3SecretKey == defaultOf("SOHOA_S3_SECRET_KEY") {
		errs = append(errs, fmt.Errorf("SOHOA_ENV=production: SOHOA_S3_SECRET_KEY is the development default; set the object store's real secret"))
	}
	if c.EventsToken != "" && len(c.EventsToken) < minSecret {
		errs = append(errs, fmt.Errorf("SOHOA_ENV=production: SOHOA_INBOX_EVENTS_TOKEN must be a secret of at least %d characters (or \"\" to turn notifications off)", minSecret))
	}
	if c.MetricsToken != "" && len(c.MetricsToken) < minSecret {
		errs = append(errs, fmt.Errorf("SOHOA_ENV=production: SOHOA_METRICS_TOKEN must be a secret of at least %d characters (or \"\" to turn the metrics off)", minSecret))
	}
	if c.Agency == defaultOf("SOHOA_AGENCY_ID") {
		errs = append(errs, fmt.Errorf("SOHOA_ENV=production: SOHOA_AGENCY_ID is the placeholder %s; set the agency's QCVN 102 identifier, the left part of every code", c.Agency))
	}
	if c.HTTP.PublicURL == nil {
		errs = append(errs, fmt.Errorf("SOHOA_ENV=production needs SOHOA_PUBLIC_URL: browsers' state-changing requests are checked against its origin"))
	}
	return errs
}
