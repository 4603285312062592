package main

import (
	"crypto/x509"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/sohoa-vn/sohoa/internal/config"
	"github.com/sohoa-vn/sohoa/internal/sign"
	"github.com/sohoa-vn/sohoa/internal/sign/tsa"
)

// loadKeys loads the agency's signing key (in development the development keys, made on first use),
// the trust roots and the timestamp authority, and checks the agency's certificate: sohoa does not
// start with one that cannot sign, and warns at every start about one that soon cannot. A
// development key is never used without a warning, and production refuses it.
func loadKeys(cfg config.Config, log *slog.Logger) (*sign.Signer, *x509.CertPool, error) {
	certFile, keyFile, rootsFile := cfg.SignCert, cfg.SignKey, cfg.TrustRoots
	if certFile == "" {
		files, err := sign.DevKeys(cfg.DevKeyDir(), cfg.AgencyName, false)
		if err != nil {
			return nil, nil, err
		}
		certFile, keyFile = files.AgencyCert, files.AgencyKey
		if rootsFile == "" {
			rootsFile = files.RootCert
		}
	}
	s, err := sign.LoadPEM(certFile, keyFile)
	if err != nil {
		return nil, nil, err
	}
	if sign.IsDevelopment(s.Chain) {
		if cfg.Env == "production" {
			return nil, nil, fmt.Errorf("%s is a development certificate; production signs only with a real one", certFile)
		}
		log.Warn("SIGNING WITH A DEVELOPMENT CERTIFICATE: signatures have no legal value", "cert", certFile)
	}
	s.Name, s.Reason, s.Location = cfg.AgencyName, "Bản sao điện tử từ bản chính", cfg.Agency
	roots, err := readRoots(rootsFile)
	if err != nil {
		return nil, nil, err
	}
	if s.TSA, roots, err = timestamper(cfg, roots, log); err != nil {
		return nil, nil, err
	}
	warnings, err := sign.CheckCertificate(s.Chain, s.Key.Public(), roots, time.Now())
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", certFile, err)
	}
	for _, w := range warnings {
		log.Warn("agency certificate", "cert", certFile, "warning", w)
	}
	return s, roots, nil
}

// timestamper is the TSA of SOHOA_TSA_URL or, without one (development only: configuration refuses
// production without it), the development TSA in-process. In-process rather than on a loopback
// port: nothing to listen on, shut down or secure, and every worker process has its own; the
// query and reply still go through RFC 3161's DER and the client's checks (tsa.Server.Timestamp).
// The development root joins the trust roots so that its timestamps verify.
func timestamper(cfg config.Config, roots *x509.CertPool, log *slog.Logger) (sign.Timestamper, *x509.CertPool, error) {
	if cfg.TSAURL != "" {
		return &tsa.Client{URL: cfg.TSAURL}, roots, nil
	}
	files, err := sign.DevKeys(cfg.DevKeyDir(), cfg.AgencyName, false)
	if err != nil {
		return nil, nil, err
	}
	key, err := sign.LoadPEM(files.TSACert, files.TSAKey)
	if err != nil {
		return nil, nil, err
	}
	srv, err := tsa.New(key.Chain, key.Key)
	if err != nil {
		return nil, nil, err
	}
	if roots == nil {
		if roots, err = x509.SystemCertPool(); err != nil {
			return nil, nil, fmt.Errorf("system trust roots: %w", err)
		}
	}
	roots.AddCert(key.Chain[len(key.Chain)-1])
	log.Warn("TIMESTAMPING WITH THE DEVELOPMENT TSA: set SOHOA_TSA_URL for real timestamps", "tsa_cert", files.TSACert)
	return srv, roots, nil
}

// readRoots reads a PEM file of trust roots; no file means the system's roots (nil).
func readRoots(file string) (*x509.CertPool, error) {
	if file == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("trust roots: %w", err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("trust roots %s: no certificate in it", file)
	}
	return roots, nil
}
