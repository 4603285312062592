package storage

import (
	"context"
	"time"

	"github.com/sohoa-vn/sohoa/internal/account"
)

// StationRole is the role of a scanner station's account: the accounts Stations lists.
const StationRole = string(account.Station)

// StationReport is what a scanner station last said of itself: where it runs, what it watches, and
// how many files wait, are being sent, were sent today and were refused.
type StationReport struct {
	At                                  time.Time
	Client                              string // the address it reported from
	Version, Host                       string
	Dirs                                []string
	Waiting, Sending, SentToday, Failed int
	LastError                           string
}

// Station is a station's account with its last report (nil before the first) and the last use of
// any of its tokens (nil when none was ever used).
type Station struct {
	Account  Account
	LastUsed *time.Time
	Report   *StationReport
}

// Stations keeps what scanner stations report. Errors as for Accounts.
type Stations interface {
	// ReportStation replaces what the account (by ID) last reported.
	ReportStation(ctx context.Context, account int64, r StationReport) error
	// Stations returns the accounts of role StationRole in agencies (nil: every agency), by name.
	Stations(ctx context.Context, agencies []string) ([]Station, error)
}
