package api

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sohoa-vn/sohoa/storage"
)

// Every route is described in schemas/openapi.yaml, and nothing is described that is not served.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	set, err := contracts()
	if err != nil {
		t.Fatal(err)
	}
	var served []string
	for _, r := range (&Server{}).routes() {
		served = append(served, r.method+" "+r.path)
	}
	sameItems(t, "served routes", served, "operations in openapi.yaml", set.Operations())
}

// sameItems reports every item of a missing from b, and of b missing from a.
func sameItems(t *testing.T, aName string, a []string, bName string, b []string) {
	t.Helper()
	for _, x := range a {
		if !slices.Contains(b, x) {
			t.Errorf("%q is among the %s, not the %s", x, aName, bName)
		}
	}
	for _, x := range b {
		if !slices.Contains(a, x) {
			t.Errorf("%q is among the %s, not the %s", x, bName, aName)
		}
	}
}

// The JSON forms of the API have exactly the fields their schemas describe, and a field is required
// there exactly when the Go type always writes it (no omitempty).
func TestSchemasDescribeEveryField(t *testing.T) {
	set, err := contracts()
	if err != nil {
		t.Fatal(err)
	}
	const (
		doc  = "document.schema.json#/$defs/document"
		api  = "openapi.yaml#/components/schemas/"
		okay = "/responses/200/content/application~1json/schema"
	)
	for _, c := range []struct {
		v   any
		loc string
	}{
		{Document{}, doc},
		{Stage{}, doc + "/properties/stages/items"},
		{DocumentList{}, "openapi.yaml#/paths/~1api~1v1~1documents/get" + okay},
		{Page{}, "openapi.yaml#/paths/~1api~1v1~1documents~1{id}~1pages/get" + okay + "/items"},
		{SearchResult{}, "openapi.yaml#/paths/~1api~1v1~1search/get" + okay},
		{Hit{}, "openapi.yaml#/paths/~1api~1v1~1search/get" + okay + "/properties/hits/items"},
		{PaperJSON{}, api + "Paper"},
		{Attachment{}, api + "Attachment"},
		{DossierJSON{}, api + "Dossier"},
		{OwnerJSON{}, api + "Dossier/properties/owner"},
		{Metadata{}, api + "Metadata"},
		{storage.Event{}, api + "Event"},
		{errorBody{}, api + "Error"},
	} {
		name := reflect.TypeOf(c.v).Name()
		described, err := set.Fields(c.loc)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		written := jsonFields(reflect.TypeOf(c.v))
		for f, always := range written {
			required, ok := described[f]
			switch {
			case !ok:
				t.Errorf("%s.%s is not described at %s", name, f, c.loc)
			case always && !required:
				t.Errorf("%s.%s is always written but not required at %s", name, f, c.loc)
			case !always && required:
				t.Errorf("%s.%s is left out when empty but required at %s", name, f, c.loc)
			}
		}
		for f := range described {
			if _, ok := written[f]; !ok {
				t.Errorf("%s describes %s, which %s does not have", c.loc, f, name)
			}
		}
	}
}

// jsonFields returns the JSON names of t's fields (those of embedded structs too), each with whether
// it is always written.
func jsonFields(t reflect.Type) map[string]bool {
	out := map[string]bool{}
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() || f.Anonymous {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = !slices.Contains(strings.Split(opts, ","), "omitempty")
	}
	return out
}

// The error codes openapi.yaml lists are exactly those the API can answer with: its own (code…
// constants here), a bad scan's (scan.Code…) and a bad owner identifier's (identity.Code…).
func TestErrorCodesDocumented(t *testing.T) {
	set, err := contracts()
	if err != nil {
		t.Fatal(err)
	}
	enum, err := set.Enum("openapi.yaml#/components/schemas/Error/properties/code")
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, dir := range []string{".", "../scan", "../identity"} {
		codes = append(codes, codeConstants(t, dir)...)
	}
	sameItems(t, "code constants", codes, "codes openapi.yaml lists", enum)
}

// codeConstants returns the values of the string constants named code… or Code… in the package in
// dir, tests left out.
func codeConstants(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, n := range vs.Names {
					lit, ok := valueAt(vs, i).(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING || !strings.HasPrefix(strings.ToLower(n.Name), "code") {
						continue
					}
					v, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					out = append(out, v)
				}
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("no code constants in %s", dir)
	}
	return out
}

func valueAt(vs *ast.ValueSpec, i int) ast.Expr {
	if i < len(vs.Values) {
		return vs.Values[i]
	}
	return nil
}
