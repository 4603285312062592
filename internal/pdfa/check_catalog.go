package pdfa

import (
	"bytes"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// checkOutputIntents: a GTS_PDFA1 output intent with an embedded ICC
// profile that describes an output device; several must share one profile.
func (c *checker) checkOutputIntents(root types.Dict) {
	var profile *types.IndirectRef
	for _, o := range c.array(root["OutputIntents"]) {
		oi := c.dict(o)
		if oi == nil || c.name(oi, "S") != "GTS_PDFA1" {
			continue
		}
		ref, ok := oi["DestOutputProfile"].(types.IndirectRef)
		if !ok {
			c.fail("6.2.3", "the GTS_PDFA1 output intent has no DestOutputProfile")
			continue
		}
		if profile != nil && profile.ObjectNumber != ref.ObjectNumber {
			c.fail("6.2.3", "the output intents use different DestOutputProfile streams")
		}
		profile = &ref
		sd := c.stream(ref)
		icc := decoded(sd)
		if len(icc) < 128 || string(icc[36:40]) != "acsp" {
			c.fail("6.2.3", "the DestOutputProfile is not an ICC profile")
			continue
		}
		if icc[8] > 4 {
			c.fail("6.2.3", "the DestOutputProfile is ICC version %d; PDF/A-2 allows up to 4", icc[8])
		}
		if class := string(icc[12:16]); class != "prtr" && class != "mntr" {
			c.fail("6.2.3", "the DestOutputProfile has device class %q, not an output (prtr) or monitor (mntr) profile", class)
		}
		c.intentN = iccComponents(icc)
		if n, ok := c.integer(sd.Dict, "N"); ok && n != c.intentN {
			c.fail("6.2.4.2", "the output intent profile stream says N %d but the profile has %d components", n, c.intentN)
		}
	}
	if profile == nil {
		c.fail("6.2.3", "the catalog has no GTS_PDFA1 output intent, so device colour (DeviceRGB, DeviceGray) has no defined meaning")
	}
}

// iccComponents returns the number of colour components of an ICC profile
// from its data colour space signature.
func iccComponents(icc []byte) int {
	switch string(icc[16:20]) {
	case "GRAY":
		return 1
	case "RGB ", "Lab ", "XYZ ":
		return 3
	case "CMYK":
		return 4
	}
	return 0
}

// checkCatalog tests the document-level entries: actions, forms, optional
// content, embedded files, alternate presentations, requirements.
func (c *checker) checkCatalog(root types.Dict) {
	if _, ok := root["AA"]; ok {
		c.fail("6.5.2", "the catalog has an additional-actions (AA) entry")
	}
	if _, ok := root["Requirements"]; ok {
		c.fail("6.11", "the catalog has a Requirements entry")
	}
	if c.boolean(root, "NeedsRendering") {
		c.fail("6.4.2", "the catalog has NeedsRendering true (dynamic XFA form)")
	}
	if form := c.dict(root["AcroForm"]); form != nil {
		if c.boolean(form, "NeedAppearances") {
			c.fail("6.4.1", "the interactive form has NeedAppearances true")
		}
		if _, ok := form["XFA"]; ok {
			c.fail("6.4.2", "the interactive form has an XFA entry")
		}
	}
	if perms := c.dict(root["Perms"]); perms != nil {
		for k := range perms {
			if k != "DocMDP" && k != "UR3" {
				c.fail("6.1.12", "the permissions dictionary has a %s entry (only DocMDP and UR3 are allowed)", k)
			}
		}
	}
	if names := c.dict(root["Names"]); names != nil {
		if _, ok := names["AlternatePresentations"]; ok {
			c.fail("6.10", "the name dictionary has an AlternatePresentations entry")
		}
		if _, ok := names["JavaScript"]; ok {
			c.fail("6.5.1", "the name dictionary has a JavaScript name tree")
		}
		c.checkEmbeddedFiles(names["EmbeddedFiles"])
	}
	if oc := c.dict(root["OCProperties"]); oc != nil {
		c.checkOptionalContent(oc)
	}
}

// checkOptionalContent: rule 6.9, every configuration dictionary named,
// names unique, and no AS (automatic state) entry.
func (c *checker) checkOptionalContent(oc types.Dict) {
	configs := []types.Object{oc["D"]}
	configs = append(configs, c.array(oc["Configs"])...)
	names := map[string]bool{}
	for _, o := range configs {
		d := c.dict(o)
		if d == nil {
			continue
		}
		n, err := c.xt.Dereference(d["Name"])
		s, serr := types.StringOrHexLiteral(n)
		if err != nil || serr != nil || s == nil {
			c.fail("6.9", "an optional content configuration dictionary has no Name entry")
			continue
		}
		if names[*s] {
			c.fail("6.9", "two optional content configurations are both named %q", *s)
		}
		names[*s] = true
		if _, ok := d["AS"]; ok {
			c.fail("6.9", "an optional content configuration dictionary has an AS entry")
		}
	}
}

// checkEmbeddedFiles: in PDF/A-2 an embedded file must itself be PDF/A-1
// or PDF/A-2. Without recursing into it, a file that is not a PDF or
// carries no pdfaid identification certainly is not.
func (c *checker) checkEmbeddedFiles(tree types.Object) {
	var walk func(o types.Object, depth int)
	walk = func(o types.Object, depth int) {
		node := c.dict(o)
		if node == nil || depth > 32 {
			return
		}
		for _, k := range c.array(node["Kids"]) {
			walk(k, depth+1)
		}
		a := c.array(node["Names"])
		for i := 1; i < len(a); i += 2 {
			spec := c.dict(a[i])
			ef := c.dict(spec["EF"])
			if ef == nil {
				continue
			}
			for _, key := range []string{"F", "UF"} {
				if sd := c.stream(ef[key]); sd != nil {
					b := decoded(sd)
					if !bytes.HasPrefix(b, []byte("%PDF-")) || !pdfaidRE.Match(b) {
						c.fail("6.8", "an embedded file is not a PDF/A file")
					}
				}
			}
		}
	}
	walk(tree, 0)
}
