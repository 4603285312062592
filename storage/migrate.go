package storage

import (
	"context"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Migrate applies the migrations in fsys (files NNNN_name.sql) that the database has not seen yet,
// each in its own transaction. An advisory lock makes concurrent starts of several sohoa processes
// apply each migration once.
func Migrate(ctx context.Context, pool *pgxpool.Pool, fsys fs.FS) error {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return fmt.Errorf("list migrations: %w", err)
	}
	sort.Strings(names)

	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Release()
	const lockKey = 0x50a0a // any constant shared by all sohoa processes
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, lockKey); err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, lockKey)

	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	for _, name := range names {
		var done bool
		if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE name = $1)`, name).Scan(&done); err != nil {
			return fmt.Errorf("migrate %s: %w", name, err)
		}
		if done {
			continue
		}
		sql, err := fs.ReadFile(fsys, name)
		if err != nil {
			return fmt.Errorf("migrate %s: %w", name, err)
		}
		tx, err := conn.Begin(ctx)
		if err != nil {
			return fmt.Errorf("migrate %s: %w", name, err)
		}
		if _, err := tx.Exec(ctx, string(sql)); err != nil {
			tx.Rollback(ctx)
			return fmt.Errorf("migrate %s: %w", name, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (name) VALUES ($1)`, strings.TrimSpace(name)); err != nil {
			tx.Rollback(ctx)
			return fmt.Errorf("migrate %s: record: %w", name, err)
		}
		if err := tx.Commit(ctx); err != nil {
			return fmt.Errorf("migrate %s: commit: %w", name, err)
		}
	}
	if err := sealEvents(ctx, pool); err != nil {
		return fmt.Errorf("migrate: chain the events written before the trail was chained: %w", err)
	}
	return nil
}

// GrantService gives the database role that sohoa's services connect as what they need and no more:
// it owns no table, reads and writes the records, and may only read and append to the access
// trail; so no UPDATE, DELETE, TRUNCATE or ALTER of the trail, nor a trigger switched off (which
// needs the owner), nor session_replication_role (which needs a superuser). Run after Migrate, as
// the owner, at every start: new tables get their grants too.
func GrantService(ctx context.Context, pool *pgxpool.Pool, role string) error {
	r := pgx.Identifier{role}.Sanitize()
	for _, q := range []string{
		`GRANT USAGE ON SCHEMA public TO ` + r,
		`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ` + r,
		`REVOKE ALL ON events, schema_migrations FROM ` + r,
		`GRANT SELECT, INSERT ON events TO ` + r,
		`GRANT SELECT ON schema_migrations TO ` + r,
		`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ` + r,
	} {
		if _, err := pool.Exec(ctx, q); err != nil {
			return dbErr("grant "+role, err)
		}
	}
	return nil
}
