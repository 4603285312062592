package account

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// argon2id parameters: OWASP's recommended minimum (19 MiB, 2 passes, 1 lane), about 30 ms a
// sign-in on one core.
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
)

// HashPassword returns password's argon2id hash as a PHC string, with a fresh salt.
func HashPassword(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches hash (a PHC string from HashPassword, with the
// parameters it records). An empty or malformed hash matches nothing.
func CheckPassword(hash, password string) bool {
	var m, t uint32
	var p uint8
	var v int
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m > 1<<20 || t > 16 || p == 0 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// CheckPasswordRule returns why a password a person chose is refused, or nil.
func CheckPasswordRule(password string) error {
	if len([]rune(password)) < MinPassword {
		return fmt.Errorf("mật khẩu cần ít nhất %d ký tự", MinPassword)
	}
	return nil
}

// NewPassword returns a generated password: 20 characters of an alphabet without look-alikes, about
// 100 bits.
func NewPassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 20)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// tokenPrefix starts every token, so that one pasted where it should not be is recognised.
const tokenPrefix = "sohoa_"

// NewToken returns a new token, its public ID (shown in lists and used to revoke it) and the hash
// that is stored. The token is sohoa_<id>_<secret>: the ID is in it, so a person reading a log of
// token IDs can tell which token a script uses.
func NewToken() (token, id string, hash []byte) {
	idb, secret := make([]byte, 6), make([]byte, 32)
	rand.Read(idb)
	rand.Read(secret)
	id = hex.EncodeToString(idb)
	token = tokenPrefix + id + "_" + base64.RawURLEncoding.EncodeToString(secret)
	return token, id, Hash(token)
}

// LooksLikeToken reports whether s has a token's form.
func LooksLikeToken(s string) bool { return strings.HasPrefix(s, tokenPrefix) && len(s) > 60 }

// NewSessionKey returns a new session cookie value and the hash that is stored.
func NewSessionKey() (key string, hash []byte) {
	b := make([]byte, 32)
	rand.Read(b)
	key = base64.RawURLEncoding.EncodeToString(b)
	return key, Hash(key)
}

// Hash is the stored form of a token or a session key: SHA-256, enough for 256-bit random secrets
// (a slow hash protects guessable passwords, not these).
func Hash(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// ErrBadCredentials is returned for a wrong name or password, the same for both, so that sign-in
// does not tell which names exist.
var ErrBadCredentials = errors.New("wrong account name or password")
