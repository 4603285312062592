package main

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/sohoa-vn/sohoa/internal/api"
)

// A station with an S3 user of its own (sohoa s3 station NAME) can only put into the inbox under
// stations/NAME/; what it puts there is recorded as that station's upload, which its token then
// reaches.
func TestS3StationPutsUnderItsOwnPrefix(t *testing.T) {
	sys := startSystem(t)
	const name = "may-quet-s3"
	token := sys.newToken(t, name, "station", "000.00.53.H26")
	cfg := configOf(t, sys.env)
	cfg.S3AdminKey, cfg.S3AdminSecret = sys.minio.AccessKey, sys.minio.SecretKey
	var out bytes.Buffer
	if err := s3StationCommand(t.Context(), cfg, slog.New(slog.NewTextHandler(os.Stderr, nil)), name, &out); err != nil {
		t.Fatalf("sohoa s3 station: %v", err)
	}
	keys := map[string]string{}
	for line := range strings.Lines(out.String()) {
		k, v, _ := strings.Cut(strings.TrimSpace(line), "\t")
		keys[k] = v
	}
	if keys["prefix"] != "stations/"+name+"/" || keys["access key"] == "" || keys["secret key"] == "" {
		t.Fatalf("sohoa s3 station printed %q", out.String())
	}
	s3, err := minio.New(cfg.S3Endpoint, &minio.Options{Creds: credentials.NewStaticV4(keys["access key"], keys["secret key"], "")})
	if err != nil {
		t.Fatal(err)
	}
	put := func(key string, data []byte) error {
		_, err := s3.PutObject(context.Background(), sys.inbox, key, bytes.NewReader(data), int64(len(data)), minio.PutObjectOptions{})
		return err
	}
	for _, key := range []string{"stations/may-quet-khac/giay.png", "giay.png"} {
		if err := put(key, sample(t, "khai-sinh.png")); minio.ToErrorResponse(err).Code != "AccessDenied" {
			t.Errorf("put %s with the station's keys: %v, want AccessDenied", key, err)
		}
	}
	if _, err := s3.StatObject(context.Background(), sys.inbox, "stations/"+name+"/x", minio.StatObjectOptions{}); minio.ToErrorResponse(err).StatusCode != http.StatusForbidden {
		t.Errorf("the station's keys can read the inbox: %v", err)
	}
	if err := put("stations/"+name+"/2026-12-01/khai-sinh.png", sample(t, "khai-sinh.png")); err != nil {
		t.Fatalf("put under the station's own prefix: %v", err)
	}

	// The document is the station's: its token lists it (a station reaches only its own uploads).
	mine := sys.as(token)
	deadline := time.Now().Add(time.Minute)
	for {
		code, body := mine.get(t, "/api/v1/documents")
		list := decode[api.DocumentList](t, body)
		if code == http.StatusOK && len(list.Documents) == 1 {
			if d := list.Documents[0]; d.Filename != "khai-sinh.png" || !strings.Contains(d.Source, "stations/"+name+"/") {
				t.Errorf("the station's document: %+v", d)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the station's token lists %d documents after a minute (%d)", len(list.Documents), code)
		}
		time.Sleep(250 * time.Millisecond)
	}
}
