package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sohoa-vn/sohoa/internal/api"
	"github.com/sohoa-vn/sohoa/internal/testenv"
	"github.com/sohoa-vn/sohoa/storage"
)

// On the real services: what a clerk reads is in the access trail under the clerk's account, and
// nothing else is; the chain verifies, and an event edited behind sohoa's back (as the tables' owner)
// is named by `sohoa audit verify`; the services' own database role cannot rewrite the trail at all;
// an account of another agency finds nothing; `sohoa upload` needs a token.
func TestAccessTrail(t *testing.T) {
	const citizen = "031085012345"
	sys := startSystem(t)
	ctx := t.Context()
	data, err := os.ReadFile(filepath.Join(testenv.Samples(t), "scans", "khai-sinh.png"))
	if err != nil {
		t.Fatal(err)
	}
	d := sys.createDossier(t, citizen)
	_, body := sys.uploadTo(t, "/api/v1/dossiers/"+d.ID+"/documents", "khai-sinh.png", data)
	doc := decode[api.Attachment](t, body).Document.ID
	if got := sys.wait(t, doc, 3*time.Minute); got.Status != "done" {
		t.Fatalf("%s: %s", got.Status, got.Error)
	}

	if code, _ := sys.as("").get(t, "/api/v1/documents"); code != http.StatusUnauthorized {
		t.Errorf("documents without a credential: %d; want 401", code)
	}
	clerk := sys.as(sys.newToken(t, "lan", "clerk", sys.app.cfg.Agency))
	for _, path := range []string{"/api/v1/documents/" + doc + "/file", "/api/v1/documents/" + doc + "/text",
		"/api/v1/owners/" + citizen + "/documents?purpose=e2e", "/api/v1/search?q=khai+sinh"} {
		if code, body := clerk.get(t, path); code != http.StatusOK {
			t.Fatalf("the clerk's GET %s: %d %s", path, code, body)
		}
	}
	auditor := sys.as(sys.newToken(t, "kiem-tra", "auditor", sys.app.cfg.Agency))
	code, body := auditor.get(t, "/api/v1/audit?account=lan")
	trail := decode[struct {
		Total  int
		Events []api.AuditEvent
	}](t, body)
	var actions []string
	for _, e := range slices.Backward(trail.Events) {
		actions = append(actions, e.Action)
	}
	if want := []string{"document.file", "document.text", "owner.viewed", "search"}; code != http.StatusOK || trail.Total != 4 || !slices.Equal(actions, want) {
		t.Errorf("the clerk's trail: %d, %d events %v; want exactly %v", code, trail.Total, actions, want)
	}
	t.Logf("the clerk's trail: %v", actions)
	if out := sys.command(t, "audit", "verify"); out == "" {
		t.Error("sohoa audit verify printed nothing")
	}

	// The owner role can switch the append-only trigger off; the chain still finds the edit.
	edited := trail.Events[1].ID
	owner := pgConnect(t, sys.owner)
	for _, q := range []string{`ALTER TABLE events DISABLE TRIGGER events_append_only`,
		`UPDATE events SET actor = 'ai-do' WHERE id = ` + strconv.FormatInt(edited, 10), `ALTER TABLE events ENABLE TRIGGER events_append_only`} {
		if _, err := owner.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var broken *storage.BrokenChain
	err = accountCommand(ctx, sys.app.records, sys.app.cfg.Agency, []string{"audit", "verify"}, nil, io.Discard)
	if !errors.As(err, &broken) || broken.Event != edited {
		t.Errorf("sohoa audit verify after event %d was edited: %v; want it named", edited, err)
	}
	t.Logf("after the edit: %v", err)

	// The services' role may only read and append.
	service := pgConnect(t, sys.db)
	for _, q := range []string{`UPDATE events SET actor = 'x'`, `DELETE FROM events`, `TRUNCATE events`,
		`ALTER TABLE events DISABLE TRIGGER events_append_only`, `SET session_replication_role = replica`, `DROP TABLE events`} {
		_, err := service.Exec(ctx, q)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "42501" && pgErr.Code != "42P01" {
			t.Errorf("as the services' role, %s: %v; want permission denied", q, err)
		} else {
			t.Logf("as the services' role, %s: %s", q, pgErr.Message)
		}
	}

	sys.command(t, "agencies", "add", "000.00.54.H26", "UBND quận Ngô Quyền")
	other := sys.as(sys.newToken(t, "khac", "archivist", "000.00.54.H26"))
	if code, _ := other.get(t, "/api/v1/documents/"+doc+"/text"); code != http.StatusNotFound {
		t.Errorf("another agency's archivist reads the text: %d; want 404", code)
	}
	if _, body := other.get(t, "/api/v1/search?q=khai+sinh"); decode[api.SearchResult](t, body).Total != 0 {
		t.Errorf("another agency's archivist finds %s", body)
	}

	file := filepath.Join(testenv.Samples(t), "scans", "khai-sinh.png")
	if err := upload(ctx, sys.base, "", []string{"-wait", "0", file}); err == nil {
		t.Error("sohoa upload without a token succeeded")
	}
	if err := upload(ctx, sys.base, clerk.token, []string{"-wait", "1m", file}); err != nil {
		t.Errorf("sohoa upload with a clerk's token: %v", err)
	}
}

func pgConnect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}
