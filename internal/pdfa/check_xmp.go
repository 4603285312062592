package pdfa

import (
	"bytes"
	"encoding/xml"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

var (
	pdfaidRE       = regexp.MustCompile(`pdfaid:part|http://www.aiim.org/pdfa/ns/id/`)
	xpacketStartRE = regexp.MustCompile(`<\?xpacket\s+begin=[^>]*\?>`)
)

const (
	nsRDF        = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
	nsPDFAID     = "http://www.aiim.org/pdfa/ns/id/"
	nsPDFASchema = "http://www.aiim.org/pdfa/ns/schema#"
	nsDC         = "http://purl.org/dc/elements/1.1/"
	nsXMP        = "http://ns.adobe.com/xap/1.0/"
	nsPDF        = "http://ns.adobe.com/pdf/1.3/"
)

// predefinedNS are the schemas of the XMP specification (2004) that
// PDF/A-2 admits without an extension schema (6.6.2.3.1), plus the PDF/A
// identification and extension schemas themselves.
var predefinedNS = map[string]bool{
	nsDC: true, nsXMP: true, nsPDF: true, nsPDFAID: true,
	"http://ns.adobe.com/xap/1.0/rights/":              true,
	"http://ns.adobe.com/xap/1.0/mm/":                  true,
	"http://ns.adobe.com/xap/1.0/bj/":                  true,
	"http://ns.adobe.com/xap/1.0/t/pg/":                true,
	"http://ns.adobe.com/xmp/1.0/DynamicMedia/":        true,
	"http://ns.adobe.com/photoshop/1.0/":               true,
	"http://ns.adobe.com/camera-raw-settings/1.0/":     true,
	"http://ns.adobe.com/tiff/1.0/":                    true,
	"http://ns.adobe.com/exif/1.0/":                    true,
	"http://ns.adobe.com/exif/1.0/aux/":                true,
	"http://www.aiim.org/pdfa/ns/extension/":           true,
	"http://www.aiim.org/pdfa/ns/schema#":              true,
	"http://www.aiim.org/pdfa/ns/property#":            true,
	"http://www.aiim.org/pdfa/ns/type#":                true,
	"http://www.aiim.org/pdfa/ns/field#":               true,
	"http://ns.adobe.com/xap/1.0/g/img/":               true,
	"http://ns.adobe.com/xap/1.0/sType/ResourceRef#":   true,
	"http://ns.adobe.com/xap/1.0/sType/ResourceEvent#": true,
	"http://ns.adobe.com/xap/1.0/sType/Version#":       true,
	"http://ns.adobe.com/xap/1.0/sType/Job#":           true,
	"http://ns.adobe.com/xap/1.0/sType/Dimensions#":    true,
	"http://ns.adobe.com/xap/1.0/sType/Font#":          true,
	"http://ns.adobe.com/xmp/Identifier/qual/1.0/":     true,
}

// xmpProps is what the checker reads from an XMP packet: the first value
// of each top-level property, keyed by namespace and local name, the
// namespaces top-level properties use, and the namespaces declared by
// extension schemas.
type xmpProps struct {
	values   map[xml.Name]string
	used     map[string]bool
	declared map[string]bool
}

// parseXMP reads the RDF of a packet. It does not validate RDF fully: it
// takes, for each property of an rdf:Description (as element or attribute),
// its text or its first rdf:li's text.
func parseXMP(b []byte) (*xmpProps, error) {
	p := &xmpProps{values: map[xml.Name]string{}, used: map[string]bool{}, declared: map[string]bool{}}
	dec := xml.NewDecoder(bytes.NewReader(b))
	var stack []xml.Name
	descDepth := -1 // depth of the current rdf:Description
	var prop xml.Name
	var text strings.Builder
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return p, nil
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			stack = append(stack, t.Name)
			depth := len(stack)
			switch {
			case t.Name.Space == nsRDF && t.Name.Local == "Description" && descDepth < 0:
				descDepth = depth
				for _, a := range t.Attr {
					if a.Name.Space == "xmlns" || a.Name.Space == nsRDF || a.Name.Space == "" || a.Name.Space == "xml" {
						continue
					}
					p.used[a.Name.Space] = true
					p.set(a.Name, a.Value)
				}
			case descDepth > 0 && depth == descDepth+1:
				prop = t.Name
				p.used[t.Name.Space] = true
				text.Reset()
			}
		case xml.CharData:
			if prop.Local != "" {
				text.Write(t)
			}
		case xml.EndElement:
			depth := len(stack)
			stack = stack[:depth-1]
			switch {
			case descDepth > 0 && t.Name.Space == nsPDFASchema && t.Name.Local == "namespaceURI":
				p.declared[strings.TrimSpace(text.String())] = true
				text.Reset()
			case depth == descDepth+1:
				p.set(prop, strings.TrimSpace(text.String()))
				prop = xml.Name{}
			case depth == descDepth:
				descDepth = -1
			case prop.Local != "" && t.Name.Space == nsRDF && t.Name.Local == "li":
				// Keep the first list item only.
				if _, ok := p.values[prop]; !ok {
					p.set(prop, strings.TrimSpace(text.String()))
				}
			}
			if descDepth > 0 && depth > descDepth+1 && t.Name.Space == nsPDFASchema {
				text.Reset()
			}
		}
	}
}

