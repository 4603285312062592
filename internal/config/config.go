// Package config reads sohoa's configuration from environment variables. Every setting has a default
// that works on one machine with the services on loopback (scripts/services up), so a bare `sohoa all`
// runs; the README's table lists them all.
package config

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/sohoa-vn/sohoa/internal/retention"
)

// Config is the whole configuration.
type Config struct {
	Env         string // "development" or "production"
	HTTPAddr    string
	DatabaseURL string
	// MigrateDatabaseURL is the tables' owner, for migrations; "" migrates as DatabaseURL.
	MigrateDatabaseURL string
	Token              string // what `sohoa upload` authenticates with
	RedisAddr          string
	RedisDB            int
	RedisPassword      string
	// RedisSentinels, when set, are the Sentinels that name the queues' Redis master RedisMaster;
	// RedisAddr is then unused, and a failover is followed without a restart.
	RedisSentinels []string
	RedisMaster    string
	S3Endpoint     string
	S3AccessKey    string
	S3SecretKey    string
	S3Region       string
	BucketPrefix   string
	Deployment     string // names the Redis queues, so deployments sharing a Redis never mix
	NotifyARN      string
	EventsToken    string
	DataDir        string // development keys and other local state
	// MetricsToken is the bearer token Prometheus sends to /metrics; "" turns the metrics off.
	MetricsToken string
	// MetricsAddr is a listener serving only /metrics, in every process ("": none): the only way to
	// scrape a `sohoa worker`, and one that can stay off the counters' network.
	MetricsAddr string

	Agency     string // QCVN 102 identifier of the receiving agency, e.g. 000.00.53.H48
	AgencyName string // shown in signatures
	SignCert   string // PEM chain of the signing certificate (leaf first)
	SignKey    string // PEM private key
	TSAURL     string
	TrustRoots string // PEM file

	Concurrency int
	// The bulk lane's own workers (SOHOA_BULK_CONCURRENCY, default Concurrency) and the niceness of
	// its OCR and scan children (SOHOA_BULK_NICE, default 10): the counter lane keeps its slots and,
	// through the kernel, the CPU, while bulk work takes what is left.
	BulkConcurrency int
	BulkNice        int
	MaxUploadMB     int64
	SweepInterval   time.Duration
	ReconcileEvery  time.Duration
	ReconcileIdle   time.Duration
	RetryBudget     time.Duration
	OCRLanguages    string
	MinConfidence   float64

	// Retention maps kinds of paper to TT05 maintenance codes, and codes to the archive's locks.
	Retention   retention.Policy
	FixityEvery time.Duration // how often the archive is re-hashed
	// The object store's administrator, for `sohoa s3 setup` only, and the write-only inbox user it
	// makes for scanner stations.
	S3AdminKey, S3AdminSecret     string
	S3StationKey, S3StationSecret string
	HTTP                          HTTP // what the HTTP server answers to, and how it protects itself (http.go)
}

// Variable describes one environment variable, for the README and `sohoa help`.
type Variable struct{ Name, Default, Meaning string }

