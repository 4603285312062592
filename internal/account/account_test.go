package account

import (
	"strings"
	"testing"
	"time"
)

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("mật khẩu đúng 123")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q is not an argon2id PHC string with the set parameters", h)
	}
	h2, _ := HashPassword("mật khẩu đúng 123")
	if h == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
	for _, c := range []struct {
		hash, password string
		want           bool
	}{
		{h, "mật khẩu đúng 123", true},
		{h2, "mật khẩu đúng 123", true},
		{h, "mat khau dung 123", false},
		{h, "", false},
		{"", "", false},
		{"$argon2id$v=19$m=19456,t=2,p=1$$", "", false},
		{strings.Replace(h, "argon2id", "argon2i", 1), "mật khẩu đúng 123", false},
		{strings.Replace(h, "m=19456", "m=99999999", 1), "mật khẩu đúng 123", false}, // refuses a hash that would eat memory
	} {
		if got := CheckPassword(c.hash, c.password); got != c.want {
			t.Errorf("CheckPassword(%q, %q) = %v; want %v", c.hash, c.password, got, c.want)
		}
	}
}

func TestSecrets(t *testing.T) {
	tok, id, hash := NewToken()
	if !strings.HasPrefix(tok, "sohoa_"+id+"_") || !LooksLikeToken(tok) || string(Hash(tok)) != string(hash) {
		t.Errorf("token %q, id %q: malformed or hash differs", tok, id)
	}
	if tok2, id2, _ := NewToken(); tok2 == tok || id2 == id {
		t.Error("two tokens are the same")
	}
	if LooksLikeToken("sohoa_abc") || LooksLikeToken(strings.Repeat("x", 80)) {
		t.Error("LooksLikeToken accepts what is not a token")
	}
	k1, h1 := NewSessionKey()
	k2, _ := NewSessionKey()
	if k1 == k2 || len(k1) < 40 || string(Hash(k1)) != string(h1) {
		t.Errorf("session keys %q %q", k1, k2)
	}
	if p := NewPassword(); len(p) != 20 || CheckPasswordRule(p) != nil || strings.ContainsAny(p, "lIO01") {
		t.Errorf("generated password %q", p)
	}
	if CheckPasswordRule("ngắn") == nil {
		t.Error("a 4-character password is accepted")
	}
}

func TestRoles(t *testing.T) {
	for _, r := range Roles {
		if got, err := ParseRole(string(r)); err != nil || got != r || r.Label() == string(r) {
			t.Errorf("role %s: parsed %q, %v, label %q", r, got, err, r.Label())
		}
	}
	if _, err := ParseRole("root"); err == nil {
		t.Error("ParseRole(root) succeeded")
	}
}

func TestSessionLive(t *testing.T) {
	start := time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		seen, now time.Duration // after start
		want      bool
	}{
		{0, time.Minute, true},
		{0, SessionIdle, false},
		{SessionMax - time.Minute, SessionMax - time.Second, true},
		{SessionMax - time.Minute, SessionMax, false},
	} {
		if got := SessionLive(start, start.Add(c.seen), start.Add(c.now)); got != c.want {
			t.Errorf("seen +%v, now +%v: live %v; want %v", c.seen, c.now, got, c.want)
		}
	}
}
