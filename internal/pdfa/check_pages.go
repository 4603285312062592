package pdfa

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// checkPages covers what hangs off each page: actions, transitions,
// annotations and the colours its content paints with.
func (c *checker) checkPages() error {
	for i := 1; i <= c.xt.PageCount; i++ {
		page, _, _, err := c.xt.PageDict(i, false)
		if err != nil {
			return fmt.Errorf("page %d: %w", i, err)
		}
		if page == nil {
			continue
		}
		if _, ok := page["AA"]; ok {
			c.fail("6.5.2", "page %d has an additional-actions (AA) entry", i)
		}
		if _, ok := page["PresSteps"]; ok {
			c.fail("6.10", "page %d has a PresSteps entry", i)
		}
		c.checkRotate(i, page)
		contents := []types.Object{page["Contents"]}
		if arr := c.array(page["Contents"]); arr != nil {
			contents = arr
		}
		for _, o := range contents {
			contentColours(decoded(c.stream(o)), &c.dev)
		}
		for _, a := range c.array(page["Annots"]) {
			if annot := c.dict(a); annot != nil {
				c.checkAnnotation(i, annot)
			}
		}
	}
	return nil
}

// checkRotate (6.1.1, ISO 32000-1 7.7.3.3): a page's /Rotate, its own or
// inherited from the page tree, is an integer multiple of 90.
func (c *checker) checkRotate(i int, page types.Dict) {
	for d, depth := page, 0; d != nil && depth < 64; d, depth = c.dict(d["Parent"]), depth+1 {
		o, ok := d["Rotate"]
		if !ok {
			continue
		}
		o, _ = c.xt.Dereference(o)
		if n, ok := o.(types.Integer); !ok || n%90 != 0 {
			c.fail("6.1.1", "page %d has /Rotate %v, not an integer multiple of 90", i, o)
		}
		return
	}
}

func (c *checker) checkAnnotation(page int, a types.Dict) {
	sub := c.name(a, "Subtype")
	if slices.Contains([]string{"3D", "Sound", "Screen", "Movie"}, sub) {
		c.fail("6.3.1", "page %d has a %s annotation", page, sub)
	}
	if f, ok := c.integer(a, "F"); !ok {
		if sub != "Popup" {
			c.fail("6.3.2", "a %s annotation on page %d has no F (flags) entry", sub, page)
		}
	} else if f&4 == 0 || f&(1|2|32|256) != 0 {
		c.fail("6.3.2", "a %s annotation on page %d is not printable or is hidden (F %d)", sub, page, f)
	}
	if _, ok := a["AP"]; !ok && sub != "Popup" && sub != "Link" && !zeroRect(c.array(a["Rect"])) {
		c.fail("6.3.3", "a %s annotation on page %d has no appearance (AP) dictionary", sub, page)
	}
	if sub == "Widget" {
		if _, ok := a["A"]; ok {
			c.fail("6.4.1", "a widget annotation on page %d has an action (A)", page)
		}
		if _, ok := a["AA"]; ok {
			c.fail("6.4.1", "a widget annotation on page %d has additional actions (AA)", page)
		}
	}
	if v := c.dict(a["V"]); v != nil && c.name(v, "Type") == "Sig" {
		c.checkSignature(v)
	}
}

func zeroRect(r types.Array) bool {
	if len(r) != 4 {
		return false
	}
	num := func(o types.Object) float64 {
		switch v := o.(type) {
		case types.Integer:
			return float64(v)
		case types.Float:
			return float64(v)
		}
		return -1
	}
	return num(r[0]) == num(r[2]) && num(r[1]) == num(r[3])
}

// checkSignature (6.4.3): the ByteRange must cover the whole revision it
// signs except the Contents value, which must be a hex string.
func (c *checker) checkSignature(sig types.Dict) {
	br := c.array(sig["ByteRange"])
	var v [4]int64
	for i := range v {
		if len(br) != 4 {
			break
		}
		n, ok := br[i].(types.Integer)
		if !ok {
			break
		}
		v[i] = int64(n)
	}
	size := int64(len(c.data))
	gapOK := v[1] > 0 && v[2] > v[1] && v[2] <= size &&
		c.data[v[1]] == '<' && c.data[v[2]-1] == '>'
	end := v[2] + v[3]
	if len(br) != 4 || v[0] != 0 || !gapOK || end > size || !revisionEnd(c.data, end) {
		c.fail("6.4.3", "a signature's ByteRange %v does not cover the signed revision except its Contents", v)
	}
}

// revisionEnd reports whether a revision of the file ends at offset end:
// the whole file, or just after a %%EOF and its end of line.
func revisionEnd(d []byte, end int64) bool {
	if end == int64(len(d)) {
		return true
	}
	head := bytes.TrimRight(d[:end], "\r\n")
	return bytes.HasSuffix(head, []byte("%%EOF"))
}
