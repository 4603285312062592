package api

import (
	"encoding/json"
	"io/fs"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/sohoa-vn/sohoa/schemas"
)

// Every route is described in schemas/openapi.yaml, and nothing is described that is not served.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	b, err := fs.ReadFile(schemas.API, "openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	served := map[string]bool{}
	for _, r := range (&Server{}).routes() {
		key := strings.ToLower(r.method) + " " + r.path
		served[key] = true
		if _, ok := doc.Paths[r.path][strings.ToLower(r.method)]; !ok {
			t.Errorf("openapi.yaml does not describe %s %s", r.method, r.path)
		}
	}
	for path, ops := range doc.Paths {
		for op := range ops {
			if op != "parameters" && !served[op+" "+path] {
				t.Errorf("openapi.yaml describes %s %s, which is not served", op, path)
			}
		}
	}
}

func TestJSONSchemasParse(t *testing.T) {
	names, _ := fs.Glob(schemas.API, "*.schema.json")
	if len(names) < 2 {
		t.Fatalf("schemas: %v", names)
	}
	for _, n := range names {
		b, _ := fs.ReadFile(schemas.API, n)
		var v map[string]any
		if err := json.Unmarshal(b, &v); err != nil || v["$schema"] == nil {
			t.Errorf("%s: %v", n, err)
		}
	}
}
