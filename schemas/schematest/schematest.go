// Package schematest checks real output against the contracts in schemas/, for tests: JSON against
// the JSON schemas (*.schema.json), and HTTP answers against the responses openapi.yaml describes,
// through a JSON Schema 2020-12 validator with formats asserted. A test that passes here shows the
// schemas say what the code does.
package schematest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"mime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/sohoa-vn/sohoa/schemas"
)

// Base is where the schemas live for reference resolution: the $id of each *.schema.json is under it,
// so openapi.yaml's relative $refs ("document.schema.json") resolve to them.
const Base = "https://sohoa.vn/schemas/"

// Set is every schema of schemas/, compiled on first use. It is safe for concurrent use.
type Set struct {
	mu       sync.Mutex
	compiler *jsonschema.Compiler
	compiled map[string]*jsonschema.Schema
	api      map[string]any            // openapi.yaml, as JSON values
	docs     map[string]map[string]any // every file by name, openapi.yaml included
}

// Load reads the schemas embedded in package schemas.
func Load() (*Set, error) {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	docs := map[string]map[string]any{}
	names, err := fs.Glob(schemas.API, "*.schema.json")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		b, err := fs.ReadFile(schemas.API, n)
		if err != nil {
			return nil, err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", n, err)
		}
		if err := c.AddResource(Base+n, doc); err != nil {
			return nil, fmt.Errorf("%s: %w", n, err)
		}
		if docs[n], _ = doc.(map[string]any); docs[n] == nil {
			return nil, fmt.Errorf("%s is not an object", n)
		}
	}
	api, err := openAPI()
	if err != nil {
		return nil, err
	}
	if err := c.AddResource(Base+"openapi.yaml", api); err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	docs["openapi.yaml"] = api
	return &Set{compiler: c, compiled: map[string]*jsonschema.Schema{}, api: api, docs: docs}, nil
}

// openAPI reads openapi.yaml as the JSON values a validator takes (YAML's integers and maps are not).
func openAPI() (map[string]any, error) {
	b, err := fs.ReadFile(schemas.API, "openapi.yaml")
	if err != nil {
		return nil, err
	}
	var y any
	if err := yaml.Unmarshal(b, &y); err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	j, err := json.Marshal(y)
	if err != nil {
		return nil, fmt.Errorf("openapi.yaml as JSON: %w", err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	if err != nil {
		return nil, err
	}
	m, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("openapi.yaml is not a mapping")
	}
	return m, nil
}

// Compile compiles the schema at loc (as Validate names it), reporting what is wrong with it.
func (s *Set) Compile(loc string) error {
	_, err := s.schema(Base + loc)
	return err
}

// ID returns the $id the file name declares.
func (s *Set) ID(name string) string {
	id, _ := s.docs[name]["$id"].(string)
	return id
}

// Validate checks body against the schema at loc: a file name such as "document.schema.json",
// optionally with a JSON pointer fragment.
func (s *Set) Validate(loc string, body []byte) error {
	sch, err := s.schema(Base + loc)
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("not JSON (%w): %.200q", err, body)
	}
	if err := sch.Validate(v); err != nil {
		return fmt.Errorf("against %s: %w\nbody: %.2000s", loc, err, body)
	}
	return nil
}

func (s *Set) schema(url string) (*jsonschema.Schema, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sch, ok := s.compiled[url]; ok {
		return sch, nil
	}
	sch, err := s.compiler.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("compile %s: %w", url, err)
	}
	s.compiled[url] = sch
	return sch, nil
}

