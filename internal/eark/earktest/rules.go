package earktest

import (
	"fmt"
	"path"
	"slices"
	"strings"
)

// rule is one CSIP 2.2 requirement of level MUST that applies to sohoa's packages, checked on the
// package read back.
type rule struct {
	id, what string
	check    func(Package) error
}

// rules are checked in order. "every METS" rules hold for the root METS and each representation's.
var rules = []rule{
	{"CSIPSTR4", "the root folder holds METS.xml, representations/ and metadata/", func(p Package) error {
		for _, want := range []string{"METS.xml", "metadata/preservation/premis.xml"} {
			if _, ok := p.Files[want]; !ok {
				return fmt.Errorf("no %s", want)
			}
		}
		if len(p.Reps) == 0 {
			return fmt.Errorf("no representations/<rep>/METS.xml")
		}
		return nil
	}},
	{"CSIP1", "every METS has an OBJID; the root's is the root folder's name", everyMETS(func(name string, m *Node, p Package) error {
		if m.Attrs["OBJID"] == "" || (name == "METS.xml" && m.Attrs["OBJID"] != p.Root) {
			return fmt.Errorf("OBJID %q, root folder %q", m.Attrs["OBJID"], p.Root)
		}
		return nil
	})},
	{"CSIP2", "every METS has a TYPE", everyMETS(attrPresent("TYPE"))},
	{"CSIP4", "a representation's METS states its content information type", everyMETS(func(name string, m *Node, _ Package) error {
		if m.Attrs["csip:CONTENTINFORMATIONTYPE"] == "" {
			return fmt.Errorf("%s has no csip:CONTENTINFORMATIONTYPE", name)
		}
		return nil
	})},
	{"CSIP6", "every METS names the CSIP profile", everyMETS(func(name string, m *Node, _ Package) error {
		if m.Attrs["PROFILE"] != "https://earkcsip.dilcis.eu/profile/E-ARK-CSIP.xml" {
			return fmt.Errorf("%s: PROFILE %q", name, m.Attrs["PROFILE"])
		}
		return nil
	})},
	{"CSIP117, 7, 9", "a header with its creation time and the OAIS package type", everyMETS(func(name string, m *Node, _ Package) error {
		h := m.All("metsHdr")
		if len(h) != 1 || h[0].Attrs["CREATEDATE"] == "" || h[0].Attrs["csip:OAISPACKAGETYPE"] == "" {
			return fmt.Errorf("%s: metsHdr %v", name, h)
		}
		return nil
	})},
	{"CSIP10–16", "the creating software as agent: CREATOR, OTHER, SOFTWARE, a name and its version", everyMETS(func(name string, m *Node, _ Package) error {
		for _, a := range m.All("metsHdr/agent") {
			notes := a.All("note")
			if a.Attrs["ROLE"] == "CREATOR" && a.Attrs["TYPE"] == "OTHER" && a.Attrs["OTHERTYPE"] == "SOFTWARE" &&
				len(a.All("name")) == 1 && a.All("name")[0].Text != "" && len(notes) == 1 && notes[0].Attrs["csip:NOTETYPE"] == "SOFTWARE VERSION" {
				return nil
			}
		}
		return fmt.Errorf("%s has no creating software agent", name)
	})},
	{"CSIP18–30", "descriptive metadata referenced by ID, creation time, URL, type, MIME type, size, time and checksum", func(p Package) error {
		secs := p.METS.All("dmdSec")
		if len(secs) == 0 {
			return fmt.Errorf("no dmdSec")
		}
		for _, s := range secs {
			if err := present(s, "ID", "CREATED"); err != nil {
				return err
			}
			if err := mdRef(s); err != nil {
				return err
			}
		}
		return nil
	}},
	{"CSIP33–44", "the PREMIS file referenced from amdSec/digiprovMD with the same attributes", func(p Package) error {
		secs := p.METS.All("amdSec/digiprovMD")
		if len(secs) != 1 {
			return fmt.Errorf("%d digiprovMD", len(secs))
		}
		if err := present(secs[0], "ID"); err != nil {
			return err
		}
		if err := mdRef(secs[0]); err != nil {
			return err
		}
		if r := secs[0].All("mdRef")[0]; r.Attrs["MDTYPE"] != "PREMIS" || r.Attrs["xlink:href"] != "metadata/preservation/premis.xml" {
			return fmt.Errorf("digiprovMD refers to %v", r.Attrs)
		}
		return nil
	}},
	{"CSIP59, 64–72, 76–79", "every file of every fileSec with ID, MIME type, size, creation time, SHA-256 and a URL locator", everyMETS(func(name string, m *Node, _ Package) error {
		secs := m.All("fileSec")
		if len(secs) != 1 || secs[0].Attrs["ID"] == "" {
			return fmt.Errorf("%s: %d fileSec", name, len(secs))
		}
		for _, g := range secs[0].All("fileGrp") {
			if err := present(g, "ID", "USE"); err != nil {
				return err
			}
			if len(g.All("file")) == 0 {
				return fmt.Errorf("%s: file group %s is empty", name, g.Attrs["ID"])
			}
			for _, f := range g.All("file") {
				if err := present(f, "ID", "MIMETYPE", "SIZE", "CREATED", "CHECKSUM"); err != nil {
					return err
				}
				if f.Attrs["CHECKSUMTYPE"] != "SHA-256" {
					return fmt.Errorf("%s: file %s has CHECKSUMTYPE %q", name, f.Attrs["ID"], f.Attrs["CHECKSUMTYPE"])
				}
				l := f.All("FLocat")
				if len(l) != 1 || l[0].Attrs["LOCTYPE"] != "URL" || l[0].Attrs["xlink:type"] != "simple" || l[0].Attrs["xlink:href"] == "" {
					return fmt.Errorf("%s: file %s locator %v", name, f.Attrs["ID"], l)
				}
			}
		}
		return nil
	})},
	{"CSIP60, 113, 114", "the root's file groups Documentation, Schemas and one per representation", func(p Package) error {
		uses := map[string]bool{}
		for _, g := range p.METS.All("fileSec/fileGrp") {
			uses[g.Attrs["USE"]] = true
		}
		for rep := range p.Reps {
			if want := "Representations/" + path.Base(path.Dir(rep)); !uses[want] {
				return fmt.Errorf("no file group %s", want)
			}
		}
		if !uses["Documentation"] || !uses["Schemas"] {
			return fmt.Errorf("file groups %v", uses)
		}
		return nil
	}},
	{"CSIP80–85", "one structMap of TYPE PHYSICAL, LABEL CSIP, with an ID and one division with an ID", everyMETS(func(name string, m *Node, _ Package) error {
		var csip []*Node
		for _, s := range m.All("structMap") {
			if s.Attrs["LABEL"] == "CSIP" {
				csip = append(csip, s)
			}
		}
		if len(csip) != 1 || csip[0].Attrs["TYPE"] != "PHYSICAL" || csip[0].Attrs["ID"] == "" {
			return fmt.Errorf("%s: CSIP structMaps %v", name, csip)
		}
		if d := csip[0].All("div"); len(d) != 1 || d[0].Attrs["ID"] == "" {
			return fmt.Errorf("%s: %d main divisions", name, len(d))
		}
		return nil
	})},
	{"CSIP88–90", "a Metadata division, referencing the metadata sections", func(p Package) error {
		for _, d := range p.METS.All("structMap/div/div") {
			if d.Attrs["LABEL"] == "Metadata" {
				return references(p.METS, d)
			}
		}
		return fmt.Errorf("no Metadata division")
	}},
	{"CSIP94–95, 98–99, 116, 118", "Documentation and Schemas divisions pointing at their file groups", func(p Package) error {
		for _, label := range []string{"Documentation", "Schemas"} {
			if err := divisionPointsAt(p.METS, label, label); err != nil {
				return err
			}
		}
		return nil
	}},
	{"CSIP106–112", "a division per representation, labelled with its path, with a METS pointer to its METS.xml", func(p Package) error {
		for rep := range p.Reps {
			label := "Representations/" + path.Base(path.Dir(rep))
			found := false
			for _, d := range p.METS.All("structMap/div/div") {
				if d.Attrs["LABEL"] != label || d.Attrs["ID"] == "" {
					continue
				}
				m := d.All("mptr")
				if len(m) == 1 && m[0].Attrs["xlink:href"] == rep && m[0].Attrs["xlink:type"] == "simple" && m[0].Attrs["LOCTYPE"] == "URL" && m[0].Attrs["xlink:title"] != "" {
					found = true
				}
			}
			if !found {
				return fmt.Errorf("no division %s pointing at %s", label, rep)
			}
		}
		return nil
	}},
}

