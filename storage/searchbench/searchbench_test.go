package searchbench

import (
	"bytes"
	"io/fs"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/sohoa-vn/sohoa/internal/catalogue"
	"github.com/sohoa-vn/sohoa/internal/testenv"
	"github.com/sohoa-vn/sohoa/schemas"
	"github.com/sohoa-vn/sohoa/storage"
)

// The benchmark at a few hundred documents: it fills the store with papers as the index stage
// would leave them, times every class at both sizes with the reference at the smaller, and ends on
// the worst p95.
func TestRun(t *testing.T) {
	url := testenv.Postgres(t)
	migrations, err := fs.Sub(schemas.Migrations, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	p, err := storage.OpenPostgres(t.Context(), url, migrations)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	f, err := os.Open("../../deploy/province/agencies.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	agencies, err := catalogue.ReadAgencies(f)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	c := Config{Docs: 600, Reference: 300, Runs: 2, Years: 1, Agencies: agencies, Out: &out}
	if err := Run(t.Context(), url, p, c); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if last := lines[len(lines)-1]; !regexp.MustCompile(`^worst p95: \d+ ms$`).MatchString(last) {
		t.Errorf("last line %q", last)
	}
	for _, want := range []string{"300 documents, a reader", "600 documents, a reader", "reference", `common: "ủy ban"`, "agency + quarter"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in\n%s", want, out.String())
		}
	}

	// The papers are as the index stage leaves them: vectors of their text, owners, codes of their
	// agency, and the notations and CCCDs the searches look for.
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	var n, indexed, owned, coded, notations int
	err = conn.QueryRow(t.Context(), `SELECT count(*), count(*) FILTER (WHERE search_folded = sohoa_search_folded(title, text)),
		count(*) FILTER (WHERE owner_id IS NOT NULL AND position(owner_id IN text) > 0),
		count(*) FILTER (WHERE code LIKE agency || '-%'), count(*) FILTER (WHERE notation <> '' AND position(notation IN text) > 0)
		FROM documents`).Scan(&n, &indexed, &owned, &coded, &notations)
	if err != nil {
		t.Fatal(err)
	}
	if n != 600 || indexed != n || coded != n || owned < n/2 || notations < n/10 {
		t.Errorf("%d documents: %d indexed, %d with their owner's number in the text, %d coded by their agency, %d with a notation",
			n, indexed, owned, coded, notations)
	}
}
