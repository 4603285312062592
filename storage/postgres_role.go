package storage

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// PostgresRole returns the role url connects as and whether it is a superuser: a superuser can read
// and change everything in the cluster, so a flaw in sohoa would not stop at its own database.
func PostgresRole(ctx context.Context, url string) (name string, superuser bool, err error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return "", false, dbErr("postgres", err)
	}
	defer conn.Close(ctx)
	err = conn.QueryRow(ctx, `SELECT rolname, rolsuper FROM pg_roles WHERE rolname = current_user`).Scan(&name, &superuser)
	return name, superuser, dbErr("postgres: read the connection's role", err)
}
