package receipt

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sohoa-vn/sohoa/internal/sheet"
	"github.com/sohoa-vn/sohoa/internal/sheet/sheettest"
	"github.com/sohoa-vn/sohoa/internal/testenv"
)

func sampleCover() Cover {
	r := sample()
	return Cover{DossierCode: r.DossierCode, Agency: r.Agency, Procedure: r.Procedure, OwnerName: r.OwnerName}
}

// sheets are a cover and separators as a counter prints them, with what their text and code say.
func sheets() map[string]struct {
	write func(*bytes.Buffer) error
	want  sheet.Sheet
	text  []string
} {
	c := sampleCover()
	return map[string]struct {
		write func(*bytes.Buffer) error
		want  sheet.Sheet
		text  []string
	}{
		"cover": {func(b *bytes.Buffer) error { return WriteCover(b, c) }, sheet.Sheet{Kind: sheet.Cover, Dossier: c.DossierCode},
			[]string{"PHIẾU BÌA HỒ SƠ", c.DossierCode, "Tổ chức, cá nhân: Nguyễn Thị Hồng Nhung", "Thủ tục: " + c.Procedure,
				"Cơ quan tiếp nhận: Bộ phận Một cửa quận Lê Chân", "BỘ PHẬN MỘT CỬA QUẬN LÊ CHÂN",
				"Đặt phiếu này lên trên cùng xấp giấy tờ của hồ sơ khi quét."}},
		"separator": {func(b *bytes.Buffer) error { return WriteSeparator(b, Separator(c)) }, sheet.Sheet{Kind: sheet.Separator, Dossier: c.DossierCode},
			[]string{"TỜ PHÂN CÁCH GIẤY TỜ", c.DossierCode, "Tổ chức, cá nhân: Nguyễn Thị Hồng Nhung",
				"Đặt tờ này giữa hai giấy tờ khi quét; tờ này không được lưu vào hồ sơ."}},
		"separator without dossier": {func(b *bytes.Buffer) error { return WriteSeparator(b, Separator{}) }, sheet.Sheet{Kind: sheet.Separator},
			[]string{"TỜ PHÂN CÁCH GIẤY TỜ", "Giấy tờ sau tờ này thuộc hồ sơ của phiếu bìa đặt trước nó.",
				"Đặt tờ này giữa hai giấy tờ khi quét; tờ này không được lưu vào hồ sơ."}},
	}
}

func TestSheetsPrint(t *testing.T) {
	testenv.Need(t, "pdftotext", "pdfinfo", "qpdf", "pdftoppm")
	for name, c := range sheets() {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := c.write(&b); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "sheet.pdf")
			if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			if out := testenv.Run(t, "qpdf", "--check", path); !strings.Contains(out, "No syntax or stream encoding errors") {
				t.Errorf("qpdf --check:\n%s", out)
			}
			if info := words(testenv.Run(t, "pdfinfo", path)); !strings.Contains(info, "Pages: 1") || !strings.Contains(info, "(A4)") {
				t.Errorf("want one A4 page:\n%s", info)
			}
			flat := words(testenv.Run(t, "pdftotext", "-enc", "UTF-8", path, "-"))
			for _, w := range c.text {
				if !strings.Contains(flat, w) {
					t.Errorf("pdftotext lacks %q; got:\n%s", w, flat)
				}
			}
			got, ok := sheet.Find(sheettest.Rasterize(t, b.Bytes(), 200))
			if !ok || got != c.want {
				t.Errorf("Find on the page at 200 dpi = %+v, %v; want %+v", got, ok, c.want)
			}
		})
	}
}

// TestSheetQRSize holds the code to the 5 cm that sheet.Find's downscaling counts on.
func TestSheetQRSize(t *testing.T) {
	for _, s := range []sheetPaper{
		{sheet: sheet.Sheet{Kind: sheet.Cover, Dossier: sample().DossierCode}, title: "T", instruction: "I"},
		{sheet: sheet.Sheet{Kind: sheet.Separator}, title: "T", instruction: "I"},
	} {
		pg, err := layoutSheet(s)
		if err != nil {
			t.Fatal(err)
		}
		if mm := float64(pg.qr.code.Size) * pg.qr.module / 72 * 25.4; mm < 50 {
			t.Errorf("%s: the code is %.1f mm across, want 50 or more", s.sheet.Text(), mm)
		}
		if pg.qr.x < 0 || pg.qr.x+pg.qr.side() > pageW || pg.qr.y > pageH {
			t.Errorf("%s: the code and its quiet zone leave the page", s.sheet.Text())
		}
	}
}

func TestSheetsDeterministic(t *testing.T) {
	for name, c := range sheets() {
		var a, b bytes.Buffer
		if err := c.write(&a); err != nil {
			t.Fatal(err)
		}
		if err := c.write(&b); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("%s: the same sheet gave different files", name)
		}
	}
}

func TestSheetsRefuse(t *testing.T) {
	long := sampleCover()
	long.Procedure = strings.Repeat("Cấp giấy phép xây dựng mới đối với công trình cấp đặc biệt ", 40)
	for name, c := range map[string]struct {
		write func(*bytes.Buffer) error
		want  string
	}{
		"cover without code": {func(b *bytes.Buffer) error { return WriteCover(b, Cover{Agency: "X"}) }, "not of the form"},
		"cover, bad code":    {func(b *bytes.Buffer) error { return WriteCover(b, Cover{DossierCode: "HS-0001"}) }, "not of the form"},
		"separator, bad code": {func(b *bytes.Buffer) error {
			return WriteSeparator(b, Separator{DossierCode: "000.00.53.H26-261127-0000"})
		}, "not of the form"},
		"missing glyph": {func(b *bytes.Buffer) error { c := sampleCover(); c.OwnerName = "王小明"; return WriteCover(b, c) }, "no glyph"},
		"too long":      {func(b *bytes.Buffer) error { return WriteCover(b, long) }, "do not fit"},
	} {
		var b bytes.Buffer
		err := c.write(&b)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", name, err, c.want)
		}
		if b.Len() != 0 {
			t.Errorf("%s: %d bytes written on error", name, b.Len())
		}
	}
}
