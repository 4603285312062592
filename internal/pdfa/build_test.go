package pdfa

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"golang.org/x/text/unicode/norm"

	"github.com/sohoa-vn/sohoa/internal/testenv"
)

const scans = "../../testdata/scans"

// testLines are the first lines of khai-sinh.gt.txt, placed on a simple
// grid: line i at y = 200+80i px, 60 px tall, each word 28 px per letter
// with a 30 px gap. The boxes need not match the scan since the text is
// invisible; they only need to be known.
var testLines = []string{
	"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
	"Độc lập - Tự do - Hạnh phúc",
	"TỜ KHAI ĐĂNG KÝ KHAI SINH",
	"Kính gửi: Ủy ban nhân dân phường Máy Chai",
}

func gridLines(lines []string, x0, y0, lineStep, height, charW, gap int) [][]Word {
	var out [][]Word
	for i, l := range lines {
		x, y := x0, y0+i*lineStep
		var ws []Word
		for _, t := range strings.Fields(l) {
			w := len([]rune(t)) * charW
			ws = append(ws, Word{Text: t, Box: image.Rect(x, y, x+w, y+height)})
			x += w + gap
		}
		out = append(out, ws)
	}
	return out
}

func readScan(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(scans, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func testPages(t testing.TB) []Page {
	png := readScan(t, "khai-sinh.png")
	jpg := readScan(t, "dkdn.jpg")
	return []Page{
		{
			Image: png, Format: "png", Width: 1653, Height: 2338, DPIX: 200, DPIY: 200,
			Lines: gridLines(testLines, 150, 200, 80, 60, 28, 30),
		},
		{
			Image: jpg, Format: "jpeg", Width: 2480, Height: 3507, DPIX: 300, DPIY: 300,
			// Decomposed (NFD) input must come out precomposed.
			Lines: gridLines([]string{norm.NFD.String("SỞ KẾ HOẠCH VÀ ĐẦU TƯ"), norm.NFD.String("Mã số doanh nghiệp")}, 300, 400, 120, 90, 40, 45),
		},
	}
}

// buildFile builds pages into a temporary file and returns its path.
func buildFile(t *testing.T, pages []Page, meta Metadata) string {
	t.Helper()
	var buf bytes.Buffer
	if _, err := Build(&buf, pages, meta); err != nil {
		t.Fatalf("Build: %v", err)
	}
	path := filepath.Join(t.TempDir(), "out.pdf")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestBuild(t *testing.T) {
	pages := testPages(t)
	meta := Metadata{
		Title:    "Tờ khai đăng ký khai sinh",
		Author:   "UBND phường Máy Chai",
		Subject:  "Hộ tịch",
		Keywords: "khai sinh; hộ tịch",
		Creator:  "sohoa test",
		Language: "vi-VN",
		Created:  time.Date(2024, 5, 17, 9, 30, 0, 0, time.FixedZone("ICT", 7*3600)),
	}
	path := buildFile(t, pages, meta)

	t.Run("qpdf", func(t *testing.T) {
		out := testenv.Run(t, "qpdf", "--check", path)
		if !strings.Contains(out, "No syntax or stream encoding errors") {
			t.Errorf("qpdf --check:\n%s", out)
		}
	})

	t.Run("pdfcpuValidate", func(t *testing.T) {
		conf := pdfcpuConfig()
		conf.ValidationMode = model.ValidationStrict
		conf.Reader15 = true
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := api.Validate(f, conf); err != nil {
			t.Errorf("pdfcpu strict validation: %v", err)
		}
	})

	t.Run("pdfinfo", func(t *testing.T) {
		out := testenv.Run(t, "pdfinfo", "-isodates", "-f", "1", "-l", "2", path)
		for _, want := range []string{
			"Pages:           2",
			"PDF version:     1.7",
			"Title:           Tờ khai đăng ký khai sinh",
			"Author:          UBND phường Máy Chai",
			"Producer:        sohoa",
			"Creator:         sohoa test",
			"Subject:         Hộ tịch",
			"Keywords:        khai sinh; hộ tịch",
			"CreationDate:    2024-05-17T09:30:00+07",
			"ModDate:         2024-05-17T09:30:00+07",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("pdfinfo lacks %q:\n%s", want, out)
			}
		}
		for i, p := range pages {
			w, h := pageSize(t, out, i+1)
			wantW, wantH := float64(p.Width)/p.DPIX*72, float64(p.Height)/p.DPIY*72
			if math.Abs(w-wantW) > 0.01 || math.Abs(h-wantH) > 0.01 {
				t.Errorf("page %d is %gx%g pt, want %gx%g", i+1, w, h, wantW, wantH)
			}
		}
		// 1653 px at 200 dpi is A4 width.
		if w, _ := pageSize(t, out, 1); math.Abs(w-595.08) > 0.01 {
			t.Errorf("khai-sinh width %g pt, want 595.08", w)
		}
	})

	t.Run("pdftotext", func(t *testing.T) {
		for i, p := range pages {
			out := testenv.Run(t, "pdftotext", "-f", strconv.Itoa(i+1), "-l", strconv.Itoa(i+1), path, "-")
			got := strings.Fields(strings.ReplaceAll(out, "\f", ""))
			var lines []string
			for _, l := range strings.Split(strings.TrimSpace(strings.ReplaceAll(out, "\f", "")), "\n") {
				if l = strings.TrimSpace(l); l != "" {
					lines = append(lines, l)
				}
			}
			want := wantLines(p)
			if strings.Join(lines, "\n") != strings.Join(want, "\n") {
				t.Errorf("page %d text:\n%q\nwant\n%q", i+1, lines, want)
			}
			_ = got
		}
		layout := testenv.Run(t, "pdftotext", "-layout", "-f", "1", "-l", "1", path, "-")
		if !strings.Contains(layout, "Độc lập - Tự do - Hạnh phúc") {
			t.Errorf("pdftotext -layout:\n%s", layout)
		}
	})

	t.Run("bbox", func(t *testing.T) {
		out := testenv.Run(t, "pdftotext", "-bbox", path, "-")
		got := parseBBox(t, out)
		if len(got) != len(pages) {
			t.Fatalf("bbox output has %d pages, want %d", len(got), len(pages))
		}
		const tol = 2.0 // points
		for i, p := range pages {
			var want []Word
			for _, l := range p.Lines {
				want = append(want, l...)
			}
			if len(got[i]) != len(want) {
				t.Fatalf("page %d: %d words, want %d", i+1, len(got[i]), len(want))
			}
			for j, w := range want {
				g := got[i][j]
				r := [4]float64{
					float64(w.Box.Min.X) / p.DPIX * 72, float64(w.Box.Min.Y) / p.DPIY * 72,
					float64(w.Box.Max.X) / p.DPIX * 72, float64(w.Box.Max.Y) / p.DPIY * 72,
				}
				if g.text != normalize(w.Text) {
					t.Errorf("page %d word %d: %q, want %q", i+1, j, g.text, w.Text)
				}
				for k := range r {
					if math.Abs(g.box[k]-r[k]) > tol {
						t.Errorf("page %d word %q: box %v, want %v", i+1, g.text, g.box, r)
						break
					}
				}
			}
		}
	})

	t.Run("pdffonts", func(t *testing.T) {
		out := testenv.Run(t, "pdffonts", path)
		re := regexp.MustCompile(`(?m)^GlyphLessFont\s+CID TrueType\s+Identity-H\s+yes\s+no\s+yes\s`)
		if !re.MatchString(out) {
			t.Errorf("want embedded, non-subset CID TrueType font with ToUnicode:\n%s", out)
		}
	})

	t.Run("pdfimages", func(t *testing.T) {
		out := testenv.Run(t, "pdfimages", "-list", path)
		rows := imageRows(out)
		if len(rows) != 2 {
			t.Fatalf("want 2 images:\n%s", out)
		}
		// page num type width height color comp bpc enc interp object ID x-ppi y-ppi size ratio
		png, jpg := rows[0], rows[1]
		if png[3] != "1653" || png[4] != "2338" || png[8] != "image" || png[13] != "200" {
			t.Errorf("PNG page image: %v", png)
		}
		if jpg[3] != "2480" || jpg[4] != "3507" || jpg[5] != "rgb" || jpg[8] != "jpeg" || jpg[13] != "300" || jpg[9] != "no" {
			t.Errorf("JPEG page image: %v", jpg)
		}
	})

	t.Run("jpegUntouched", func(t *testing.T) {
		dir := t.TempDir()
		testenv.Run(t, "pdfimages", "-j", "-f", "2", "-l", "2", path, filepath.Join(dir, "img"))
		got, err := os.ReadFile(filepath.Join(dir, "img-000.jpg"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, pages[1].Image) {
			t.Errorf("embedded JPEG differs from input (%d vs %d bytes)", len(got), len(pages[1].Image))
		}
	})
}

func TestBuildJPEGOverhead(t *testing.T) {
	p := testPages(t)[1]
	var buf bytes.Buffer
	if _, err := Build(&buf, []Page{p}, Metadata{}); err != nil {
		t.Fatal(err)
	}
	if limit := len(p.Image) * 105 / 100; buf.Len() > limit {
		t.Errorf("PDF is %d bytes for a %d byte JPEG (limit %d)", buf.Len(), len(p.Image), limit)
	}
	t.Logf("JPEG %d bytes -> PDF %d bytes (+%d)", len(p.Image), buf.Len(), buf.Len()-len(p.Image))
}

func wantLines(p Page) []string {
	var out []string
	for _, l := range p.Lines {
		var ws []string
		for _, w := range l {
			ws = append(ws, normalize(w.Text))
		}
		out = append(out, strings.Join(ws, " "))
	}
	return out
}

var pageSizeRE = regexp.MustCompile(`Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+) pts`)

func pageSize(t *testing.T, pdfinfo string, page int) (w, h float64) {
	t.Helper()
	for _, m := range pageSizeRE.FindAllStringSubmatch(pdfinfo, -1) {
		if m[1] == strconv.Itoa(page) {
			w, _ = strconv.ParseFloat(m[2], 64)
			h, _ = strconv.ParseFloat(m[3], 64)
			return w, h
		}
	}
	t.Fatalf("no size for page %d in:\n%s", page, pdfinfo)
	return 0, 0
}

type bboxWord struct {
	text string
	box  [4]float64 // xMin yMin xMax yMax, points from top-left
}

// parseBBox reads pdftotext -bbox output (XHTML) into words per page.
func parseBBox(t *testing.T, out string) [][]bboxWord {
	t.Helper()
	var doc struct {
		Pages []struct {
			Words []struct {
				XMin float64 `xml:"xMin,attr"`
				YMin float64 `xml:"yMin,attr"`
				XMax float64 `xml:"xMax,attr"`
				YMax float64 `xml:"yMax,attr"`
				Text string  `xml:",chardata"`
			} `xml:"word"`
		} `xml:"body>doc>page"`
	}
	dec := xml.NewDecoder(strings.NewReader(out))
	dec.Strict = false
	dec.AutoClose = xml.HTMLAutoClose
	dec.Entity = xml.HTMLEntity
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("parse bbox: %v\n%s", err, out)
	}
	var pages [][]bboxWord
	for _, p := range doc.Pages {
		var ws []bboxWord
		for _, w := range p.Words {
			ws = append(ws, bboxWord{w.Text, [4]float64{w.XMin, w.YMin, w.XMax, w.YMax}})
		}
		pages = append(pages, ws)
	}
	return pages
}

// imageRows returns the data rows of pdfimages -list as fields.
func imageRows(out string) [][]string {
	var rows [][]string
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		if len(f) >= 14 {
			if _, err := strconv.Atoi(f[0]); err == nil {
				rows = append(rows, f)
			}
		}
	}
	return rows
}

func BenchmarkBuild10Pages(b *testing.B) {
	jpg := readScan(b, "dkdn.jpg")
	// ~300 words per page: 30 lines of 10 words.
	var lines []string
	for i := range 30 {
		lines = append(lines, fmt.Sprintf("Dòng %d: Giấy chứng nhận đăng ký doanh nghiệp số", i))
	}
	page := Page{
		Image: jpg, Format: "jpeg", Width: 2480, Height: 3507, DPIX: 300, DPIY: 300,
		Lines: gridLines(lines, 200, 300, 100, 60, 30, 30),
	}
	pages := make([]Page, 10)
	for i := range pages {
		pages[i] = page
	}
	b.SetBytes(int64(10 * len(jpg)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Build(io.Discard, pages, Metadata{Title: "bench"}); err != nil {
			b.Fatal(err)
		}
	}
}
