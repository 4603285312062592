package receipt

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/sohoa-vn/sohoa/internal/testenv"
)

const title = "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"

// writeFile writes r's receipt into a temporary file and returns its path.
func writeFile(t *testing.T, r Receipt) string {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, r); err != nil {
		t.Fatalf("Write: %v", err)
	}
	path := filepath.Join(t.TempDir(), "receipt.pdf")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// words folds the line breaks of wrapped text, so a component that wraps
// still reads as one string.
func words(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestWrite(t *testing.T) {
	testenv.Need(t, "pdftotext", "pdfinfo", "qpdf")
	r := sample()
	// Input as a browser on macOS may send it: decomposed.
	r.OwnerName = norm.NFD.String(r.OwnerName)
	path := writeFile(t, r)

	if out := testenv.Run(t, "qpdf", "--check", path); !strings.Contains(out, "No syntax or stream encoding errors") {
		t.Errorf("qpdf --check:\n%s", out)
	}
	info := words(testenv.Run(t, "pdfinfo", path))
	for _, want := range []string{"Pages: 1", "595.28 x 841.89 pts (A4)", "Title: Giấy tiếp nhận hồ sơ và hẹn trả kết quả 000.00.53.H26-261127-0001"} {
		if !strings.Contains(info, want) {
			t.Errorf("pdfinfo lacks %q:\n%s", want, info)
		}
	}

	text := testenv.Run(t, "pdftotext", "-enc", "UTF-8", path, "-")
	if !norm.NFC.IsNormalString(text) {
		t.Error("extracted text is not NFC")
	}
	flat := words(text)
	want := []string{
		title, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
		"BỘ PHẬN MỘT CỬA QUẬN LÊ CHÂN",
		"Mã hồ sơ: 000.00.53.H26-261127-0001",
		"Tiếp nhận hồ sơ của: Nguyễn Thị Hồng Nhung",
		"Số định danh cá nhân: 031190001234",
		"Mã thủ tục hành chính: 1.001193",
		"Nội dung yêu cầu giải quyết: " + sample().Procedure,
		"Thời gian nhận hồ sơ: 16 giờ 20 phút, ngày 27 tháng 11 năm 2026",
		"Thời gian trả kết quả giải quyết hồ sơ: 09 giờ 00 phút, ngày 02 tháng 12 năm 2026",
		"NGƯỜI TIẾP NHẬN HỒ SƠ", "Trần Văn Đức",
	}
	for i, c := range r.Components {
		want = append(want, strconv.Itoa(i+1)+". "+c)
	}
	for _, w := range want {
		if !strings.Contains(flat, w) {
			t.Errorf("pdftotext lacks %q; got:\n%s", w, text)
		}
	}
}

// bboxWord is a word of pdftotext -bbox, in points from the top left.
type bboxWord struct {
	text                   string
	xMin, yMin, xMax, yMax float64
}

var bboxLine = regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`)

func bbox(t *testing.T, path string) []bboxWord {
	t.Helper()
	var out []bboxWord
	for _, m := range bboxLine.FindAllStringSubmatch(testenv.Run(t, "pdftotext", "-bbox", path, "-"), -1) {
		w := bboxWord{text: m[5]}
		for i, p := range []*float64{&w.xMin, &w.yMin, &w.xMax, &w.yMax} {
			*p, _ = strconv.ParseFloat(m[i+1], 64)
		}
		out = append(out, w)
	}
	return out
}

func TestTitlePlace(t *testing.T) {
	testenv.Need(t, "pdftotext")
	ws := bbox(t, writeFile(t, sample()))
	titleWords := strings.Fields(title)
	for i := range ws {
		if i+len(titleWords) > len(ws) {
			break
		}
		found := true
		for j, tw := range titleWords {
			found = found && ws[i+j].text == tw
		}
		if !found {
			continue
		}
		first, last := ws[i], ws[i+len(titleWords)-1]
		if first.yMin > pageH/4 || last.yMin != first.yMin {
			t.Errorf("title at y %.1f..%.1f, want one line in the top quarter (< %.1f)", first.yMin, last.yMin, pageH/4)
		}
		// Centred on the text column between the margins.
		if mid := (first.xMin + last.xMax) / 2; mid < (marginL+right)/2-3 || mid > (marginL+right)/2+3 {
			t.Errorf("title centred at x %.1f, want %.1f", mid, (marginL+right)/2)
		}
		return
	}
	t.Fatalf("title %q not found in pdftotext -bbox words %v", title, ws)
}

func TestFitsSmaller(t *testing.T) {
	testenv.Need(t, "pdftotext", "pdfinfo")
	r := sample()
	r.Components = nil
	for i := range 14 {
		r.Components = append(r.Components, "Bản sao có chứng thực giấy tờ số "+strconv.Itoa(i+1)+" chứng minh quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền với đất")
	}
	path := writeFile(t, r)
	if info := words(testenv.Run(t, "pdfinfo", path)); !strings.Contains(info, "Pages: 1") {
		t.Errorf("want one page:\n%s", info)
	}
	flat := words(testenv.Run(t, "pdftotext", path, "-"))
	for i, c := range r.Components {
		if !strings.Contains(flat, strconv.Itoa(i+1)+". "+c) {
			t.Errorf("component %d missing", i+1)
		}
	}
	if !strings.Contains(flat, "Trần Văn Đức") {
		t.Error("signature block missing")
	}
}

func TestRefuse(t *testing.T) {
	many := sample()
	for range 200 {
		many.Components = append(many.Components, "Giấy tờ")
	}
	for name, c := range map[string]struct {
		r    Receipt
		want string
	}{
		"no code":       {Receipt{ReceivedAt: time.Now()}, "no dossier code"},
		"blank code":    {Receipt{DossierCode: " \n", ReceivedAt: time.Now()}, "no dossier code"},
		"no time":       {Receipt{DossierCode: "000.00.53.H26-261127-0001"}, "no time of receipt"},
		"missing glyph": {func() Receipt { r := sample(); r.OwnerName = "王小明"; return r }(), "no glyph for '王'"},
		"too long":      {many, "do not fit on one page"},
	} {
		var b bytes.Buffer
		err := Write(&b, c.r)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", name, err, c.want)
		}
		if b.Len() != 0 {
			t.Errorf("%s: %d bytes written on error", name, b.Len())
		}
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriterError(t *testing.T) {
	if err := Write(failWriter{}, sample()); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("error %v, want the writer's", err)
	}
}

func TestDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	if err := Write(&a, sample()); err != nil {
		t.Fatal(err)
	}
	if err := Write(&b, sample()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("the same receipt gave different files")
	}
}

func TestVietnameseTime(t *testing.T) {
	for in, want := range map[time.Time]string{
		time.Date(2026, 11, 27, 9, 20, 0, 0, time.UTC): "16 giờ 20 phút, ngày 27 tháng 11 năm 2026",
		// 20:05 UTC is already the next day in Vietnam.
		time.Date(2027, 2, 4, 20, 5, 0, 0, time.UTC): "03 giờ 05 phút, ngày 05 tháng 02 năm 2027",
		time.Date(2027, 3, 9, 8, 0, 0, 0, time.UTC):  "15 giờ 00 phút, ngày 09 tháng 3 năm 2027",
	} {
		if got := vietnameseTime(in); got != want {
			t.Errorf("vietnameseTime(%v) = %q, want %q", in, got, want)
		}
	}
}
