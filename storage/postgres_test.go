package storage_test

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sohoa-vn/sohoa/internal/code"
	"github.com/sohoa-vn/sohoa/internal/testenv"
	"github.com/sohoa-vn/sohoa/schemas"
	"github.com/sohoa-vn/sohoa/storage"
	"github.com/sohoa-vn/sohoa/storage/storagetest"
)

// TestMain lets the test binary act as a second counter process: with SOHOA_TEST_CODES set it
// receives that many dossiers and prints their codes.
func TestMain(m *testing.M) {
	if n := os.Getenv("SOHOA_TEST_CODES"); n != "" {
		if err := receive(os.Getenv("SOHOA_TEST_DB"), n); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// migrations are the files OpenPostgres applies; "migrations" is a valid path, so Sub cannot fail.
var migrations, _ = fs.Sub(schemas.Migrations, "migrations")

func open(t testing.TB, url string) *storage.Postgres {
	p, err := storage.OpenPostgres(context.Background(), url, migrations)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

// emptied opens one database for a whole suite and returns an open function that empties it for
// each subtest: as empty as a new database, for a fraction of the cost of creating and migrating one.
func emptied(t *testing.T) func(t *testing.T) *storage.Postgres {
	url := testenv.Postgres(t)
	p := open(t, url)
	conn := connect(t, url)
	rows, err := conn.Query(t.Context(), `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ('schema_migrations', 'deployment')`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (string, error) {
		var name string
		err := r.Scan(&name)
		return pgx.Identifier{name}.Sanitize(), err
	})
	if err != nil || len(tables) == 0 {
		t.Fatalf("tables %v, %v", tables, err)
	}
	// DELETE of a few rows is much cheaper than TRUNCATE, which makes new files for every table. The
	// replica role turns off the triggers: the foreign keys' (so the order does not matter) and the
	// events' append-only one, which is tested on its own.
	var empty strings.Builder
	empty.WriteString(`SET session_replication_role = replica;`)
	for _, table := range tables {
		empty.WriteString(` DELETE FROM ` + table + `;`)
	}
	empty.WriteString(` SET session_replication_role = DEFAULT;`)
	return func(t *testing.T) *storage.Postgres {
		if _, err := conn.Exec(t.Context(), empty.String()); err != nil {
			t.Fatal(err)
		}
		return p
	}
}

func TestPostgresRecords(t *testing.T) {
	open := emptied(t)
	storagetest.Records(t, func(t *testing.T) storage.Records { return open(t) })
}

func TestPostgresDossiers(t *testing.T) {
	open := emptied(t)
	storagetest.Dossiers(t, func(t *testing.T) (storage.Records, storage.Dossiers) {
		p := open(t)
		return p, p
	})
}

func TestPostgresMigrations(t *testing.T) {
	url := testenv.Postgres(t)
	// Several processes starting at once apply each migration once.
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			p, err := storage.OpenPostgres(t.Context(), url, migrations)
			if err != nil {
				t.Errorf("concurrent open: %v", err)
				return
			}
			p.Close()
		})
	}
	wg.Wait()
	// Opening again applies nothing twice.
	open(t, url)
	names, err := fs.Glob(migrations, "*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("migrations %v, %v", names, err)
	}
	conn := connect(t, url)
	rows, err := conn.Query(t.Context(), `SELECT name FROM schema_migrations ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	applied, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || strings.Join(applied, ",") != strings.Join(names, ",") {
		t.Errorf("schema_migrations = %v, %v; want each of %v once", applied, err, names)
	}
}

func connect(t *testing.T, url string) *pgx.Conn {
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// TestPostgresEventsAppendOnly checks the trigger that keeps the history from being rewritten even by
// someone with SQL access, which no interface method could show.
func TestPostgresEventsAppendOnly(t *testing.T) {
	url := testenv.Postgres(t)
	p := open(t, url)
	ctx := t.Context()
	if err := p.Log(ctx, storage.Event{Actor: "lưu trữ viên", Action: "owner.viewed", OwnerID: "031085012345"}); err != nil {
		t.Fatal(err)
	}
	conn := connect(t, url)
	for _, sql := range []string{`UPDATE events SET actor = 'kẻ gian'`, `DELETE FROM events`} {
		if _, err := conn.Exec(ctx, sql); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s = %v; want the append-only trigger's refusal", sql, err)
		}
	}
	var actor string
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*), min(actor) FROM events`).Scan(&n, &actor); err != nil || n != 1 || actor != "lưu trữ viên" {
		t.Errorf("events after the refused writes: %d, %q, %v", n, actor, err)
	}
}

const agency = "000.00.53.H26"

var day = time.Date(2026, 11, 27, 10, 0, 0, 0, code.Vietnam)

func receive(url, n string) error {
	p, err := storage.OpenPostgres(context.Background(), url, migrations)
	if err != nil {
		return err
	}
	defer p.Close()
	var count int
	fmt.Sscan(n, &count)
	var wg sync.WaitGroup
	codes := make(chan string, count)
	errs := make(chan error, count)
	for range count {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d, err := p.CreateDossier(context.Background(), storage.NewDossier{ID: uuid.NewString(), ProcedureCode: "1.001193",
				ProcedureName: "Đăng ký khai sinh", Agency: agency, AgencyName: "UBND quận Lê Chân",
				Owner: storage.Owner{ID: "031085012345", Kind: "citizen", Name: "Nguyễn Văn A"}, Staff: "cán bộ 1", ReceivedAt: day},
				day, func(seq int) (string, error) { return code.Dossier(agency, day, seq) })
			if err != nil {
				errs <- err
				return
			}
			codes <- d.Code
		}()
	}
	wg.Wait()
	close(codes)
	close(errs)
	for err := range errs {
		return err
	}
	for c := range codes {
		fmt.Println(c)
	}
	return nil
}

// TestDossierCodesFromTwoProcesses has two processes receive 100 dossiers each, at once, for one
// agency and day: the 200 codes must be distinct, consecutive, and of the Thông tư 01/2018 form.
func TestDossierCodesFromTwoProcesses(t *testing.T) {
	url := testenv.Postgres(t)
	open(t, url) // migrate once, before the two processes race
	var wg sync.WaitGroup
	outs := make([][]byte, 2)
	for i := range outs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "SOHOA_TEST_CODES=100", "SOHOA_TEST_DB="+url)
			cmd.Stderr = os.Stderr
			out, err := cmd.Output()
			if err != nil {
				t.Errorf("counter process %d: %v", i, err)
			}
			outs[i] = out
		}()
	}
	wg.Wait()
	var codes []string
	for _, out := range outs {
		codes = append(codes, strings.Fields(string(out))...)
	}
	sort.Strings(codes)
	if len(codes) != 200 {
		t.Fatalf("%d codes, want 200", len(codes))
	}
	for i, c := range codes {
		p, err := code.ParseDossier(c)
		if err != nil {
			t.Fatal(err)
		}
		if p.Seq != i+1 || p.Agency != agency || p.Day.Format("060102") != "261127" {
			t.Fatalf("code %d is %s: want sequence %d of %s on 261127", i, c, i+1, agency)
		}
	}
}

func TestPostgresAccounts(t *testing.T) {
	open := emptied(t)
	storagetest.Accounts(t, func(t *testing.T) storagetest.Store { return open(t) })
}
