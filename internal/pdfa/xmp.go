package pdfa

import (
	"bytes"
	"cmp"
	"encoding/xml"
	"strconv"
	"time"
)

const (
	// RecordNS is the XMP namespace of sohoa's record fields. PDF/A-2
	// (6.6.2.3.1) admits properties outside the predefined XMP schemas only
	// when the packet declares them in a PDF/A extension schema, which
	// xmpPacket does.
	RecordNS     = "https://sohoa.vn/ns/record/1.0/"
	recordPrefix = "sohoa"

	xmpDate = "2006-01-02T15:04:05Z07:00"
)

// recordField is one property of RecordNS: its name, its description in
// the extension schema, and where its value comes from.
type recordField struct {
	name, desc string
	value      func(Metadata) string
}

// recordFields lists every property of RecordNS. All are declared in the
// extension schema even when empty, so the schema is the same in every file.
func recordFields() []recordField {
	return []recordField{
		{"documentCode", "Mã hồ sơ lưu trữ (Thông tư 05/2025 docCode)", func(m Metadata) string { return m.DocumentCode }},
		{"dossierCode", "Mã số hồ sơ thủ tục hành chính (Thông tư 01/2018/TT-VPCP Điều 19)", func(m Metadata) string { return m.DossierCode }},
		{"ownerID", "Số định danh cá nhân hoặc mã số doanh nghiệp của chủ sở hữu", func(m Metadata) string { return m.OwnerID }},
		{"kind", "Tên loại giấy tờ (typeName)", func(m Metadata) string { return m.Kind }},
		{"codeNumber", "Số của văn bản (codeNumber)", func(m Metadata) string { return m.CodeNumber }},
		{"codeNotation", "Ký hiệu của văn bản (codeNotation)", func(m Metadata) string { return m.CodeNotation }},
		{"issuedDate", "Ngày, tháng, năm văn bản (issuedDate)", func(m Metadata) string { return m.IssuedDate }},
		{"organName", "Tên cơ quan, tổ chức ban hành văn bản (organName)", func(m Metadata) string { return m.OrganName }},
		{"subject", "Trích yếu nội dung (subject)", func(m Metadata) string { return m.Subject }},
		{"language", "Ngôn ngữ (language)", func(m Metadata) string { return m.Language }},
		{"numberOfPage", "Số lượng trang (numberOfPage)", nil}, // filled by xmpPacket
		{"confidenceLevel", "Mức độ tin cậy: 01 gốc điện tử, 02 số hóa, 03 hỗn hợp (confidenceLevel)",
			func(m Metadata) string { return cmp.Or(m.ConfidenceLevel, confidenceDigitized) }},
		{"maintenance", "Thời hạn bảo quản (maintenance)", func(m Metadata) string { return m.Maintenance }},
	}
}

