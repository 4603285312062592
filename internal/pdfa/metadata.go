package pdfa

import (
	"cmp"
	"crypto/sha256"
	"fmt"
	"regexp"
	"time"
)

// Metadata describes the record. The first group fills the document
// information dictionary and the matching XMP properties; Producer defaults
// to "sohoa" and Created to the time of the Build call.
//
// The second group are the record fields of Thông tư 05/2025/TT-BNV that
// sohoa knows, written into the XMP packet in sohoa's own namespace
// (RecordNS). Empty fields are left out.
type Metadata struct {
	Title, Author, Subject, Keywords, Creator, Producer, Language string
	Created                                                       time.Time

	// DocumentID identifies the record (sohoa's document UUID). It is
	// hashed into the trailer /ID and xmpMM:DocumentID, so building the
	// same record again gives the same identifiers. Empty: derived from
	// the other metadata.
	DocumentID string

	DocumentCode string // mã hồ sơ, e.g. 000.00.53.H48-220921-0099 (TT05 docCode)
	DossierCode  string // code of the administrative dossier the paper belongs to
	OwnerID      string // CCCD (12 digits) or enterprise tax code of the owner
	Kind         string // kind of paper (TT05 typeName), e.g. "Giấy khai sinh"
	CodeNumber   string // số văn bản (TT05 codeNumber)
	CodeNotation string // ký hiệu, e.g. 110/KH-UBND (TT05 codeNotation)
	IssuedDate   string // ngày ban hành, YYYY-MM-DD (TT05 issuedDate)
	OrganName    string // issuing body (TT05 organName)
	// ConfidenceLevel is TT05's mức độ tin cậy: 01 born digital,
	// 02 digitized (the default: sohoa scans paper), 03 mixed.
	ConfidenceLevel string
	// Maintenance is TT05's thời hạn bảo quản code, 01 permanent … 07.
	Maintenance string
}

// confidenceDigitized is TT05's confidence level of a scanned paper.
const confidenceDigitized = "02"

// fileID returns the two 16-byte halves of the trailer /ID: the permanent
// identifier of the record and the identifier of this version of it. Both
// depend only on the metadata so that rebuilding is reproducible.
func fileID(meta Metadata, created time.Time, pages int) (permanent, instance [16]byte) {
	seed := cmp.Or(meta.DocumentID, meta.DocumentCode, meta.Title)
	p := sha256.Sum256([]byte("sohoa record\x00" + seed))
	i := sha256.Sum256(fmt.Appendf(nil, "sohoa version\x00%s\x00%s\x00%d\x00%s\x00%s",
		seed, created.UTC().Format(time.RFC3339Nano), pages, meta.Title, meta.DocumentCode))
	copy(permanent[:], p[:])
	copy(instance[:], i[:])
	return permanent, instance
}

// uuidString formats 16 bytes as a UUID for xmpMM identifiers.
func uuidString(b [16]byte) string {
	return fmt.Sprintf("uuid:%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// maintenanceProp finds the maintenance property xmpPacket writes.
var maintenanceProp = regexp.MustCompile(`<` + recordPrefix + `:maintenance>(\d{2})</` + recordPrefix + `:maintenance>`)

// MaintenanceOf returns the maintenance code in the XMP packet of a PDF Build made, "" when there
// is none (a PDF sohoa did not build, or one built without it). PDF/A keeps the metadata stream
// unfiltered (6.6.2.1), so the packet is read as it lies in the file; the last one wins, as an
// incremental update's would.
func MaintenanceOf(pdf []byte) string {
	all := maintenanceProp.FindAllSubmatch(pdf, -1)
	if len(all) == 0 {
		return ""
	}
	return string(all[len(all)-1][1])
}
