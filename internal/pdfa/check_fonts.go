package pdfa

import (
	"slices"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// checkFont: every font except Type 3 has its program embedded
// (6.2.11.4.1); TrueType CIDFonts have a CIDToGIDMap (6.2.11.3.2); at level
// U every font maps its codes to Unicode (6.2.11.7.2).
func (c *checker) checkFont(f types.Dict) {
	sub := c.name(f, "Subtype")
	base := c.name(f, "BaseFont")
	switch sub {
	case "Type0":
		if c.conformance == "U" || c.conformance == "A" {
			enc := c.name(f, "Encoding")
			_, hasMap := f["ToUnicode"]
			// Predefined CJK CMaps other than Identity imply Unicode.
			if !hasMap && (enc == "" || enc == "Identity-H" || enc == "Identity-V") {
				c.fail("6.2.11.7.2", "font %s (Type0) has no ToUnicode map", base)
			}
		}
		return
	case "Type3":
		if (c.conformance == "U" || c.conformance == "A") && f["ToUnicode"] == nil {
			c.fail("6.2.11.7.2", "font %s (Type3) has no ToUnicode map", base)
		}
		return
	}

	desc := c.dict(f["FontDescriptor"])
	embedded := false
	for _, k := range []string{"FontFile", "FontFile2", "FontFile3"} {
		if desc != nil && c.stream(desc[k]) != nil {
			embedded = true
		}
	}
	if !embedded {
		c.fail("6.2.11.4.1", "font %s (%s) is not embedded", base, sub)
	}
	if sub == "CIDFontType2" {
		if _, ok := f["CIDToGIDMap"]; !ok && embedded {
			c.fail("6.2.11.3.2", "TrueType CIDFont %s has no CIDToGIDMap", base)
		}
		return
	}
	if sub == "CIDFontType0" {
		return
	}
	if c.conformance == "U" || c.conformance == "A" {
		_, hasMap := f["ToUnicode"]
		enc := c.name(f, "Encoding")
		_, encDict := f["Encoding"].(types.Dict)
		if !hasMap && !slices.Contains(standardEncodes, enc) && !encDict {
			c.fail("6.2.11.7.2", "font %s (%s) has neither a ToUnicode map nor a standard encoding", base, sub)
		}
	}
}