// xmpPacket returns the document's XMP metadata. Every property that has an
// Info counterpart repeats exactly the value written to Info (PDF/A-2 6.6.3),
// which is why the dates come in truncated to the second.
func xmpPacket(meta Metadata, created time.Time, pages int, docID, instanceID [16]byte) []byte {
	var b bytes.Buffer
	w := func(s ...string) {
		for _, v := range s {
			b.WriteString(v)
		}
	}
	esc := func(s string) string {
		var e bytes.Buffer
		_ = xml.EscapeText(&e, []byte(normalize(s)))
		return e.String()
	}
	prop := func(name, val string) {
		if val != "" {
			w("   <", name, ">", esc(val), "</", name, ">\n")
		}
	}
	lang := func(name, val string) {
		if val != "" {
			w("   <", name, "><rdf:Alt><rdf:li xml:lang=\"x-default\">", esc(val), "</rdf:li></rdf:Alt></", name, ">\n")
		}
	}
	date := created.Format(xmpDate)

	// The packet header carries neither bytes nor encoding attributes
	// (6.6.2.1); the id is the fixed one the XMP specification prescribes.
	w("<?xpacket begin=\"\uFEFF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n",
		"<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n",
		" <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n")

	w("  <rdf:Description rdf:about=\"\"\n",
		"    xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\"\n",
		"    xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n",
		"    xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"\n",
		"    xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\"\n",
		"    xmlns:xmpMM=\"http://ns.adobe.com/xap/1.0/mm/\"\n",
		"    xmlns:", recordPrefix, "=\"", RecordNS, "\">\n")
	prop("pdfaid:part", "2")
	prop("pdfaid:conformance", "U")
	w("   <dc:format>application/pdf</dc:format>\n")
	lang("dc:title", meta.Title)
	if a := author(meta); a != "" {
		w("   <dc:creator><rdf:Seq><rdf:li>", esc(a), "</rdf:li></rdf:Seq></dc:creator>\n")
	}
	lang("dc:description", meta.Subject)
	if meta.Language != "" {
		w("   <dc:language><rdf:Bag><rdf:li>", esc(meta.Language), "</rdf:li></rdf:Bag></dc:language>\n")
	}
	w("   <dc:date><rdf:Seq><rdf:li>", date, "</rdf:li></rdf:Seq></dc:date>\n")
	if id := cmp.Or(meta.DocumentCode, meta.DossierCode); id != "" {
		prop("dc:identifier", id)
	}
	prop("xmp:CreateDate", date)
	prop("xmp:ModifyDate", date)
	prop("xmp:MetadataDate", date)
	prop("xmp:CreatorTool", meta.Creator)
	prop("pdf:Producer", producer(meta))
	prop("pdf:Keywords", meta.Keywords)
	prop("xmpMM:DocumentID", uuidString(docID))
	prop("xmpMM:InstanceID", uuidString(instanceID))
	for _, f := range recordFields() {
		v := ""
		if f.value != nil {
			v = f.value(meta)
		} else if f.name == "numberOfPage" {
			v = strconv.Itoa(pages)
		}
		prop(recordPrefix+":"+f.name, v)
	}
	w("  </rdf:Description>\n")

	writeExtensionSchema(w, esc)

	w(" </rdf:RDF>\n</x:xmpmeta>\n")
	// Padding lets an editor update the packet in place.
	w(string(bytes.Repeat([]byte("                                                                               \n"), 10)))
	w("<?xpacket end=\"w\"?>")
	return b.Bytes()
}

// writeExtensionSchema declares RecordNS with the PDF/A extension schema
// container (ISO 19005-2 6.6.2.3.3): the schema, its namespace and prefix,
// and each property with value type, category and description.
func writeExtensionSchema(w func(...string), esc func(string) string) {
	w("  <rdf:Description rdf:about=\"\"\n",
		"    xmlns:pdfaExtension=\"http://www.aiim.org/pdfa/ns/extension/\"\n",
		"    xmlns:pdfaSchema=\"http://www.aiim.org/pdfa/ns/schema#\"\n",
		"    xmlns:pdfaProperty=\"http://www.aiim.org/pdfa/ns/property#\">\n",
		"   <pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType=\"Resource\">\n",
		"    <pdfaSchema:schema>sohoa record metadata (Thông tư 05/2025/TT-BNV)</pdfaSchema:schema>\n",
		"    <pdfaSchema:namespaceURI>", RecordNS, "</pdfaSchema:namespaceURI>\n",
		"    <pdfaSchema:prefix>", recordPrefix, "</pdfaSchema:prefix>\n",
		"    <pdfaSchema:property><rdf:Seq>\n")
	for _, f := range recordFields() {
		w("     <rdf:li rdf:parseType=\"Resource\">",
			"<pdfaProperty:name>", f.name, "</pdfaProperty:name>",
			"<pdfaProperty:valueType>Text</pdfaProperty:valueType>",
			"<pdfaProperty:category>external</pdfaProperty:category>",
			"<pdfaProperty:description>", esc(f.desc), "</pdfaProperty:description>",
			"</rdf:li>\n")
	}
	w("    </rdf:Seq></pdfaSchema:property>\n",
		"   </rdf:li></rdf:Bag></pdfaExtension:schemas>\n",
		"  </rdf:Description>\n")
}

func author(meta Metadata) string   { return cmp.Or(meta.Author, meta.OrganName) }
func producer(meta Metadata) string { return cmp.Or(meta.Producer, defaultProducer) }
