package pdfa

import (
	"bytes"
	"slices"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// forbiddenActions are the action types PDF/A-2 6.5.1 does not permit.
var forbiddenActions = []string{
	"Launch", "Sound", "Movie", "ResetForm", "ImportData", "Hide",
	"SetOCGState", "Rendition", "Trans", "GoTo3DView", "JavaScript",
}

var (
	namedActions    = []string{"NextPage", "PrevPage", "FirstPage", "LastPage"}
	blendModes      = []string{"Normal", "Compatible", "Multiply", "Screen", "Overlay", "Darken", "Lighten", "ColorDodge", "ColorBurn", "HardLight", "SoftLight", "Difference", "Exclusion", "Hue", "Saturation", "Color", "Luminosity"}
	renderIntents   = []string{"RelativeColorimetric", "AbsoluteColorimetric", "Perceptual", "Saturation"}
	standardEncodes = []string{"WinAnsiEncoding", "MacRomanEncoding", "StandardEncoding", "MacExpertEncoding"}
)

// deviceUse records which device colour spaces the document paints with.
type deviceUse struct{ gray, rgb, cmyk bool }

// checkObjects visits every object of the latest revision, and every
// dictionary nested directly in it, for the rules that depend on what an
// object is rather than where it sits.
func (c *checker) checkObjects() {
	dev := &c.dev
	for nr, e := range c.xt.Table {
		if nr == 0 || e == nil || e.Free || e.Object == nil {
			continue
		}
		c.walk(e.Object, dev, 0)
	}
	if dev.rgb && c.intentN != 3 {
		c.fail("6.2.4.3", "DeviceRGB is used but there is no RGB output intent")
	}
	if dev.cmyk && c.intentN != 4 {
		c.fail("6.2.4.3", "DeviceCMYK is used but there is no CMYK output intent")
	}
	if dev.gray && c.intentN == 0 {
		c.fail("6.2.4.3", "DeviceGray is used but there is no output intent")
	}
}

func (c *checker) walk(o types.Object, dev *deviceUse, depth int) {
	if depth > 64 {
		return
	}
	switch v := o.(type) {
	case types.StreamDict:
		c.checkStream(&v, dev)
		c.checkDict(v.Dict, dev)
		for _, x := range v.Dict {
			c.walk(x, dev, depth+1)
		}
	case types.Dict:
		c.checkDict(v, dev)
		for _, x := range v {
			c.walk(x, dev, depth+1)
		}
	case types.Array:
		for _, x := range v {
			c.walk(x, dev, depth+1)
		}
	}
}

func (c *checker) checkStream(sd *types.StreamDict, dev *deviceUse) {
	for _, k := range []string{"F", "FFilter", "FDecodeParms"} {
		if _, ok := sd.Dict[k]; ok {
			c.fail("6.1.7.1", "a stream dictionary has an %s entry (stream data in an external file)", k)
		}
	}
	var filters []string
	if n := c.name(sd.Dict, "Filter"); n != "" {
		filters = []string{n}
	}
	for _, f := range c.array(sd.Dict["Filter"]) {
		if n, ok := f.(types.Name); ok {
			filters = append(filters, string(n))
		}
	}
	if slices.Contains(filters, "LZWDecode") {
		c.fail("6.1.7.2", "a stream uses the LZWDecode filter")
	}
	if c.name(sd.Dict, "Type") == "XObject" || c.name(sd.Dict, "Subtype") == "Form" {
		switch c.name(sd.Dict, "Subtype") {
		case "Image":
			c.checkImage(sd, dev)
		case "Form":
			if _, ok := sd.Dict["OPI"]; ok {
				c.fail("6.2.9", "a form XObject has an OPI entry")
			}
			if c.name(sd.Dict, "Subtype2") == "PS" {
				c.fail("6.2.9", "a form XObject has Subtype2 PS (PostScript)")
			}
			if _, ok := sd.Dict["Ref"]; ok {
				c.fail("6.2.9", "a reference XObject (Ref entry) points outside the file")
			}
			contentColours(decoded(sd), dev)
		case "PS":
			c.fail("6.2.9", "a PostScript XObject is used")
		}
	}
}

func (c *checker) checkImage(sd *types.StreamDict, dev *deviceUse) {
	d := sd.Dict
	if c.boolean(d, "Interpolate") {
		c.fail("6.2.8", "an image has Interpolate true")
	}
	if _, ok := d["Alternates"]; ok {
		c.fail("6.2.8", "an image has an Alternates entry")
	}
	if _, ok := d["OPI"]; ok {
		c.fail("6.2.8", "an image has an OPI entry")
	}
	if in := c.name(d, "Intent"); in != "" && !slices.Contains(renderIntents, in) {
		c.fail("6.2.6", "an image has rendering intent %s", in)
	}
	n := c.colourSpace(d["ColorSpace"], dev, 0)
	c.checkImageComponents(sd, n)
}

// checkImageComponents: the colour space (and so an ICC profile) must
// have as many components as the image data, which a JPEG's frame header
// states; a Decode array has two numbers per component.
func (c *checker) checkImageComponents(sd *types.StreamDict, n int) {
	if n == 0 || c.boolean(sd.Dict, "ImageMask") {
		return
	}
	if dec := c.array(sd.Dict["Decode"]); dec != nil && len(dec) != 2*n {
		c.fail("6.2.4.2", "an image's Decode array has %d numbers for a colour space of %d components", len(dec), n)
	}
	if c.name(sd.Dict, "Filter") != "DCTDecode" {
		return
	}
	if h, err := readJPEGHeader(sd.Raw); err == nil && h.components != n {
		c.fail("6.2.4.2", "a JPEG image has %d colour components but its colour space has %d", h.components, n)
	}
}

// colourSpace records device colour spaces inside a colour space object,
// checks ICCBased ones, and returns the number of components a sample of
// the space has (0 when unknown).
func (c *checker) colourSpace(o types.Object, dev *deviceUse, depth int) int {
	o, err := c.xt.Dereference(o)
	if err != nil || depth > 8 {
		return 0
	}
	switch v := o.(type) {
	case types.Name:
		markDevice(string(v), dev)
		return deviceComponents[string(v)]
	case types.Array:
		if len(v) == 0 {
			return 0
		}
		family, _ := v[0].(types.Name)
		switch family {
		case "ICCBased":
			if len(v) > 1 {
				return c.checkICCBased(v[1])
			}
		case "Indexed", "I":
			if len(v) > 1 {
				c.colourSpace(v[1], dev, depth+1)
			}
			return 1
		case "Separation":
			if len(v) > 2 {
				c.colourSpace(v[2], dev, depth+1)
			}
			return 1
		case "DeviceN":
			if len(v) > 2 {
				c.colourSpace(v[2], dev, depth+1)
			}
			return len(c.array(v[1]))
		case "CalGray":
			return 1
		case "CalRGB", "Lab":
			return 3
		}
	}
	return 0
}

var deviceComponents = map[string]int{
	"DeviceGray": 1, "G": 1, "DeviceRGB": 3, "RGB": 3, "DeviceCMYK": 4, "CMYK": 4,
}

// checkICCBased tests an ICCBased colour space's profile stream (6.2.4.2)
// and returns its number of components: N, which PDF requires and which
// must match the profile.
func (c *checker) checkICCBased(o types.Object) int {
	sd := c.stream(o)
	icc := decoded(sd)
	if len(icc) < 128 || string(icc[36:40]) != "acsp" {
		c.fail("6.2.4.2", "an ICCBased colour space has no valid ICC profile")
		return 0
	}
	n, ok := c.integer(sd.Dict, "N")
	switch {
	case !ok:
		c.fail("6.2.4.2", "an ICCBased colour space has no N (number of components)")
		n = iccComponents(icc)
	case n != iccComponents(icc):
		c.fail("6.2.4.2", "an ICCBased colour space says N %d but its profile has %d components", n, iccComponents(icc))
	}
	if icc[8] > 4 {
		c.fail("6.2.4.2", "an ICCBased colour space uses ICC version %d", icc[8])
	}
	if class := string(icc[12:16]); !slices.Contains(iccClasses, class) {
		c.fail("6.2.4.2", "an ICCBased colour space has a profile of class %q, which describes no colour space", class)
	}
	return n
}

func markDevice(name string, dev *deviceUse) {
	switch name {
	case "DeviceRGB", "RGB":
		dev.rgb = true
	case "DeviceCMYK", "CMYK":
		dev.cmyk = true
	case "DeviceGray", "G":
		dev.gray = true
	}
}

// contentColours scans a content stream for operators that paint in a
// device colour space. Operands and inline image data are not parsed, so
// this errs on the side of reporting.
func contentColours(b []byte, dev *deviceUse) {
	for _, tok := range bytes.Fields(b) {
		switch string(tok) {
		case "rg", "RG":
			dev.rgb = true
		case "k", "K":
			dev.cmyk = true
		case "g", "G":
			dev.gray = true
		case "/DeviceRGB":
			dev.rgb = true
		case "/DeviceCMYK":
			dev.cmyk = true
		case "/DeviceGray":
			dev.gray = true
		}
	}
}

// checkDict applies the rules for dictionaries recognised by their keys:
// actions, graphics states, fonts, signatures.
func (c *checker) checkDict(d types.Dict, dev *deviceUse) {
	if s := c.name(d, "S"); s != "" && (d["Type"] == nil || c.name(d, "Type") == "Action") {
		if slices.Contains(forbiddenActions, s) {
			c.fail("6.5.1", "a %s action is used", s)
		}
		if s == "Named" && !slices.Contains(namedActions, c.name(d, "N")) {
			c.fail("6.5.1", "a named action %s is used (only NextPage, PrevPage, FirstPage, LastPage)", c.name(d, "N"))
		}
	}
	if _, ok := d["JS"]; ok {
		c.fail("6.5.1", "a JavaScript (JS) entry is present")
	}
	if t := c.name(d, "Type"); t == "ExtGState" || t == "" {
		c.checkGraphicsState(d)
	}
	switch c.name(d, "Type") {
	case "Font":
		c.checkFont(d)
	case "Sig":
		c.checkSignature(d)
	}
	if cs, ok := d["ColorSpace"]; ok && c.name(d, "Subtype") != "Image" {
		// Resource dictionaries name their colour spaces.
		if res := c.dict(cs); res != nil {
			for _, v := range res {
				c.colourSpace(v, dev, 0)
			}
		}
	}
}

func (c *checker) checkGraphicsState(d types.Dict) {
	if _, ok := d["TR"]; ok {
		c.fail("6.2.5", "a graphics state has a TR (transfer function) entry")
	}
	if tr2, ok := d["TR2"]; ok {
		if n, _ := tr2.(types.Name); n != "Default" {
			c.fail("6.2.5", "a graphics state has a TR2 entry other than Default")
		}
	}
	if _, ok := d["HTP"]; ok {
		c.fail("6.2.5", "a graphics state has an HTP entry")
	}
	if bm := c.name(d, "BM"); bm != "" && !slices.Contains(blendModes, bm) {
		c.fail("6.2.10", "a graphics state uses blend mode %s", bm)
	}
	if ri := c.name(d, "RI"); ri != "" && !slices.Contains(renderIntents, ri) {
		c.fail("6.2.6", "a graphics state uses rendering intent %s", ri)
	}
}
