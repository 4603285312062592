package eark

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/sohoa-vn/sohoa/internal/tt05"
)

// writeRepresentation writes the dossier's representation METS, listing its data files.
func writeRepresentation(pk *packer, p Package, d *dossierPart, a agent) error {
	doc := newMETS(d.rep, "Hồ sơ "+d.dossier.Code, "../../", p.Created, a)
	grp := fileGrp{ID: "grp-data", Use: "Representations/" + d.rep + "/data"}
	for i, pp := range d.papers {
		for j, e := range []entry{pp.signed, pp.original} {
			grp.Files = append(grp.Files, fileOf(fmt.Sprintf("file-%d-%d", i+1, j+1), relative(e.Path, d), e))
		}
	}
	doc.FileSec = fileSec{ID: "filesec-" + d.rep, Grps: []fileGrp{grp}}
	doc.StructMap = csipMap("div-representation", d.rep, div{ID: "div-metadata", Label: "Metadata"},
		div{ID: "div-data", Label: "Data", Fptrs: []fptr{{FileID: grp.ID}}})
	b, err := marshal(doc)
	if err == nil {
		_, err = pk.addBytes(repMETS(d), "application/xml", p.Created, b)
	}
	return wrap("representation METS of "+d.dossier.Code, err)
}

// description is a dossier's descriptive metadata: the dossier as received, and the Thông tư 05
// record of each of its papers in the package.
type description struct {
	Dossier   dossierRecord   `json:"dossier"`
	Documents []tt05.Metadata `json:"documents"`
}

type dossierRecord struct {
	Code          string    `json:"code"` // Thông tư 01/2018 Điều 19
	ProcedureCode string    `json:"procedure_code"`
	ProcedureName string    `json:"procedure_name"`
	Agency        string    `json:"agency"` // QCVN 102
	AgencyName    string    `json:"agency_name"`
	OwnerID       string    `json:"owner_id"`
	OwnerKind     string    `json:"owner_kind"`
	OwnerName     string    `json:"owner_name"`
	ReceivedAt    time.Time `json:"received_at"`
}

func writeDescription(pk *packer, created time.Time, d *dossierPart) error {
	ds := d.dossier
	desc := description{Dossier: dossierRecord{Code: ds.Code, ProcedureCode: ds.ProcedureCode, ProcedureName: ds.ProcedureName,
		Agency: ds.Agency, AgencyName: ds.AgencyName, OwnerID: ds.Owner.ID, OwnerKind: ds.Owner.Kind, OwnerName: ds.Owner.Name,
		ReceivedAt: ds.ReceivedAt}, Documents: []tt05.Metadata{}}
	for _, pp := range d.papers {
		desc.Documents = append(desc.Documents, tt05.Of(pp.paper))
	}
	b, err := json.MarshalIndent(desc, "", "  ")
	if err == nil {
		_, err = pk.addBytes(descriptionPath(d), "application/json", created, append(b, '\n'))
	}
	return wrap("descriptive metadata of "+ds.Code, err)
}

// readme is the package's documentation, for the archivist who opens it.
const readme = `Gói thông tin nộp lưu (E-ARK CSIP 2.2) do %s tạo lúc %s.

Gói gồm %d hồ sơ. Mỗi hồ sơ là một biểu diễn (representations/<mã hồ sơ>/) với METS.xml riêng; thư mục
data/ chứa bản PDF/A đã ký số của từng giấy tờ (<mã>.01.pdf) và tệp gốc như khi tiếp nhận
(<mã>.original.*). metadata/descriptive/ giữ thông tin hồ sơ và siêu dữ liệu theo Thông tư 05/2025/TT-BNV
của từng giấy tờ (JSON); metadata/preservation/premis.xml giữ mã băm SHA-256 của từng tệp, các sự kiện
(tiếp nhận, nhận dạng ký tự, cấp mã, ký số, lưu trữ, dùng lại) và người hay phần mềm thực hiện.
Mọi tệp đều có mã băm SHA-256 trong METS.xml; schemas/ giữ các lược đồ XML để kiểm tra không cần mạng.
`

