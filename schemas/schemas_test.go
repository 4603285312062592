package schemas_test

import (
	"io/fs"
	"testing"

	"github.com/sohoa-vn/sohoa/schemas"

	"github.com/sohoa-vn/sohoa/pipeline"
	"github.com/sohoa-vn/sohoa/schemas/schematest"
)

// Every payload pipeline.Payload.Encode produces, with and without a page and a generation, is what
// task-payload.schema.json describes; what Encode refuses, the schema refuses too.
func TestTaskPayloadSchema(t *testing.T) {
	set, err := schematest.Load()
	if err != nil {
		t.Fatal(err)
	}
	const id = "5f0c6b1e-8a4d-4c1b-9a57-0d3f1e2b7c11"
	for _, p := range []pipeline.Payload{
		{DocumentID: id, Run: 1},
		{DocumentID: id, Run: 3, Page: 12},
		{DocumentID: id, Run: 2, Gen: 1},
		{DocumentID: id, Run: 2, Page: 1, Gen: 4},
		{DocumentID: id, Run: 1, Lane: pipeline.Bulk, Agency: "000.00.01.H29"},
		{DocumentID: id, Run: 1, Page: 7, Lane: pipeline.Counter, Agency: "000.00.01.H29"},
	} {
		b, err := p.Encode()
		if err != nil {
			t.Fatalf("Encode(%+v): %v", p, err)
		}
		if err := set.Validate("task-payload.schema.json", b); err != nil {
			t.Errorf("payload %+v: %v", p, err)
		}
		back, err := pipeline.DecodePayload(b)
		if err != nil || back != p {
			t.Errorf("DecodePayload(%s) = %+v, %v; want %+v", b, back, err, p)
		}
	}
	for _, bad := range []string{
		`{"run": 1}`,
		`{"document_id": "` + id + `", "run": 0}`,
		`{"document_id": "` + id + `", "run": 1, "page": -1}`,
		`{"document_id": "` + id + `", "run": 1, "gen": -1}`,
		`{"document_id": "not-a-uuid", "run": 1}`,
		`{"document_id": "` + id + `", "run": 1, "stage": "ocr"}`,
		`{"document_id": "` + id + `", "run": 1, "lane": "urgent"}`,
	} {
		if err := set.Validate("task-payload.schema.json", []byte(bad)); err == nil {
			t.Errorf("task-payload.schema.json accepts %s", bad)
		}
	}
}

// Every JSON schema compiles, under the $id openapi.yaml's references resolve to.
func TestSchemasCompile(t *testing.T) {
	set, err := schematest.Load()
	if err != nil {
		t.Fatal(err)
	}
	names, _ := fs.Glob(schemas.API, "*.schema.json")
	if len(names) < 2 {
		t.Fatalf("schemas: %v", names)
	}
	for _, n := range names {
		if err := set.Compile(n); err != nil {
			t.Errorf("%s: %v", n, err)
		}
		if id := set.ID(n); id != schematest.Base+n {
			t.Errorf("%s: $id %q, want %q", n, id, schematest.Base+n)
		}
	}
}
