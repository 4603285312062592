// Package account holds who may use sohoa and how they prove it: the roles, passwords hashed with
// argon2id, tokens and session cookies kept only as hashes, and the sign-in rules (lock-out after
// repeated failures, idle and absolute session expiry). What each role may reach is declared by the
// routes of internal/api; the agencies an account reaches are storage's Subtree.
package account

import (
	"fmt"
	"slices"
	"time"
)

// Role is what an account is for.
type Role string

const (
	Station   Role = "station"   // an unattended scanner: uploads for its agency, reads what it uploaded
	Clerk     Role = "clerk"     // counter staff (cán bộ một cửa): dossiers, uploads, reuse, receipts
	Archivist Role = "archivist" // searches and reads its agency's archive, confirms fields
	Auditor   Role = "auditor"   // reads the access trail, no papers
	Admin     Role = "admin"     // everything within its agency, accounts and tokens included
)

// Roles are every role, in the order they are listed to people.
var Roles = []Role{Station, Clerk, Archivist, Auditor, Admin}

// ParseRole returns the role called s.
func ParseRole(s string) (Role, error) {
	if r := Role(s); slices.Contains(Roles, r) {
		return r, nil
	}
	return "", fmt.Errorf("no role %q; the roles are station, clerk, archivist, auditor and admin", s)
}

// Label is the role's Vietnamese name.
func (r Role) Label() string {
	switch r {
	case Station:
		return "Máy quét"
	case Clerk:
		return "Cán bộ một cửa"
	case Archivist:
		return "Lưu trữ viên"
	case Auditor:
		return "Kiểm tra viên"
	case Admin:
		return "Quản trị viên"
	}
	return string(r)
}

// The sign-in rules.
const (
	// MaxFailures failed sign-ins in a row lock an account for LockFor: long enough to make guessing
	// hopeless (5 tries per quarter hour), short enough that a clerk who mistyped is back soon.
	MaxFailures = 5
	LockFor     = 15 * time.Minute
	// A session ends after SessionIdle without a request, and after SessionMax in any case: a
	// counter shift, so a browser left open overnight is signed out.
	SessionIdle = 30 * time.Minute
	SessionMax  = 12 * time.Hour
	// MinPassword is the shortest password a person may choose.
	MinPassword = 10
)

// SessionLive reports whether a session started at created and last seen at seen is still live at
// now.
func SessionLive(created, seen, now time.Time) bool {
	return now.Sub(seen) < SessionIdle && now.Sub(created) < SessionMax
}
