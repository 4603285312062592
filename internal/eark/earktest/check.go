// Package earktest checks an E-ARK package sohoa wrote as the archive receiving it would: it opens
// with a plain unzip, its METS documents (root and representations) pass xmllint against the METS
// schema with CSIP's extension and its PREMIS against PREMIS 3, the CSIP MUST rules that apply
// hold, and every file is listed with the SHA-256 and size it really has. For tests only.
package earktest

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Package is a package read back.
type Package struct {
	Root   string            // its root folder's name (its OBJID)
	Files  map[string][]byte // by path under the root folder
	METS   *Node             // the root METS.xml
	Reps   map[string]*Node  // representation METS, by their path
	PREMIS *Node
}

// Check reads the ZIP file zipPath and checks it; every failure is reported on t.
func Check(t testing.TB, zipPath string) Package {
	t.Helper()
	if out, err := exec.Command("unzip", "-t", zipPath).CombinedOutput(); err != nil {
		t.Errorf("unzip -t: %v\n%s", err, out)
	}
	p := read(t, zipPath)
	dir := extract(t, p)
	validate(t, dir, p)
	for _, c := range rules {
		if err := c.check(p); err != nil {
			t.Errorf("%s (%s): %v", c.id, c.what, err)
		}
	}
	checksums(t, p)
	return p
}

// read opens the ZIP: it must unpack into one root folder holding METS.xml (CSIPSTR1, 3, 4).
func read(t testing.TB, zipPath string) Package {
	t.Helper()
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatalf("open package: %v", err)
	}
	defer zr.Close()
	p := Package{Files: map[string][]byte{}, Reps: map[string]*Node{}}
	for _, f := range zr.File {
		root, name, _ := strings.Cut(f.Name, "/")
		if p.Root == "" {
			p.Root = root
		}
		if root != p.Root || name == "" {
			t.Errorf("%s is outside the one root folder %s", f.Name, p.Root)
			continue
		}
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		p.Files[name] = b
	}
	p.METS = mustParse(t, p, "METS.xml")
	for name := range p.Files {
		if strings.HasPrefix(name, "representations/") && path.Base(name) == "METS.xml" {
			p.Reps[name] = mustParse(t, p, name)
		}
	}
	p.PREMIS = mustParse(t, p, "metadata/preservation/premis.xml")
	return p
}

func mustParse(t testing.TB, p Package, name string) *Node {
	t.Helper()
	b, ok := p.Files[name]
	if !ok {
		t.Fatalf("the package has no %s", name)
	}
	n, err := parse(b)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return n
}

// extract writes the package's files into a folder, for xmllint.
func extract(t testing.TB, p Package) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), p.Root)
	for name, b := range p.Files {
		f := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// csipSchema makes METS' lax extension attributes checked too: the METS schema and CSIP's
// extension schema together, from the package's own schemas/ folder.
const csipSchema = `<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:sohoa:earktest" elementFormDefault="qualified">
  <xs:import namespace="http://www.loc.gov/METS/" schemaLocation="schemas/mets.xsd"/>
  <xs:import namespace="https://DILCIS.eu/XML/METS/CSIPExtensionMETS" schemaLocation="schemas/DILCISExtensionMETS.xsd"/>
</xs:schema>
`

// validate runs xmllint --schema on every METS document and on the PREMIS file, with the schemas
// the package carries (which are the ones kept in internal/eark/schemas), never the network.
func validate(t testing.TB, dir string, p Package) {
	t.Helper()
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Fatal("xmllint is needed (Debian package libxml2-utils; scripts/services installs it)")
	}
	wrapper := filepath.Join(dir, "mets-csip.xsd")
	if err := os.WriteFile(wrapper, []byte(csipSchema), 0o644); err != nil {
		t.Fatal(err)
	}
	docs := map[string]string{"METS.xml": wrapper, "metadata/preservation/premis.xml": filepath.Join(dir, "schemas", "premis.xsd")}
	for name := range p.Reps {
		docs[name] = wrapper
	}
	for name, schema := range docs {
		out, err := exec.Command("xmllint", "--noout", "--nonet", "--schema", schema, filepath.Join(dir, filepath.FromSlash(name))).CombinedOutput()
		if err != nil || !bytes.Contains(out, []byte("validates")) {
			t.Errorf("xmllint --schema %s %s: %v\n%s", filepath.Base(schema), name, err, out)
		}
	}
}

// checksums checks that every file of the package but the root METS.xml is listed, by a METS
// document, with its real SHA-256 and size, and that PREMIS gives each data file's SHA-256 too.
func checksums(t testing.TB, p Package) {
	t.Helper()
	listed := map[string]*Node{}
	list := func(base string, n *Node, href string) {
		name := path.Clean(path.Join(base, n.Attrs[href]))
		if _, twice := listed[name]; twice {
			t.Errorf("%s is listed twice", name)
		}
		listed[name] = n
	}
	for _, sec := range []string{"dmdSec/mdRef", "amdSec/digiprovMD/mdRef"} {
		for _, n := range p.METS.All(sec) {
			list("", n, "xlink:href")
		}
	}
	for _, f := range p.METS.All("fileSec/fileGrp/file") {
		for _, l := range f.All("FLocat") {
			l.Attrs["CHECKSUM"], l.Attrs["SIZE"], l.Attrs["CHECKSUMTYPE"] = f.Attrs["CHECKSUM"], f.Attrs["SIZE"], f.Attrs["CHECKSUMTYPE"]
			list("", l, "xlink:href")
		}
	}
	for repPath, rep := range p.Reps {
		for _, f := range rep.All("fileSec/fileGrp/file") {
			for _, l := range f.All("FLocat") {
				l.Attrs["CHECKSUM"], l.Attrs["SIZE"], l.Attrs["CHECKSUMTYPE"] = f.Attrs["CHECKSUM"], f.Attrs["SIZE"], f.Attrs["CHECKSUMTYPE"]
				list(path.Dir(repPath), l, "xlink:href")
			}
		}
	}
	for name, b := range p.Files {
		if name == "METS.xml" {
			continue
		}
		n, ok := listed[name]
		if !ok {
			t.Errorf("%s is in the package but no METS lists it", name)
			continue
		}
		if got := sha256hex(b); n.Attrs["CHECKSUMTYPE"] != "SHA-256" || n.Attrs["CHECKSUM"] != got {
			t.Errorf("%s: METS says %s %s, its SHA-256 is %s", name, n.Attrs["CHECKSUMTYPE"], n.Attrs["CHECKSUM"], got)
		}
		if n.Attrs["SIZE"] != strconv.Itoa(len(b)) {
			t.Errorf("%s: METS says %s bytes, it has %d", name, n.Attrs["SIZE"], len(b))
		}
		delete(listed, name)
	}
	for name := range listed {
		t.Errorf("METS lists %s, which the package does not hold", name)
	}
	for _, o := range p.PREMIS.All("object") {
		id := o.All("objectIdentifier/objectIdentifierValue")
		digest := o.All("objectCharacteristics/fixity/messageDigest")
		if len(id) == 0 || len(digest) == 0 {
			continue // the dossiers (intellectual entities) have no fixity
		}
		if b, ok := p.Files[id[0].Text]; !ok || sha256hex(b) != digest[0].Text {
			t.Errorf("PREMIS gives %s the SHA-256 %s; the package holds it %v", id[0].Text, digest[0].Text, ok)
		}
	}
}

func sha256hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