// Variables lists every variable read, with its default and meaning.
func Variables() []Variable {
	return []Variable{
		{"SOHOA_ENV", "development", "`production` requires SOHOA_SIGN_CERT/KEY, SOHOA_TSA_URL and SOHOA_PUBLIC_URL, and refuses the default S3 secret, an events token under 32 characters, the placeholder agency and a superuser database role"},
		{"SOHOA_HTTP_ADDR", "127.0.0.1:8080", "address of the HTTP API and web pages"},
		{"SOHOA_PUBLIC_URL", "", "the address people reach sohoa at (https://host[:port]); browsers' state-changing requests must come from it and its host is answered; required in production"},
		{"SOHOA_ALLOWED_HOSTS", "", "more host names the HTTP server answers to, comma-separated, besides SOHOA_PUBLIC_URL's, loopback and SOHOA_HTTP_ADDR's"},
		{"SOHOA_TLS_CERT", "", "PEM certificate chain for HTTPS; with SOHOA_TLS_KEY, sohoa serves HTTPS and its cookies are Secure"},
		{"SOHOA_TLS_KEY", "", "PEM private key of SOHOA_TLS_CERT"},
		{"SOHOA_MAX_CONCURRENT_UPLOADS", "8", "uploads received at once; more are answered 503 too_many_uploads with Retry-After"},
		{"SOHOA_UPLOAD_MIN_RATE_KB", "32", "a request body arriving slower than this many KB/s over SOHOA_UPLOAD_MIN_RATE_WINDOW is cut (408 upload_too_slow); 0: no floor"},
		{"SOHOA_UPLOAD_MIN_RATE_WINDOW", "30s", "the window over which SOHOA_UPLOAD_MIN_RATE_KB is measured"},
		{"SOHOA_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sohoa?sslmode=disable", "PostgreSQL, as the role the services use; in production one that owns no table"},
		{"SOHOA_MIGRATE_DATABASE_URL", "", "PostgreSQL as the role that owns the tables: migrations run as it at start, then it grants the services' role what they need (the access trail: SELECT and INSERT only); empty: migrate as SOHOA_DATABASE_URL (development)"},
		{"SOHOA_TOKEN", "", "API token that `sohoa upload` sends (`sohoa tokens add NAME` makes one)"},
		{"SOHOA_REDIS_ADDR", "127.0.0.1:6379", "Redis, for the task queues"},
		{"SOHOA_REDIS_DB", "0", "Redis database number"},
		{"SOHOA_REDIS_PASSWORD", "", "Redis password (AUTH); empty: none"},
		{"SOHOA_REDIS_SENTINELS", "", "host:port of Redis Sentinels, comma-separated; set: Redis is the master they name, followed through failovers"},
		{"SOHOA_REDIS_MASTER", "sohoa", "the master's name at the Sentinels (SOHOA_REDIS_SENTINELS)"},
		{"SOHOA_S3_ENDPOINT", "127.0.0.1:9000", "S3/MinIO endpoint, host:port or http(s)://host:port"},
		{"SOHOA_S3_ACCESS_KEY", "sohoa", "S3 access key"},
		{"SOHOA_S3_SECRET_KEY", "sohoa-dev-secret", "S3 secret key"},
		{"SOHOA_S3_ADMIN_ACCESS_KEY", "sohoa-admin", "the object store's administrator, used only by `sohoa s3 setup` (scripts/services) to make the buckets and users; never by the services"},
		{"SOHOA_S3_ADMIN_SECRET_KEY", "sohoa-admin-dev-secret", "its secret key"},
		{"SOHOA_S3_STATION_ACCESS_KEY", "sohoa-station", "write-only inbox user `sohoa s3 setup` makes for scanner stations; empty: none"},
		{"SOHOA_S3_STATION_SECRET_KEY", "sohoa-station-dev-secret", "its secret key"},
		{"SOHOA_S3_REGION", "us-east-1", "S3 region"},
		{"SOHOA_S3_BUCKET_PREFIX", "sohoa-", "bucket names are PREFIX+inbox, PREFIX+work, PREFIX+archive"},
		{"SOHOA_DEPLOYMENT", "the bucket prefix, without a trailing -", "name of this deployment; its Redis queues carry it, so deployments sharing one Redis never take each other's tasks"},
		{"SOHOA_S3_NOTIFY_ARN", "arn:minio:sqs::SOHOA:webhook", "notification target subscribed to the inbox; empty: sweep only"},
		{"SOHOA_INBOX_EVENTS_TOKEN", "sohoa-dev-events", "bearer token the target sends to /api/v1/inbox/events; empty: endpoint off"},
		{"SOHOA_METRICS_TOKEN", "", "bearer token Prometheus sends to /metrics (at least 32 characters in production); empty: /metrics off (404)"},
		{"SOHOA_METRICS_ADDR", "", "address of a listener serving only /metrics (same token), in every sohoa process, workers included; empty: none"},
		{"SOHOA_DATA_DIR", "var", "local state: development keys"},
		{"SOHOA_AGENCY_ID", "000.00.00.H99", "receiving agency identifier (QCVN 102), left part of codes; the default is a placeholder"},
		{"SOHOA_AGENCY_NAME", "Bộ phận Một cửa (phát triển)", "agency name written in signatures"},
		{"SOHOA_SIGN_CERT", "", "PEM certificate chain of the agency (leaf first); empty: development keys"},
		{"SOHOA_SIGN_KEY", "", "PEM private key of the agency certificate"},
		{"SOHOA_TSA_URL", "", "RFC 3161 timestamp authority (http or https URL); empty: sohoa's development TSA, in-process (development only)"},
		{"SOHOA_TRUST_ROOTS", "", "PEM file of the roots signatures are verified against; empty: the development root in development, the system's roots in production"},
		{"SOHOA_CONCURRENCY", "number of cores", "stage handlers run at once by a worker"},
		{"SOHOA_BULK_CONCURRENCY", "SOHOA_CONCURRENCY", "the bulk lane's own handlers (station batches, sohoa import), beside the counter's"},
		{"SOHOA_BULK_NICE", "10", "niceness of the bulk lane's OCR and scan children (0–19): the counter's get the CPU first"},
		{"SOHOA_MAX_UPLOAD_MB", "200", "largest accepted file"},
		{"SOHOA_SWEEP_INTERVAL", "30s", "how often the inbox bucket is swept for files notifications missed"},
		{"SOHOA_RECONCILE_INTERVAL", "30s", "how often pending documents are checked for lost tasks"},
		{"SOHOA_RECONCILE_IDLE", "2m", "how long a pending document must be unchanged to be checked"},
		{"SOHOA_RETRY_BUDGET", "30m", "how long a stage is retried, with backoff, while a dependency is away before its document fails"},
		{"SOHOA_OCR_LANGUAGES", "vie", "Tesseract languages, joined by +; eng beside vie strips diacritics from some capitalised lines"},
		{"SOHOA_OCR_MIN_CONFIDENCE", "70", "mean word confidence (0-100) below which a page is flagged for review"},
		{"SOHOA_MAINTENANCE", retention.DefaultKinds, "TT05 maintenance code (thời hạn bảo quản) of each kind of paper, kind=code;…;*=code for the rest; 01 is permanent (legal hold)"},
		{"SOHOA_RETENTION_YEARS", retention.DefaultYears, "years of COMPLIANCE retention of each maintenance code but 01"},
		{"SOHOA_FIXITY_INTERVAL", "24h", "how often every signed file in the archive is read by its version and re-hashed"},
	}
}

