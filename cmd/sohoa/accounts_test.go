package main

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sohoa-vn/sohoa/internal/account"
	"github.com/sohoa-vn/sohoa/storage"
	"github.com/sohoa-vn/sohoa/storage/memory"
)

// The account commands on the in-memory store: what an administrator types, what it prints, what
// it records.
func TestAccountCommands(t *testing.T) {
	ctx := t.Context()
	s := memory.New()
	const agency = "000.00.53.H26"
	run := func(stdin string, args ...string) (string, error) {
		var out bytes.Buffer
		err := accountCommand(ctx, s, agency, args, strings.NewReader(stdin), &out)
		return out.String(), err
	}
	must := func(out string, err error) string {
		t.Helper()
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		return out
	}
	if _, err := run("", "users", "add", "lan", "--role", "clerk"); err == nil || !strings.Contains(err.Error(), "agencies add") {
		t.Errorf("a user of an agency not added yet: %v; want a hint to add it", err)
	}
	must(run("", "agencies", "add", agency, "UBND quận Lê Chân"))
	must(run("mật khẩu của Lan\n", "users", "add", "lan", "--role", "clerk", "--password-stdin"))
	if a, _ := s.Account(ctx, "lan"); a.Role != "clerk" || a.Agency != agency || !account.CheckPassword(a.PasswordHash, "mật khẩu của Lan") {
		t.Errorf("lan = %+v; want a clerk of %s with the password given", a, agency)
	}
	out := must(run("", "users", "add", "--role", "admin", "an")) // flags before the name too
	generated := strings.TrimSpace(strings.TrimPrefix(strings.SplitN(out, "\n", 2)[0], "mật khẩu (password):"))
	if a, _ := s.Account(ctx, "an"); !account.CheckPassword(a.PasswordHash, generated) || len(generated) != 20 {
		t.Errorf("the generated password %q does not sign an in", generated)
	}
	for _, c := range [][]string{{"users", "add", "x", "--role", "root"}, {"users", "add", "lan", "--role", "clerk"},
		{"users", "passwd", "lan", "--password-stdin"}, {"users"}, {"tokens", "revoke", "nope"}, {"audit", "rewrite"}} {
		if _, err := run("ngắn\n", c...); err == nil {
			t.Errorf("sohoa %s succeeded", strings.Join(c, " "))
		}
	}

	out = must(run("", "tokens", "add", "lan"))
	lines := strings.Split(strings.TrimSpace(out), "\n")
	tok := lines[len(lines)-1]
	if a, err := s.TokenAccount(ctx, account.Hash(tok), time.Now()); err != nil || a.Name != "lan" {
		t.Fatalf("the last line %q is not lan's token: %v", tok, err)
	}
	list, _ := s.ListTokens(ctx)
	if out := must(run("", "tokens", "list")); !strings.Contains(out, list[0].ID) || !strings.Contains(out, "lan") {
		t.Errorf("tokens list:\n%s", out)
	}
	must(run("", "tokens", "revoke", list[0].ID))
	if _, err := s.TokenAccount(ctx, account.Hash(tok), time.Now()); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("a revoked token still signs in: %v", err)
	}
	must(run("mật khẩu mới của Lan\n", "users", "passwd", "lan", "--password-stdin"))
	must(run("", "users", "disable", "lan"))
	if out := must(run("", "users", "list")); !lineWith(out, "lan", "clerk", "disabled") || !lineWith(out, "an", "admin", "active") {
		t.Errorf("users list:\n%s", out)
	}

	must(run("", "audit", "verify"))
	s.Log(ctx, storage.Event{Actor: "lan", Action: "document.text"})
	s.Log(ctx, storage.Event{Actor: "lan", Action: "search"})
	s.Tamper(1, "document.file")
	var broken *storage.BrokenChain
	if _, err := run("", "audit", "verify"); !errors.As(err, &broken) || broken.Event != 1 {
		t.Errorf("audit verify after event 1 was changed: %v", err)
	}
}

// lineWith reports whether some line of out holds every word.
func lineWith(out string, words ...string) bool {
	for _, l := range strings.Split(out, "\n") {
		all := true
		for _, w := range words {
			all = all && strings.Contains(l, w)
		}
		if all {
			return true
		}
	}
	return false
}

// The sample province and its procedures import through the commands; a bad file changes nothing.
func TestCatalogueImportCommands(t *testing.T) {
	ctx := t.Context()
	s := memory.New()
	var out bytes.Buffer
	for _, args := range [][]string{{"agencies", "import", "../../deploy/province/agencies.csv"}, {"procedures", "import", "../../deploy/province/procedures.csv"}} {
		if err := accountCommand(ctx, s, "000.00.53.H26", args, strings.NewReader(""), &out); err != nil {
			t.Fatalf("sohoa %s: %v", strings.Join(args, " "), err)
		}
	}
	if sub, err := s.Subtree(ctx, "000.00.00.H26"); err != nil || len(sub) != 12 {
		t.Errorf("the province's tree: %v, %v; want its 12 agencies", sub, err)
	}
	if p, _ := s.Procedures(ctx, "1.001193", 1); len(p) != 1 || p[0].Field != "Hộ tịch" {
		t.Errorf("procedures: %+v", p)
	}
	bad := t.TempDir() + "/bad.csv"
	if err := os.WriteFile(bad, []byte("id,name,parent,level\n000.20.00.H26,Sở mới,000.00.00.H26,so\nx,y,,tinh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := accountCommand(ctx, s, "000.00.53.H26", []string{"agencies", "import", bad}, strings.NewReader(""), &out)
	if err == nil || !strings.Contains(err.Error(), "dòng 3") {
		t.Errorf("a bad file: %v", err)
	}
	if got, _ := s.Agencies(ctx, []string{"000.20.00.H26"}); len(got) != 0 {
		t.Error("a refused file's good rows were imported")
	}
}
