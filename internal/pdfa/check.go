package pdfa

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// Violation is one broken PDF/A-2 requirement. Rule is the clause of
// ISO 19005-2 as veraPDF's PDF_A/2b and 2u profiles number it.
type Violation struct {
	Rule    string
	Message string
}

func (v Violation) String() string { return v.Rule + ": " + v.Message }

// NonConformingError is returned by Check for a readable file that breaks
// PDF/A-2 rules.
type NonConformingError struct {
	Violations []Violation
}

func (e *NonConformingError) Error() string {
	parts := make([]string, len(e.Violations))
	for i, v := range e.Violations {
		parts[i] = v.String()
	}
	return "not PDF/A-2: " + strings.Join(parts, "; ")
}

// Check tests data against the PDF/A-2 (level B, and U where the file claims
// it) requirements listed by Rules. It returns nil for a conforming file, a
// *NonConformingError naming each broken rule, or another error when the
// file cannot be read as PDF at all.
//
// Files with incremental updates (a signature appended by the signing
// stage) are checked as their latest revision, as a reader sees them.
// Check is not a full validator: it does not interpret every content
// stream operator, font program or ICC profile; veraPDF remains the
// reference.
func Check(data []byte) error {
	_, err := CheckLevel(data)
	return err
}

// CheckLevel checks data as Check does and, when it passes, returns the conformance level its
// metadata claims: "2b", "2u" or "2a".
func CheckLevel(data []byte) (string, error) {
	c := &checker{data: data}
	if err := c.check(); err != nil {
		return "", err
	}
	return "2" + strings.ToLower(c.conformance), nil
}

func (c *checker) check() error {
	data := c.data
	c.checkRaw()
	conf := pdfcpuConfig()
	conf.Reader15 = true // PDF/A-2 is PDF 1.7
	ctx, err := api.ReadContext(bytes.NewReader(data), conf)
	if err != nil {
		if len(c.violations) > 0 {
			// Encryption without a known password ends here.
			return c.result()
		}
		return fmt.Errorf("pdfa: check: read PDF: %w", err)
	}
	c.xt = ctx.XRefTable
	if err := c.xt.EnsurePageCount(); err != nil {
		return fmt.Errorf("pdfa: check: page tree: %w", err)
	}
	if err := c.checkDocument(); err != nil {
		return fmt.Errorf("pdfa: check: %w", err)
	}
	return c.result()
}

// checker accumulates violations, each rule reported once per file with the
// first offending object: a rule broken on 500 pages is still one fix.
type checker struct {
	data       []byte
	xt         *model.XRefTable
	violations []Violation
	seen       map[string]bool

	conformance string // pdfaid:conformance, upper case
	intentN     int    // components of the output intent profile, 0 if none
	dev         deviceUse
}

func (c *checker) fail(rule, format string, args ...any) {
	if c.seen == nil {
		c.seen = map[string]bool{}
	}
	if c.seen[rule] {
		return
	}
	c.seen[rule] = true
	c.violations = append(c.violations, Violation{rule, fmt.Sprintf(format, args...)})
}

func (c *checker) result() error {
	if len(c.violations) == 0 {
		return nil
	}
	slices.SortStableFunc(c.violations, func(a, b Violation) int { return compareClauses(a.Rule, b.Rule) })
	return &NonConformingError{Violations: c.violations}
}

// compareClauses orders "6.2.11.4.1" after "6.2.3" (numerically by part).
func compareClauses(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		var x, y int
		fmt.Sscan(pa[i], &x)
		fmt.Sscan(pb[i], &y)
		if x != y {
			return x - y
		}
	}
	return len(pa) - len(pb)
}

func (c *checker) checkDocument() error {
	root, err := c.xt.Catalog()
	if err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	if c.xt.ID == nil {
		c.fail("6.1.3", "the file trailer has no ID entry")
	}
	if c.xt.Encrypt != nil {
		c.fail("6.1.3", "the trailer has an Encrypt entry: encryption is not allowed")
	}
	c.checkMetadata(root)
	c.checkOutputIntents(root)
	c.checkCatalog(root)
	if err := c.checkPages(); err != nil {
		return err
	}
	c.checkObjects()
	return nil
}

// dict dereferences o to a dictionary (nil for anything else or a broken
// reference: structure errors are qpdf's business, not PDF/A's).
func (c *checker) dict(o types.Object) types.Dict {
	d, err := c.xt.DereferenceDict(o)
	if err != nil {
		return nil
	}
	return d
}

func (c *checker) array(o types.Object) types.Array {
	a, err := c.xt.DereferenceArray(o)
	if err != nil {
		return nil
	}
	return a
}

func (c *checker) stream(o types.Object) *types.StreamDict {
	sd, _, err := c.xt.DereferenceStreamDict(o)
	if err != nil {
		return nil
	}
	return sd
}

// name returns d[key] as a name ("" if absent or not a name).
func (c *checker) name(d types.Dict, key string) string {
	o, err := c.xt.Dereference(d[key])
	if err != nil {
		return ""
	}
	if n, ok := o.(types.Name); ok {
		return string(n)
	}
	return ""
}

func (c *checker) integer(d types.Dict, key string) (int, bool) {
	o, err := c.xt.Dereference(d[key])
	if err != nil {
		return 0, false
	}
	switch v := o.(type) {
	case types.Integer:
		return int(v), true
	case types.Float:
		return int(v), true
	}
	return 0, false
}

func (c *checker) boolean(d types.Dict, key string) bool {
	o, err := c.xt.Dereference(d[key])
	if err != nil {
		return false
	}
	b, ok := o.(types.Boolean)
	return ok && bool(b)
}

// decoded returns the decoded content of a stream, or nil if its filters
// cannot be undone (the caller then skips what it wanted to look at).
func decoded(sd *types.StreamDict) []byte {
	if sd == nil {
		return nil
	}
	if sd.Content != nil {
		return sd.Content
	}
	if err := sd.Decode(); err != nil {
		return nil
	}
	return sd.Content
}