func (p *xmpProps) set(n xml.Name, v string) {
	if _, ok := p.values[n]; !ok {
		p.values[n] = v
	}
}

// checkMetadata covers 6.6: the catalog's XMP stream, its packet header,
// well-formedness, the PDF/A identification, extension schemas and the
// agreement of the information dictionary with it.
func (c *checker) checkMetadata(root types.Dict) {
	sd := c.stream(root["Metadata"])
	if sd == nil {
		c.fail("6.6.2.1", "the catalog has no Metadata stream")
		c.fail("6.6.4", "no PDF/A identification (pdfaid) in XMP metadata")
		return
	}
	if c.name(sd.Dict, "Type") != "Metadata" || c.name(sd.Dict, "Subtype") != "XML" {
		c.fail("6.6.2.1", "the catalog Metadata stream is not of Type Metadata and Subtype XML")
	}
	b := decoded(sd)
	if b == nil {
		c.fail("6.6.2.1", "the Metadata stream cannot be decoded")
		return
	}
	if h := xpacketStartRE.Find(b); h != nil && (bytes.Contains(h, []byte("bytes=")) || bytes.Contains(h, []byte("encoding="))) {
		c.fail("6.6.2.1", "the XMP packet header has a bytes or encoding attribute")
	}
	p, err := parseXMP(b)
	if err != nil {
		c.fail("6.6.2.1", "the XMP metadata is not well-formed XML: %v", err)
		c.fail("6.6.4", "no readable PDF/A identification (pdfaid) in XMP metadata")
		return
	}
	part := p.values[xml.Name{Space: nsPDFAID, Local: "part"}]
	conf := p.values[xml.Name{Space: nsPDFAID, Local: "conformance"}]
	switch {
	case part == "" && conf == "":
		c.fail("6.6.4", "the XMP metadata has no pdfaid:part and pdfaid:conformance")
	case part != "2":
		c.fail("6.6.4", "pdfaid:part is %q, not 2", part)
	case conf != "A" && conf != "B" && conf != "U":
		c.fail("6.6.4", "pdfaid:conformance is %q, not A, B or U", conf)
	}
	c.conformance = conf
	for ns := range p.used {
		if !predefinedNS[ns] && !p.declared[ns] {
			c.fail("6.6.2.3.1", "XMP properties in namespace %s are not declared by a PDF/A extension schema", ns)
		}
	}
	c.checkInfo(p)
}

// infoXMP pairs each Info entry with the XMP property that must repeat it.
var infoXMP = []struct {
	key  string
	prop xml.Name
}{
	{"Title", xml.Name{Space: nsDC, Local: "title"}},
	{"Author", xml.Name{Space: nsDC, Local: "creator"}},
	{"Subject", xml.Name{Space: nsDC, Local: "description"}},
	{"Keywords", xml.Name{Space: nsPDF, Local: "Keywords"}},
	{"Creator", xml.Name{Space: nsXMP, Local: "CreatorTool"}},
	{"Producer", xml.Name{Space: nsPDF, Local: "Producer"}},
	{"CreationDate", xml.Name{Space: nsXMP, Local: "CreateDate"}},
	{"ModDate", xml.Name{Space: nsXMP, Local: "ModifyDate"}},
}

// checkInfo: every Info entry with an XMP analogue has an equivalent value
// there (dates compared as instants).
func (c *checker) checkInfo(p *xmpProps) {
	if c.xt.Info == nil {
		return
	}
	info := c.dict(*c.xt.Info)
	for _, e := range infoXMP {
		o, ok := info[e.key]
		if !ok {
			continue
		}
		o, _ = c.xt.Dereference(o)
		s, err := types.StringOrHexLiteral(o)
		if err != nil || s == nil {
			continue
		}
		x, ok := p.values[e.prop]
		if !ok {
			c.fail("6.6.3", "Info %s is set but the XMP metadata has no %s", e.key, e.prop.Local)
			continue
		}
		if strings.HasSuffix(e.key, "Date") {
			it, ok1 := types.DateTime(*s, true)
			xt, ok2 := parseXMPDate(x)
			if !ok1 || !ok2 || !it.Equal(xt) {
				c.fail("6.6.3", "Info %s %q differs from XMP %s %q", e.key, *s, e.prop.Local, x)
			}
			continue
		}
		if normalize(*s) != normalize(x) {
			c.fail("6.6.3", "Info %s %q differs from XMP %s %q", e.key, *s, e.prop.Local, x)
		}
	}
}

func parseXMPDate(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
