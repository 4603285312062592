// Package dvcqg gives a dossier in the shape one-stop systems send to the national public-service
// portal (Cổng Dịch vụ công quốc gia, DVCQG) when they synchronise a dossier: the dossier's codes,
// its owner and dates, each paper handed in (TaiLieuNop) and each result (DanhSachGiayToKetQua),
// with what sohoa knows of each: digitized, reused from the store.
//
// The field names and forms are the portal's, as provincial one-stop systems send them (there is
// no public specification; they were taken from such a system's synchronisation code): every value
// is a string, flags are "0" or "1", and times are yyyyMMddHHmmss in Vietnam's time, with no zone.
// schemas/dvcqg.schema.json describes a record.
package dvcqg

import (
	"time"

	"github.com/sohoa-vn/sohoa/internal/code"
	"github.com/sohoa-vn/sohoa/storage"
)

// TimeLayout is how the portal writes a time: yyyyMMddHHmmss, in Vietnam's time.
const TimeLayout = "20060102150405"

// Record is one dossier as the portal takes it.
type Record struct {
	MaHoSo          string `json:"MaHoSo"`          // the dossier's code (Thông tư 01/2018 Điều 19)
	MaTTHC          string `json:"MaTTHC"`          // the procedure's code
	TenTTHC         string `json:"TenTTHC"`         // the procedure's name
	DonViXuLy       string `json:"DonViXuLy"`       // the receiving agency's name
	ChuHoSo         string `json:"ChuHoSo"`         // the owner's name
	LoaiDoiTuong    string `json:"LoaiDoiTuong"`    // 1 a citizen, 2 a business
	SoGiayToChuHoSo string `json:"SoGiayToChuHoSo"` // the owner's personal ID (CCCD) or tax code
	NgayTiepNhan    string `json:"NgayTiepNhan"`
	// NgayHenTra is the return appointment, "" when none was given: sohoa records a day, so it is
	// the end of that day (23:59:59), as a paper is valid through the whole of its last day.
	NgayHenTra string `json:"NgayHenTra"`
	// HoSoCoThanhPhanSoHoa is "1" when at least one paper handed in is digitized.
	HoSoCoThanhPhanSoHoa string         `json:"HoSoCoThanhPhanSoHoa"`
	TaiLieuNop           []TaiLieu      `json:"TaiLieuNop"`
	DanhSachGiayToKetQua []GiayToKetQua `json:"DanhSachGiayToKetQua"`
}

// TaiLieu is one paper handed in with the dossier, or reused for it.
type TaiLieu struct {
	TepDinhKemId    string `json:"TepDinhKemId"`    // sohoa's document ID
	MaThanhPhanHoSo string `json:"MaThanhPhanHoSo"` // its component code in the dossier
	TenTepDinhKem   string `json:"TenTepDinhKem"`
	// DuongDanTaiTepTin is where the signed file is served; "" until it is signed.
	DuongDanTaiTepTin string `json:"DuongDanTaiTepTin"`
	DuocSoHoa         string `json:"DuocSoHoa"`     // "1": signed and archived
	DuocTaiSuDung     string `json:"DuocTaiSuDung"` // "1": taken from the store, not handed in again
	// DuocLayTuKhoDMQG is always "0": sohoa has no link to the national data store (Kho dữ liệu
	// điện tử của tổ chức, cá nhân trên Cổng DVCQG), so no paper comes from it.
	DuocLayTuKhoDMQG string `json:"DuocLayTuKhoDMQG"`
	// MaKetQuaThayThe is the code of the result a paper stands in for; sohoa does not know it.
	MaKetQuaThayThe string `json:"MaKetQuaThayThe"`
}

// GiayToKetQua is one result of the dossier.
type GiayToKetQua struct {
	GiayToId             string `json:"GiayToId"` // sohoa's document ID
	TenGiayTo            string `json:"TenGiayTo"`
	MaGiayToKetQua       string `json:"MaGiayToKetQua"`       // its result code in the dossier
	DuongDanTepTinKetQua string `json:"DuongDanTepTinKetQua"` // "" until it is signed
}

// New is the record of dossier d with its papers atts; fileURL gives the address a document's
// signed file is served at.
func New(d storage.Dossier, atts []storage.Attachment, fileURL func(documentID string) string) Record {
	rec := Record{MaHoSo: d.Code, MaTTHC: d.ProcedureCode, TenTTHC: d.ProcedureName, DonViXuLy: d.AgencyName,
		ChuHoSo: d.Owner.Name, LoaiDoiTuong: ownerKind(d.Owner.Kind), SoGiayToChuHoSo: d.Owner.ID,
		NgayTiepNhan: Time(d.ReceivedAt), NgayHenTra: dueDay(d.DueOn), HoSoCoThanhPhanSoHoa: "0",
		TaiLieuNop: []TaiLieu{}, DanhSachGiayToKetQua: []GiayToKetQua{}}
	for _, a := range atts {
		doc := a.Document
		if doc.Status == storage.StatusSplit {
			continue // a scanned stack is no paper: its parts are attached on their own
		}
		link := ""
		if signed(doc) {
			link = fileURL(doc.ID)
		}
		if a.Role == "result" {
			rec.DanhSachGiayToKetQua = append(rec.DanhSachGiayToKetQua, GiayToKetQua{GiayToId: doc.ID, TenGiayTo: name(doc),
				MaGiayToKetQua: a.ComponentCode, DuongDanTepTinKetQua: link})
			continue
		}
		if signed(doc) {
			rec.HoSoCoThanhPhanSoHoa = "1"
		}
		rec.TaiLieuNop = append(rec.TaiLieuNop, TaiLieu{TepDinhKemId: doc.ID, MaThanhPhanHoSo: a.ComponentCode, TenTepDinhKem: name(doc),
			DuongDanTaiTepTin: link, DuocSoHoa: flag(signed(doc)), DuocTaiSuDung: flag(a.Reused), DuocLayTuKhoDMQG: "0"})
	}
	return rec
}

// Time writes t as the portal does.
func Time(t time.Time) string { return t.In(code.Vietnam).Format(TimeLayout) }

// dueDay writes the appointment day (a date, midnight UTC) as its last second in Vietnam.
func dueDay(day *time.Time) string {
	if day == nil {
		return ""
	}
	y, m, d := day.UTC().Date()
	return Time(time.Date(y, m, d, 23, 59, 59, 0, code.Vietnam))
}

// signed reports whether the paper is digitized in the portal's sense: signed and in the archive.
func signed(d storage.Document) bool { return d.SignedKey != "" }

// name is what the paper is called: its title when the OCR found one, else the file's name.
func name(d storage.Document) string {
	if d.Title != "" {
		return d.Title
	}
	return d.Filename
}

func ownerKind(kind string) string {
	if kind == "business" {
		return "2"
	}
	return "1"
}

func flag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}