// writeFixed writes the documentation and the schemas.
func writeFixed(pk *packer, p Package) error {
	text := fmt.Sprintf(readme, "sohoa", timestamp(p.Created), len(p.Dossiers))
	if _, err := pk.addBytes("documentation/README.txt", "text/plain", p.Created, []byte(text)); err != nil {
		return err
	}
	names, err := fs.Glob(Schemas, "schemas/*.xsd")
	if err != nil {
		return err
	}
	for _, n := range names {
		b, err := fs.ReadFile(Schemas, n)
		if err == nil {
			_, err = pk.addBytes(n, "application/xml", p.Created, b)
		}
		if err != nil {
			return wrap("schema "+n, err)
		}
	}
	return nil
}

// writeRoot writes the package's METS.xml: its metadata by reference, its documentation, schemas
// and representations in the file section, and CSIP's structural map over them.
func writeRoot(pk *packer, p Package, parts []*dossierPart, a agent) error {
	doc := newMETS(p.ID, fmt.Sprintf("Hồ sơ số hóa nộp lưu (%d hồ sơ)", len(parts)), "", p.Created, a)
	byPath := map[string]entry{}
	for _, e := range pk.entries {
		byPath[e.Path] = e
	}
	var dmdIDs []string
	for i, d := range parts {
		id := fmt.Sprintf("dmd-%d", i+1)
		dmdIDs = append(dmdIDs, id)
		doc.DmdSecs = append(doc.DmdSecs, dmdSec{ID: id, Created: timestamp(p.Created), Status: "CURRENT",
			Ref: refOf(byPath[descriptionPath(d)], "OTHER", "TT05-2025")})
	}
	doc.AmdSecs = []amdSec{{ID: "amd-1", Digiprov: []mdSec{{ID: "digiprov-premis", Status: "CURRENT",
		Ref: refOf(byPath[premisPath], "PREMIS", "")}}}}
	doc.FileSec = fileSec{ID: "filesec-root"}
	docs := fileGrp{ID: "grp-documentation", Use: "Documentation"}
	schemas := fileGrp{ID: "grp-schemas", Use: "Schemas"}
	for i, e := range pk.entries {
		switch {
		case strings.HasPrefix(e.Path, "documentation/"):
			docs.Files = append(docs.Files, fileOf(fmt.Sprintf("file-doc-%d", i+1), e.Path, e))
		case strings.HasPrefix(e.Path, "schemas/"):
			schemas.Files = append(schemas.Files, fileOf(fmt.Sprintf("file-schema-%d", i+1), e.Path, e))
		}
	}
	doc.FileSec.Grps = append(doc.FileSec.Grps, docs, schemas)
	divs := []div{{ID: "div-metadata", Label: "Metadata", DMDID: strings.Join(dmdIDs, " "), ADMID: "digiprov-premis"},
		{ID: "div-documentation", Label: "Documentation", Fptrs: []fptr{{FileID: docs.ID}}},
		{ID: "div-schemas", Label: "Schemas", Fptrs: []fptr{{FileID: schemas.ID}}}}
	for i, d := range parts {
		grp := fileGrp{ID: fmt.Sprintf("grp-rep-%d", i+1), Use: "Representations/" + d.rep, ContentInfo: contentInfoType,
			OtherContent: otherContentInfo, Files: []metsFile{fileOf(fmt.Sprintf("file-rep-%d", i+1), repMETS(d), byPath[repMETS(d)])}}
		doc.FileSec.Grps = append(doc.FileSec.Grps, grp)
		divs = append(divs, div{ID: fmt.Sprintf("div-rep-%d", i+1), Label: grp.Use,
			Mptrs: []mptr{{LocType: "URL", XType: "simple", Href: repMETS(d), Title: grp.ID}}})
	}
	doc.StructMap = csipMap("div-package", p.ID, divs...)
	b, err := marshal(doc)
	if err == nil {
		_, err = pk.addBytes("METS.xml", "application/xml", p.Created, b)
	}
	return wrap("root METS", err)
}

const premisPath = "metadata/preservation/premis.xml"

func repMETS(d *dossierPart) string { return "representations/" + d.rep + "/METS.xml" }

func descriptionPath(d *dossierPart) string { return "metadata/descriptive/" + d.rep + ".json" }

// relative is a path of the package as the representation's METS names it.
func relative(path string, d *dossierPart) string {
	return strings.TrimPrefix(path, "representations/"+d.rep+"/")
}

func wrap(what string, err error) error {
	if err != nil {
		return fmt.Errorf("package: %s: %w", what, err)
	}
	return nil
}
