package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	sohoaapi "github.com/sohoa-vn/sohoa/internal/api"
	ocrcer "github.com/sohoa-vn/sohoa/internal/ocr/cer"
	"github.com/sohoa-vn/sohoa/internal/pdfa"
	"github.com/sohoa-vn/sohoa/internal/pdfa/pdfatest"
	"github.com/sohoa-vn/sohoa/internal/sign"
	"github.com/sohoa-vn/sohoa/internal/testenv"
)

const testAgency = "UBND phường Máy Chai"

// TestEveryScanArchived sends through the whole pipeline the scans a
// counter's scanners make that the samples lack: khai-sinh.png scanned a
// quarter turn either way, as an Adobe CMYK JPEG, and as a PNG with
// transparency. Each must reach done, its archive copy must show the page
// upright with the text reading in order and the signature block at the
// top right as read; the CMYK page must be read by the OCR and archived
// with its JPEG untouched, and the one PDF/A cannot keep as it is must say
// so in its history.
func TestEveryScanArchived(t *testing.T) {
	testenv.Need(t, "pdftoppm", "pdftotext", "pdfinfo", "tesseract")
	sys := startSystem(t, "SOHOA_AGENCY_NAME", testAgency)
	scans := filepath.Join(testenv.Samples(t), "scans")
	raw, err := os.ReadFile(filepath.Join(scans, "khai-sinh.png"))
	if err != nil {
		t.Fatal(err)
	}
	gt, err := os.ReadFile(filepath.Join(scans, "khai-sinh.gt.txt"))
	if err != nil {
		t.Fatal(err)
	}
	upright, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	encode := func(img image.Image) []byte {
		var b bytes.Buffer
		if err := png.Encode(&b, img); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	cmyk, err := pdfatest.CMYKJPEG(upright, pdfatest.CMYK{Adobe: true})
	if err != nil {
		t.Fatal(err)
	}
	// Without Adobe's APP14 segment, as some scanners write them: image/jpeg cannot decode it.
	plainCMYK, err := pdfatest.CMYKJPEG(upright, pdfatest.CMYK{})
	if err != nil {
		t.Fatal(err)
	}
	// Transparent along the left edge, which holds no print.
	alpha := image.NewNRGBA(upright.Bounds())
	draw.Draw(alpha, alpha.Bounds(), upright, image.Point{}, draw.Src)
	for y := range alpha.Bounds().Dy() {
		for x := range 40 {
			alpha.Pix[alpha.PixOffset(x, y)+3] = 0
		}
	}
	files := []struct {
		name   string
		data   []byte
		rotate int    // the /Rotate the archive copy must have
		change string // the history entry the page must have
	}{
		// Turned 90° clockwise on the scanner: a 270° turn puts it right.
		{"khai-sinh-90.png", encode(pdfatest.Turn(upright, 1)), 270, ""},
		{"khai-sinh-270.png", encode(pdfatest.Turn(upright, 3)), 90, ""},
		{"khai-sinh-cmyk.jpg", cmyk, 0, ""},
		{"khai-sinh-cmyk-plain.jpg", plainCMYK, 0, ""},
		{"khai-sinh-alpha.png", encode(alpha), 0, pdfa.ChangeFlattened},
	}
	ids := make([]string, len(files))
	for i, f := range files {
		code, body := sys.upload(t, f.name, f.data)
		if code != http.StatusCreated {
			t.Fatalf("upload %s: %d %s", f.name, code, body)
		}
		ids[i] = decode[sohoaapi.Document](t, body).ID
	}
	dir := t.TempDir()
	for i, f := range files {
		t.Run(f.name, func(t *testing.T) {
			d := sys.wait(t, ids[i], 5*time.Minute)
			if d.Status != "done" {
				t.Fatalf("%s at %s: %s", d.Status, d.Stage, d.Error)
			}
			_, signed := sys.get(t, "/api/v1/documents/"+d.ID+"/file")
			path := filepath.Join(dir, d.ID+".pdf")
			if err := os.WriteFile(path, signed, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := pdfa.Check(signed); err != nil {
				t.Errorf("the signed file is not PDF/A-2u: %v", err)
			}
			pdfatest.VeraPDF(t, path)
			if out := testenv.PDFSig(t, path); !strings.Contains(out, "Signature Validation: Signature is Valid.") {
				t.Errorf("pdfsig does not find a valid signature:\n%s", out)
			}
			info := testenv.Run(t, "pdfinfo", "-f", "1", "-l", "1", path)
			if !regexp.MustCompile(fmt.Sprintf(`Page\s+1 rot:\s+%d\b`, f.rotate)).MatchString(info) {
				t.Errorf("archive copy not turned by %d°:\n%s", f.rotate, info)
			}
			if o := orientation(t, path); o != 0 {
				t.Errorf("tesseract sees the rendered archive copy turned by %d°, want upright", o)
			}

			_, stored := sys.get(t, "/api/v1/documents/"+d.ID+"/text")
			ocr := 100 * ocrcer.Rate(string(stored), string(gt))
			archived := 100 * ocrcer.Rate(withoutBlock(testenv.Run(t, "pdftotext", path, "-")), string(gt))
			t.Logf("CER against the ground truth: OCR %.2f %%, archive copy's text %.2f %%", ocr, archived)
			if archived > ocr+0.2 {
				t.Errorf("pdftotext CER %.2f %%, OCR text %.2f %%: the text layer does not read in order", archived, ocr)
			}
			if ocr > 3 {
				t.Errorf("OCR CER %.2f %%: the page was not read as it should be", ocr)
			}
			blockTopRight(t, signed)

			history, err := sys.app.records.History(context.Background(), "", d.ID)
			if err != nil {
				t.Fatal(err)
			}
			var changes []string
			for _, e := range history {
				if e.Action == "page.converted" {
					changes = append(changes, fmt.Sprint(e.Detail["code"]))
					t.Logf("history: %v", e.Detail["reason"])
				}
			}
			if want := []string{f.change}; (f.change == "" && changes != nil) || (f.change != "" && !slices.Equal(changes, want)) {
				t.Errorf("history records changes %v, want %q", changes, f.change)
			}

			if strings.HasSuffix(f.name, ".jpg") {
				stream := pageImage(t, signed)
				if !bytes.Equal(stream.Raw, f.data) {
					t.Errorf("the CMYK JPEG was not archived as delivered")
				}
				if cs, ok := stream.Dict["ColorSpace"].(types.Array); !ok || cs[0] != types.Name("ICCBased") {
					t.Errorf("CMYK page image has colour space %v, want ICCBased", stream.Dict["ColorSpace"])
				}
			}
		})
	}
}

var blockTime = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00`)

// withoutBlock drops the signature block's lines from pdftotext output: the
// page's text is what is compared with the OCR.
func withoutBlock(text string) string {
	text = strings.ReplaceAll(text, sign.DefaultCopyForm, "")
	text = strings.ReplaceAll(text, testAgency, "")
	return blockTime.ReplaceAllString(text, "")
}

// orientation runs Tesseract's orientation detection on page 1 rendered
// at 150 dpi and returns the clockwise turn it says the page needs.
func orientation(t *testing.T, path string) int {
	t.Helper()
	img := filepath.Join(t.TempDir(), "page")
	testenv.Run(t, "pdftoppm", "-r", "150", "-gray", "-png", "-singlefile", "-f", "1", "-l", "1", path, img)
	out := testenv.Run(t, "tesseract", img+".png", "-", "--psm", "0")
	m := regexp.MustCompile(`Rotate: (\d+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("tesseract OSD:\n%s", out)
	}
	var deg int
	fmt.Sscan(m[1], &deg)
	return deg
}

// blockTopRight finds the visible signature widget on page 1 and checks
// that its /Rect, taken onto the page as shown by the page's /Rotate,
// lies in the top right quarter.
func blockTopRight(t *testing.T, data []byte) {
	t.Helper()
	xt := readPDF(t, data)
	page, _, inh, err := xt.PageDict(1, false)
	if err != nil {
		t.Fatal(err)
	}
	box := inh.MediaBox
	if inh.CropBox != nil {
		box = inh.CropBox
	}
	annots, _ := xt.DereferenceArray(page["Annots"])
	for _, a := range annots {
		w, _ := xt.DereferenceDict(a)
		r, _ := xt.DereferenceArray(w["Rect"])
		if w == nil || len(r) != 4 || w.NameEntry("FT") == nil || *w.NameEntry("FT") != "Sig" {
			continue
		}
		var v [4]float64
		for i, o := range r {
			n, _ := xt.Dereference(o)
			switch x := n.(type) {
			case types.Float:
				v[i] = float64(x)
			case types.Integer:
				v[i] = float64(x)
			}
		}
		if v[0] == v[2] {
			continue
		}
		// The corners on the page as shown (origin bottom left), by ISO
		// 32000-1 8.3.2.3's clockwise /Rotate.
		W, H := box.UR.X-box.LL.X, box.UR.Y-box.LL.Y
		shown := func(x, y float64) (float64, float64) {
			x, y = x-box.LL.X, y-box.LL.Y
			switch (inh.Rotate%360 + 360) % 360 {
			case 90:
				return y, W - x
			case 180:
				return W - x, H - y
			case 270:
				return H - y, x
			}
			return x, y
		}
		sw, sh := W, H
		if inh.Rotate%180 != 0 {
			sw, sh = H, W
		}
		x0, y0 := shown(v[0], v[1])
		x1, y1 := shown(v[2], v[3])
		if min(x0, x1) < sw/2 || min(y0, y1) < sh/2 {
			t.Errorf("signature block at %v, on the %gx%g page as shown at x %.0f..%.0f, y %.0f..%.0f: not the top right quarter",
				v, sw, sh, min(x0, x1), max(x0, x1), min(y0, y1), max(y0, y1))
		}
		return
	}
	t.Error("no visible signature widget on page 1")
}

func readPDF(t *testing.T, data []byte) *model.XRefTable {
	t.Helper()
	// Not model.NewDefaultConfiguration: it installs pdfcpu's config directory in $HOME.
	conf := &model.Configuration{Eol: types.EolLF, Reader15: true, ValidationMode: model.ValidationRelaxed,
		Limits: model.DefaultResourceLimits()}
	ctx, err := api.ReadContext(bytes.NewReader(data), conf)
	if err != nil {
		t.Fatal(err)
	}
	if err := ctx.EnsurePageCount(); err != nil {
		t.Fatal(err)
	}
	return ctx.XRefTable
}

// pageImage returns page 1's image XObject as stored.
func pageImage(t *testing.T, data []byte) *types.StreamDict {
	t.Helper()
	xt := readPDF(t, data)
	page, _, _, err := xt.PageDict(1, false)
	if err != nil {
		t.Fatal(err)
	}
	res, _ := xt.DereferenceDict(page["Resources"])
	xo, _ := xt.DereferenceDict(res["XObject"])
	for _, o := range xo {
		if sd, _, err := xt.DereferenceStreamDict(o); err == nil && sd != nil {
			return sd
		}
	}
	t.Fatal("page 1 has no image")
	return nil
}
