package eark

import (
	"encoding/xml"
	"fmt"
	"time"

	"github.com/sohoa-vn/sohoa/internal/code"
)

// The namespaces a METS document of a package uses, and where the package's schemas for them are.
const (
	nsXLink        = "http://www.w3.org/1999/xlink"
	nsCSIP         = "https://DILCIS.eu/XML/METS/CSIPExtensionMETS"
	nsXSI          = "http://www.w3.org/2001/XMLSchema-instance"
	schemaLocation = "http://www.loc.gov/METS/ %[1]sschemas/mets.xsd http://www.w3.org/1999/xlink %[1]sschemas/xlink.xsd " +
		"https://DILCIS.eu/XML/METS/CSIPExtensionMETS %[1]sschemas/DILCISExtensionMETS.xsd"
)

// What the content is, in CSIP's vocabularies: scanned papers are textual works in digital form;
// no E-ARK content information type specification covers them, so it is OTHER, named after the
// circular whose metadata the package carries.
const (
	contentCategory  = "Textual works – Digital"
	contentInfoType  = "OTHER"
	otherContentInfo = "Thông tư 05/2025/TT-BNV"
)

// metsDoc is a METS document: a package's root METS.xml or a representation's. Prefixed names are
// written as they are, with their namespaces declared on the root element (encoding/xml would
// otherwise declare them again on every element).
type metsDoc struct {
	XMLName        xml.Name  `xml:"http://www.loc.gov/METS/ mets"`
	XLink          string    `xml:"xmlns:xlink,attr"`
	CSIP           string    `xml:"xmlns:csip,attr"`
	XSI            string    `xml:"xmlns:xsi,attr"`
	SchemaLocation string    `xml:"xsi:schemaLocation,attr"`
	OBJID          string    `xml:"OBJID,attr"`
	Label          string    `xml:"LABEL,attr,omitempty"`
	Type           string    `xml:"TYPE,attr"`
	ContentInfo    string    `xml:"csip:CONTENTINFORMATIONTYPE,attr"`
	OtherContent   string    `xml:"csip:OTHERCONTENTINFORMATIONTYPE,attr"`
	Profile        string    `xml:"PROFILE,attr"`
	Hdr            metsHdr   `xml:"metsHdr"`
	DmdSecs        []dmdSec  `xml:"dmdSec"`
	AmdSecs        []amdSec  `xml:"amdSec"`
	FileSec        fileSec   `xml:"fileSec"`
	StructMap      structMap `xml:"structMap"`
}

type metsHdr struct {
	CreateDate  string      `xml:"CREATEDATE,attr"`
	PackageType string      `xml:"csip:OAISPACKAGETYPE,attr"`
	Agents      []metsAgent `xml:"agent"`
}

type metsAgent struct {
	Role      string    `xml:"ROLE,attr"`
	Type      string    `xml:"TYPE,attr"`
	OtherType string    `xml:"OTHERTYPE,attr,omitempty"`
	Name      string    `xml:"name"`
	Note      *metsNote `xml:"note"`
}

type metsNote struct {
	Type string `xml:"csip:NOTETYPE,attr"`
	Text string `xml:",chardata"`
}

type dmdSec struct {
	ID      string `xml:"ID,attr"`
	Created string `xml:"CREATED,attr"`
	Status  string `xml:"STATUS,attr"`
	Ref     mdRef  `xml:"mdRef"`
}

type amdSec struct {
	ID       string  `xml:"ID,attr"`
	Digiprov []mdSec `xml:"digiprovMD"`
}

type mdSec struct {
	ID     string `xml:"ID,attr"`
	Status string `xml:"STATUS,attr"`
	Ref    mdRef  `xml:"mdRef"`
}

type mdRef struct {
	LocType      string `xml:"LOCTYPE,attr"`
	XType        string `xml:"xlink:type,attr"`
	Href         string `xml:"xlink:href,attr"`
	MDType       string `xml:"MDTYPE,attr"`
	OtherMDType  string `xml:"OTHERMDTYPE,attr,omitempty"`
	MIMEType     string `xml:"MIMETYPE,attr"`
	Size         int64  `xml:"SIZE,attr"`
	Created      string `xml:"CREATED,attr"`
	Checksum     string `xml:"CHECKSUM,attr"`
	ChecksumType string `xml:"CHECKSUMTYPE,attr"`
}