// Response checks an answer of the operation method path (path as openapi.yaml writes it, with
// {parameters}): openapi.yaml must describe its status and its media type, and a JSON body must
// match the schema described for it. A body-less answer must be described without content.
func (s *Set) Response(method, path string, status int, contentType string, body []byte) error {
	op := fmt.Sprintf("%s %s", method, path)
	ptr := "/paths/" + escape(path) + "/" + strings.ToLower(method) + "/responses/" + strconv.Itoa(status)
	resp, ptr, err := s.resolve(ptr)
	if err != nil && (status >= 500 || status == 401 || status == 403) {
		// openapi.yaml says once, in its description, that any operation may fail with an Error,
		// and that every one but the open ones may refuse a request not signed in or not allowed.
		resp, ptr, err = s.resolve("/components/responses/Error")
	}
	if err != nil && slices.Contains([]int{403, 408, 415, 421}, status) {
		// And once that any may be refused before its handler runs (internal/api's Guard), with
		// one of the codes of components/responses/Refused.
		resp, ptr, err = s.resolve("/components/responses/Refused")
	}
	if err != nil {
		return fmt.Errorf("openapi.yaml does not describe status %d of %s: %w", status, op, err)
	}
	content, _ := resp["content"].(map[string]any)
	if len(bytes.TrimSpace(body)) == 0 && contentType == "" {
		if len(content) > 0 {
			return fmt.Errorf("%s answered %d with no body; openapi.yaml describes %v", op, status, keys(content))
		}
		return nil
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("%s answered %d with content type %q: %w", op, status, contentType, err)
	}
	if _, ok := content[mt]; !ok {
		return fmt.Errorf("%s answered %d with %s; openapi.yaml describes %v", op, status, mt, keys(content))
	}
	if mt != "application/json" {
		return nil
	}
	return s.Validate("openapi.yaml#"+ptr+"/content/"+escape(mt)+"/schema", body)
}

// resolve returns the object at the JSON pointer ptr of openapi.yaml and its location, following
// a $ref to another part of openapi.yaml.
func (s *Set) resolve(ptr string) (map[string]any, string, error) {
	m, err := lookup(s.api, ptr)
	if err != nil {
		return nil, "", err
	}
	if ref, ok := m["$ref"].(string); ok {
		if !strings.HasPrefix(ref, "#/") {
			return nil, "", fmt.Errorf("%s: $ref %q outside openapi.yaml", ptr, ref)
		}
		return s.resolve(strings.TrimPrefix(ref, "#"))
	}
	return m, ptr, nil
}

// Fields returns the properties the object schema at loc ("file#pointer") declares, each with
// whether it is required, including those of the schemas it refers to with $ref.
func (s *Set) Fields(loc string) (map[string]bool, error) {
	out := map[string]bool{}
	for range 8 { // a chain of $refs, never a cycle
		file, ptr, _ := strings.Cut(loc, "#")
		v, err := lookup(s.docs[file], ptr)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", loc, err)
		}
		props, _ := v["properties"].(map[string]any)
		for p := range props {
			if _, ok := out[p]; !ok {
				out[p] = false
			}
		}
		req, _ := v["required"].([]any)
		for _, p := range req {
			out[p.(string)] = true
		}
		ref, ok := v["$ref"].(string)
		if !ok {
			return out, nil
		}
		if strings.HasPrefix(ref, "#") {
			ref = file + ref
		}
		loc = ref
	}
	return nil, fmt.Errorf("%s: too many $refs", loc)
}

// Enum returns the values the schema at loc ("file#pointer") allows.
func (s *Set) Enum(loc string) ([]string, error) {
	file, ptr, _ := strings.Cut(loc, "#")
	v, err := lookup(s.docs[file], ptr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", loc, err)
	}
	values, ok := v["enum"].([]any)
	if !ok {
		return nil, fmt.Errorf("%s has no enum", loc)
	}
	out := make([]string, len(values))
	for i, e := range values {
		out[i] = fmt.Sprint(e)
	}
	return out, nil
}

// lookup returns the object at the JSON pointer ptr of doc.
func lookup(doc map[string]any, ptr string) (map[string]any, error) {
	if doc == nil {
		return nil, fmt.Errorf("no such file")
	}
	var v any = doc
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		if tok == "" {
			continue
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: not an object before %q", ptr, tok)
		}
		if v, ok = m[unescape(tok)]; !ok {
			return nil, fmt.Errorf("%s: no %q", ptr, unescape(tok))
		}
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s is not an object", ptr)
	}
	return m, nil
}

// Operations returns every operation openapi.yaml describes, as "METHOD path".
func (s *Set) Operations() []string {
	var out []string
	paths, _ := s.api["paths"].(map[string]any)
	for p, ops := range paths {
		for m := range ops.(map[string]any) {
			if m != "parameters" {
				out = append(out, strings.ToUpper(m)+" "+p)
			}
		}
	}
	return out
}

func escape(tok string) string   { return strings.NewReplacer("~", "~0", "/", "~1").Replace(tok) }
func unescape(tok string) string { return strings.NewReplacer("~1", "/", "~0", "~").Replace(tok) }

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