// FromEnv reads the configuration; lookup is os.LookupEnv in production and a map in tests.
func FromEnv(lookup func(string) (string, bool)) (Config, error) {
	get := func(name string) string {
		if v, ok := lookup(name); ok {
			return v // set, even to "": some settings are turned off that way
		}
		return defaultOf(name)
	}
	var errs []error
	num := func(name string) int64 {
		v := get(name)
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s=%q is not a whole number", name, v))
		}
		return n
	}
	dur := func(name string) time.Duration {
		v := get(name)
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("%s=%q is not a positive duration such as 30s", name, v))
		}
		return d
	}
	c := Config{
		Env: get("SOHOA_ENV"), HTTPAddr: get("SOHOA_HTTP_ADDR"), DatabaseURL: get("SOHOA_DATABASE_URL"),
		MigrateDatabaseURL: get("SOHOA_MIGRATE_DATABASE_URL"), Token: get("SOHOA_TOKEN"),
		RedisAddr: get("SOHOA_REDIS_ADDR"), RedisDB: int(num("SOHOA_REDIS_DB")), RedisPassword: get("SOHOA_REDIS_PASSWORD"),
		S3Endpoint: get("SOHOA_S3_ENDPOINT"), S3AccessKey: get("SOHOA_S3_ACCESS_KEY"), S3SecretKey: get("SOHOA_S3_SECRET_KEY"),
		S3Region: get("SOHOA_S3_REGION"), BucketPrefix: get("SOHOA_S3_BUCKET_PREFIX"),
		NotifyARN: get("SOHOA_S3_NOTIFY_ARN"), EventsToken: get("SOHOA_INBOX_EVENTS_TOKEN"), DataDir: get("SOHOA_DATA_DIR"),
		MetricsToken: get("SOHOA_METRICS_TOKEN"), MetricsAddr: get("SOHOA_METRICS_ADDR"),
		Agency: get("SOHOA_AGENCY_ID"), AgencyName: get("SOHOA_AGENCY_NAME"),
		SignCert: get("SOHOA_SIGN_CERT"), SignKey: get("SOHOA_SIGN_KEY"), TSAURL: get("SOHOA_TSA_URL"), TrustRoots: get("SOHOA_TRUST_ROOTS"),
		MaxUploadMB: num("SOHOA_MAX_UPLOAD_MB"), SweepInterval: dur("SOHOA_SWEEP_INTERVAL"),
		ReconcileEvery: dur("SOHOA_RECONCILE_INTERVAL"), ReconcileIdle: dur("SOHOA_RECONCILE_IDLE"),
		RetryBudget:  dur("SOHOA_RETRY_BUDGET"),
		OCRLanguages: get("SOHOA_OCR_LANGUAGES"), MinConfidence: float64(num("SOHOA_OCR_MIN_CONFIDENCE")),
		FixityEvery: dur("SOHOA_FIXITY_INTERVAL"),
		S3AdminKey:  get("SOHOA_S3_ADMIN_ACCESS_KEY"), S3AdminSecret: get("SOHOA_S3_ADMIN_SECRET_KEY"),
		S3StationKey: get("SOHOA_S3_STATION_ACCESS_KEY"), S3StationSecret: get("SOHOA_S3_STATION_SECRET_KEY"),
	}
	var err error
	if c.Retention, err = retention.Parse(get("SOHOA_MAINTENANCE"), get("SOHOA_RETENTION_YEARS")); err != nil {
		errs = append(errs, fmt.Errorf("SOHOA_MAINTENANCE / SOHOA_RETENTION_YEARS: %w", err))
	}
	http, httpErrs := readHTTP(get, num, dur) // before errs is read: num and dur append to it
	c.HTTP, errs = http, append(errs, httpErrs...)
	c.Deployment = strings.TrimRight(c.BucketPrefix, "-")
	if v, ok := lookup("SOHOA_DEPLOYMENT"); ok && v != "" {
		c.Deployment = v
	}
	if c.Deployment == "" || strings.ContainsAny(c.Deployment, ": \t{}") {
		errs = append(errs, fmt.Errorf("SOHOA_DEPLOYMENT=%q: want a non-empty name without spaces, ':' or braces", c.Deployment))
	}
	c.Concurrency = runtime.NumCPU()
	if v, ok := lookup("SOHOA_CONCURRENCY"); ok && v != "" {
		c.Concurrency = int(num("SOHOA_CONCURRENCY"))
	}
	for _, s := range strings.Split(get("SOHOA_REDIS_SENTINELS"), ",") {
		if s = strings.TrimSpace(s); s != "" {
			c.RedisSentinels = append(c.RedisSentinels, s)
		}
	}
	c.RedisMaster = get("SOHOA_REDIS_MASTER")
	if len(c.RedisSentinels) > 0 && c.RedisMaster == "" {
		errs = append(errs, fmt.Errorf("SOHOA_REDIS_SENTINELS is set: SOHOA_REDIS_MASTER must name the master"))
	}
	c.BulkConcurrency, c.BulkNice = c.Concurrency, 10
	if v, ok := lookup("SOHOA_BULK_CONCURRENCY"); ok && v != "" {
		c.BulkConcurrency = int(num("SOHOA_BULK_CONCURRENCY"))
	}
	if v, ok := lookup("SOHOA_BULK_NICE"); ok && v != "" {
		c.BulkNice = int(num("SOHOA_BULK_NICE"))
	}
	if c.BulkConcurrency < 1 || c.BulkNice < 0 || c.BulkNice > 19 {
		errs = append(errs, fmt.Errorf("SOHOA_BULK_CONCURRENCY=%d, SOHOA_BULK_NICE=%d: want at least 1 worker and a niceness of 0 to 19", c.BulkConcurrency, c.BulkNice))
	}
	if c.Env != "development" && c.Env != "production" {
		errs = append(errs, fmt.Errorf("SOHOA_ENV=%q: want development or production", c.Env))
	}
	if c.Env == "production" && (c.SignCert == "" || c.SignKey == "") {
		errs = append(errs, fmt.Errorf("SOHOA_ENV=production needs SOHOA_SIGN_CERT and SOHOA_SIGN_KEY: development keys are never used silently"))
	}
	if c.Env == "production" && c.TSAURL == "" {
		errs = append(errs, fmt.Errorf("SOHOA_ENV=production needs SOHOA_TSA_URL: signatures carry a timestamp from a real RFC 3161 authority (PAdES B-T); the development TSA is for development only"))
	}
	if err := checkURL(c.TSAURL); err != nil {
		errs = append(errs, fmt.Errorf("SOHOA_TSA_URL=%q: %w", c.TSAURL, err))
	}
	if c.Env == "production" {
		errs = append(errs, productionRefusals(c)...)
	}
	if c.Env == "production" && c.S3AccessKey == c.S3AdminKey {
		errs = append(errs, fmt.Errorf("SOHOA_ENV=production: SOHOA_S3_ACCESS_KEY is the object store's administrator; the services run as their own user (sohoa s3 setup makes it), which cannot delete archive versions"))
	}
	if c.Env == "production" && (c.MigrateDatabaseURL == "" || c.MigrateDatabaseURL == c.DatabaseURL) {
		errs = append(errs, fmt.Errorf("SOHOA_ENV=production needs SOHOA_MIGRATE_DATABASE_URL, the tables' owner, apart from SOHOA_DATABASE_URL: the services' role must own no table, so that it cannot rewrite the access trail"))
	}
	if c.MetricsAddr != "" && c.MetricsToken == "" {
		errs = append(errs, fmt.Errorf("SOHOA_METRICS_ADDR=%q needs SOHOA_METRICS_TOKEN: /metrics is only ever served to the token's holder", c.MetricsAddr))
	}
	if c.Concurrency < 1 || c.MaxUploadMB < 1 {
		errs = append(errs, fmt.Errorf("SOHOA_CONCURRENCY and SOHOA_MAX_UPLOAD_MB must be at least 1"))
	}
	if len(errs) > 0 {
		return Config{}, fmt.Errorf("configuration: %v", errs)
	}
	return c, nil
}

// defaultOf is the default of the variable name in Variables.
func defaultOf(name string) string {
	for _, v := range Variables() {
		if v.Name == name {
			return v.Default
		}
	}
	return ""
}

// checkURL accepts "" and absolute http(s) URLs.
func checkURL(s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("want an http:// or https:// URL")
	}
	return nil
}

// DevKeyDir is where `sohoa keys dev` writes and development mode reads its keys.
func (c Config) DevKeyDir() string { return filepath.Join(c.DataDir, "keys") }

// FromOS reads the process environment.
func FromOS() (Config, error) { return FromEnv(os.LookupEnv) }