type fileSec struct {
	ID   string    `xml:"ID,attr"`
	Grps []fileGrp `xml:"fileGrp"`
}

type fileGrp struct {
	ID           string     `xml:"ID,attr"`
	Use          string     `xml:"USE,attr"`
	ContentInfo  string     `xml:"csip:CONTENTINFORMATIONTYPE,attr,omitempty"`
	OtherContent string     `xml:"csip:OTHERCONTENTINFORMATIONTYPE,attr,omitempty"`
	Files        []metsFile `xml:"file"`
}

type metsFile struct {
	ID           string `xml:"ID,attr"`
	MIMEType     string `xml:"MIMETYPE,attr"`
	Size         int64  `xml:"SIZE,attr"`
	Created      string `xml:"CREATED,attr"`
	Checksum     string `xml:"CHECKSUM,attr"`
	ChecksumType string `xml:"CHECKSUMTYPE,attr"`
	FLocat       flocat `xml:"FLocat"`
}

type flocat struct {
	LocType string `xml:"LOCTYPE,attr"`
	XType   string `xml:"xlink:type,attr"`
	Href    string `xml:"xlink:href,attr"`
}

type structMap struct {
	ID    string `xml:"ID,attr"`
	Type  string `xml:"TYPE,attr"`
	Label string `xml:"LABEL,attr"`
	Div   div    `xml:"div"`
}

// div's children come in the order METS requires: mptr, fptr, div.
type div struct {
	ID    string `xml:"ID,attr"`
	Label string `xml:"LABEL,attr"`
	DMDID string `xml:"DMDID,attr,omitempty"`
	ADMID string `xml:"ADMID,attr,omitempty"`
	Mptrs []mptr `xml:"mptr"`
	Fptrs []fptr `xml:"fptr"`
	Divs  []div  `xml:"div"`
}

type fptr struct {
	FileID string `xml:"FILEID,attr"`
}

type mptr struct {
	LocType string `xml:"LOCTYPE,attr"`
	XType   string `xml:"xlink:type,attr"`
	Href    string `xml:"xlink:href,attr"`
	Title   string `xml:"xlink:title,attr"`
}

// agent is the software that made a package, as its METS headers name it.
type agent struct{ name, version string }

// newMETS is a METS document of a package with its header; schemas is the path from the
// document's folder to the package's root ("" or "../../").
func newMETS(objid, label, schemas string, created time.Time, a agent) metsDoc {
	return metsDoc{XLink: nsXLink, CSIP: nsCSIP, XSI: nsXSI, SchemaLocation: fmt.Sprintf(schemaLocation, schemas),
		OBJID: objid, Label: label, Type: contentCategory, ContentInfo: contentInfoType, OtherContent: otherContentInfo,
		Profile: Profile, Hdr: metsHdr{CreateDate: timestamp(created), PackageType: "SIP", Agents: []metsAgent{{
			Role: "CREATOR", Type: "OTHER", OtherType: "SOFTWARE", Name: a.name,
			Note: &metsNote{Type: "SOFTWARE VERSION", Text: a.version}}}}}
}

// csipMap is the structural map CSIP requires, around the package's or representation's divisions.
func csipMap(id, label string, divs ...div) structMap {
	return structMap{ID: "structmap-csip", Type: "PHYSICAL", Label: "CSIP", Div: div{ID: id, Label: label, Divs: divs}}
}

func fileOf(id, href string, e entry) metsFile {
	return metsFile{ID: id, MIMEType: e.MIME, Size: e.Size, Created: timestamp(e.Created), Checksum: e.SHA256,
		ChecksumType: "SHA-256", FLocat: flocat{LocType: "URL", XType: "simple", Href: href}}
}

func refOf(e entry, mdType, other string) mdRef {
	return mdRef{LocType: "URL", XType: "simple", Href: e.Path, MDType: mdType, OtherMDType: other, MIMEType: e.MIME,
		Size: e.Size, Created: timestamp(e.Created), Checksum: e.SHA256, ChecksumType: "SHA-256"}
}

// timestamp writes t as xsd:dateTime in Vietnam's time.
func timestamp(t time.Time) string { return t.In(code.Vietnam).Format(time.RFC3339) }

// marshal is v as an XML document.
func marshal(v any) ([]byte, error) {
	b, err := xml.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), append(b, '\n')...), nil
}
