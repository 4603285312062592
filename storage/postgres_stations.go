package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

func (p *Postgres) ReportStation(ctx context.Context, account int64, r StationReport) error {
	if r.Dirs == nil {
		r.Dirs = []string{}
	}
	tag, err := p.pool.Exec(ctx, `INSERT INTO station_reports
		(account_id, reported_at, client, version, host, dirs, waiting, sending, sent_today, failed, last_error)
		SELECT id, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 FROM accounts WHERE id = $1
		ON CONFLICT (account_id) DO UPDATE SET reported_at = $2, client = $3, version = $4, host = $5, dirs = $6,
			waiting = $7, sending = $8, sent_today = $9, failed = $10, last_error = $11`,
		account, r.At, r.Client, r.Version, r.Host, r.Dirs, r.Waiting, r.Sending, r.SentToday, r.Failed, r.LastError)
	if err == nil && tag.RowsAffected() == 0 {
		err = ErrNotFound
	}
	return dbErr(fmt.Sprintf("report of station %d", account), err)
}

func (p *Postgres) Stations(ctx context.Context, agencies []string) ([]Station, error) {
	rows, err := p.pool.Query(ctx, `SELECT `+qualified("a", accountColumns)+`,
			(SELECT max(used_at) FROM tokens t WHERE t.account_id = a.id),
			r.reported_at, coalesce(r.client, ''), coalesce(r.version, ''), coalesce(r.host, ''), coalesce(r.dirs, '{}'),
			coalesce(r.waiting, 0), coalesce(r.sending, 0), coalesce(r.sent_today, 0), coalesce(r.failed, 0),
			coalesce(r.last_error, '')
		FROM accounts a LEFT JOIN station_reports r ON r.account_id = a.id
		WHERE a.role = $1 AND ($2::text[] IS NULL OR a.agency = ANY($2))
		ORDER BY a.name`, StationRole, agencies)
	if err != nil {
		return nil, dbErr("stations", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Station, error) {
		var (
			s  Station
			r  StationReport
			at *time.Time
		)
		a := &s.Account
		err := row.Scan(&a.ID, &a.Name, &a.Role, &a.Agency, &a.PasswordHash, &a.Disabled, &a.Failures, &a.LockedUntil, &a.CreatedAt,
			&s.LastUsed, &at, &r.Client, &r.Version, &r.Host, &r.Dirs, &r.Waiting, &r.Sending, &r.SentToday, &r.Failed, &r.LastError)
		if at != nil {
			r.At = *at
			s.Report = &r
		}
		return s, err
	})
	return out, dbErr("stations", err)
}

// qualified names each of columns (comma-separated) as a column of table.
func qualified(table, columns string) string {
	cols := strings.Split(columns, ", ")
	for i, c := range cols {
		cols[i] = table + "." + c
	}
	return strings.Join(cols, ", ")
}
