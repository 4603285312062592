package main

import (
	"bytes"
	"errors"
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