// everyMETS applies f to the root METS and to each representation's.
func everyMETS(f func(name string, m *Node, p Package) error) func(Package) error {
	return func(p Package) error {
		if err := f("METS.xml", p.METS, p); err != nil {
			return err
		}
		for name, m := range p.Reps {
			if err := f(name, m, p); err != nil {
				return err
			}
		}
		return nil
	}
}

func attrPresent(a string) func(string, *Node, Package) error {
	return func(name string, m *Node, _ Package) error {
		if m.Attrs[a] == "" {
			return fmt.Errorf("%s has no %s", name, a)
		}
		return nil
	}
}

func present(n *Node, attrs ...string) error {
	for _, a := range attrs {
		if n.Attrs[a] == "" {
			return fmt.Errorf("%s %s has no %s", n.Name, n.Attrs["ID"], a)
		}
	}
	return nil
}

// mdRef checks the one mdRef of a metadata section (CSIP22–30, 36–44).
func mdRef(sec *Node) error {
	refs := sec.All("mdRef")
	if len(refs) != 1 {
		return fmt.Errorf("%s %s has %d mdRef", sec.Name, sec.Attrs["ID"], len(refs))
	}
	r := refs[0]
	if r.Attrs["LOCTYPE"] != "URL" || r.Attrs["xlink:type"] != "simple" || r.Attrs["CHECKSUMTYPE"] != "SHA-256" {
		return fmt.Errorf("%s %s: mdRef %v", sec.Name, sec.Attrs["ID"], r.Attrs)
	}
	return present(r, "xlink:href", "MDTYPE", "MIMETYPE", "SIZE", "CREATED", "CHECKSUM")
}

// references checks that the Metadata division names every dmdSec and digiprovMD.
func references(m, d *Node) error {
	names := strings.Fields(d.Attrs["DMDID"] + " " + d.Attrs["ADMID"])
	for _, sec := range append(m.All("dmdSec"), m.All("amdSec/digiprovMD")...) {
		if !slices.Contains(names, sec.Attrs["ID"]) {
			return fmt.Errorf("the Metadata division does not reference %s", sec.Attrs["ID"])
		}
	}
	return nil
}

func divisionPointsAt(m *Node, label, use string) error {
	groups := map[string]string{}
	for _, g := range m.All("fileSec/fileGrp") {
		groups[g.Attrs["ID"]] = g.Attrs["USE"]
	}
	for _, d := range m.All("structMap/div/div") {
		if d.Attrs["LABEL"] == label && d.Attrs["ID"] != "" {
			for _, f := range d.All("fptr") {
				if groups[f.Attrs["FILEID"]] == use {
					return nil
				}
			}
		}
	}
	return fmt.Errorf("no %s division pointing at the %s file group", label, use)
}
