package pdfa

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	"github.com/sohoa-vn/sohoa/internal/pdfa/pdfatest"
	"github.com/sohoa-vn/sohoa/internal/testenv"
)

// colourScan is the head of khai-sinh.png (black print on white paper,
// the title lines) as RGB, small enough to build many pages quickly.
func colourScan(t *testing.T) *image.RGBA {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(readScan(t, "khai-sinh.png")))
	if err != nil {
		t.Fatal(err)
	}
	r := image.Rect(0, 0, 1200, 420).Add(image.Pt(220, 120))
	out := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	draw.Draw(out, out.Bounds(), img, r.Min, draw.Src)
	// A coloured stamp, so that colour spaces have colour to carry.
	draw.Draw(out, image.Rect(40, 300, 160, 400), image.NewUniform(color.RGBA{200, 30, 40, 255}), image.Point{}, draw.Src)
	return out
}

func encodeJPEG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestColourSpaces builds a page from each kind of scan a scanner writes
// and checks that it passes Check, that JPEG bytes are stored untouched,
// that the image is described by its own ICC profile when it brings a
// usable one, and that it renders as paper (light, with dark print):
// an Adobe CMYK JPEG shown without undoing its inversion would come out
// as a negative.
func TestColourSpaces(t *testing.T) {
	rgb := colourScan(t)
	gray := image.NewGray(rgb.Bounds())
	draw.Draw(gray, gray.Bounds(), rgb, image.Point{}, draw.Src)
	gray16 := image.NewGray16(rgb.Bounds())
	rgb16 := image.NewRGBA64(rgb.Bounds())
	draw.Draw(gray16, gray16.Bounds(), rgb, image.Point{}, draw.Src)
	draw.Draw(rgb16, rgb16.Bounds(), rgb, image.Point{}, draw.Src)
	pal := image.NewPaletted(rgb.Bounds(), color.Palette{color.White, color.Black, color.RGBA{200, 30, 40, 255}, color.Gray{128}})
	draw.Draw(pal, pal.Bounds(), rgb, image.Point{}, draw.Src)

	cmyk := func(o pdfatest.CMYK) []byte {
		b, err := pdfatest.CMYKJPEG(rgb, o)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	// A CMYK profile of the scan's own, told apart from the built-in one
	// by its description.
	ownCMYK := bytes.Replace(bytes.Clone(cmykICC), []byte("sohoa CMYK"), []byte("scan CMYK!"), 1)
	greyICC := pdfatest.GrayProfile()

	for _, tc := range []struct {
		name   string
		format string
		data   []byte
		colour string // pdfimages -list
		bpc    string
		icc    []byte // the profile the image must be described by, if any
		change string // the Change Build must report, if any
	}{
		{"greyJPEG", "jpeg", encodeJPEG(t, gray), "gray", "8", nil, ""},
		{"rgbJPEG", "jpeg", encodeJPEG(t, rgb), "rgb", "8", nil, ""},
		{"cmykJPEG", "jpeg", cmyk(pdfatest.CMYK{}), "icc", "8", cmykICC, ""},
		{"adobeCMYKJPEG", "jpeg", cmyk(pdfatest.CMYK{Adobe: true}), "icc", "8", cmykICC, ""},
		{"adobeCMYKJPEGWithProfile", "jpeg", cmyk(pdfatest.CMYK{Adobe: true, ICC: ownCMYK}), "icc", "8", ownCMYK, ""},
		{"rgbJPEGWithProfile", "jpeg", pdfatest.WithICC(encodeJPEG(t, rgb), srgbICC), "icc", "8", srgbICC, ""},
		{"greyJPEGWithProfile", "jpeg", pdfatest.WithICC(encodeJPEG(t, gray), greyICC), "icc", "8", greyICC, ""},
		{"rgbJPEGWithCMYKProfile", "jpeg", pdfatest.WithICC(encodeJPEG(t, rgb), cmykICC), "rgb", "8", nil, ChangeProfileIgnored},
		{"rgbPNGWithICCP", "png", withICCP(t, encodePNG(t, rgb), srgbICC), "icc", "8", srgbICC, ""},
		{"greyPNGWithICCP", "png", withICCP(t, encodePNG(t, gray), greyICC), "icc", "8", greyICC, ""},
		{"palettePNGWithICCP", "png", withICCP(t, encodePNG(t, pal), srgbICC), "index", "2", srgbICC, ""},
		{"palettePNG", "png", encodePNG(t, pal), "index", "2", nil, ""},
		{"grey16PNG", "png", encodePNG(t, gray16), "gray", "16", nil, ""},
		{"rgb16PNG", "png", encodePNG(t, rgb16), "rgb", "16", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			changes, err := Build(&buf, []Page{{Image: tc.data, Format: tc.format, DPIX: 200, DPIY: 200,
				Lines: gridLines([]string{"TỜ KHAI ĐĂNG KÝ KHAI SINH"}, 100, 100, 80, 60, 28, 30)}}, testMeta())
			if err != nil {
				t.Fatal(err)
			}
			var codes []string
			for _, c := range changes {
				codes = append(codes, c.Code)
				if c.Page != 1 || c.Reason == "" {
					t.Errorf("change %+v", c)
				}
			}
			if want := []string{tc.change}; (tc.change == "") != (len(codes) == 0) || (tc.change != "" && !slices.Equal(codes, want)) {
				t.Errorf("changes %v, want %q", codes, tc.change)
			}
			data := buf.Bytes()
			if err := Check(data); err != nil {
				t.Errorf("Check: %v", err)
			}
			if err := Check(signDev(t, data)); err != nil {
				t.Errorf("Check after signing: %v", err)
			}
			path := filepath.Join(t.TempDir(), "page.pdf")
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			verapdf(t, path)
			rows := imageRows(testenv.Run(t, "pdfimages", "-list", path))
			if len(rows) != 1 || rows[0][5] != tc.colour || rows[0][7] != tc.bpc {
				t.Errorf("pdfimages -list: %v, want colour %s, %s bpc", rows, tc.colour, tc.bpc)
			}
			raw, profile := imageStream(t, data)
			if tc.format == "jpeg" && !bytes.Equal(raw, tc.data) {
				t.Errorf("the JPEG was not stored as delivered (%d bytes, %d stored)", len(tc.data), len(raw))
			}
			if !bytes.Equal(profile, tc.icc) {
				t.Errorf("image described by a %d-byte profile, want the %d-byte one", len(profile), len(tc.icc))
			}
			light, dark := paper(render(t, path))
			if light < 0.6 || dark < 0.01 { // a negative is about 2 % light
				t.Errorf("rendered page: %.0f %% light, %.1f %% dark; want paper with print", 100*light, 100*dark)
			}
		})
	}
}

// withICCP inserts an iCCP chunk holding icc after a PNG's IHDR.
func withICCP(t *testing.T, data, icc []byte) []byte {
	t.Helper()
	var z bytes.Buffer
	d := newDeflater()
	sd, err := d.stream(icc, nil)
	if err != nil {
		t.Fatal(err)
	}
	z.WriteString("scan profile\x00\x00")
	z.Write(sd.Raw)
	const ihdrEnd = 8 + 12 + 13
	out := append([]byte{}, data[:ihdrEnd]...)
	out = appendChunk(out, "iCCP", z.Bytes())
	return append(out, data[ihdrEnd:]...)
}

func appendChunk(out []byte, typ string, body []byte) []byte {
	out = binary.BigEndian.AppendUint32(out, uint32(len(body)))
	start := len(out)
	out = append(append(out, typ...), body...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(out[start:]))
}

// imageStream returns page 1's image stream as stored and the ICC
// profile its colour space (or an Indexed space's base) refers to.
func imageStream(t *testing.T, data []byte) (raw, icc []byte) {
	t.Helper()
	xt := readModel(t, data).XRefTable
	page, _, _, err := xt.PageDict(1, false)
	if err != nil {
		t.Fatal(err)
	}
	res := page["Resources"].(types.Dict)
	img, _, err := xt.DereferenceStreamDict(res["XObject"].(types.Dict)[imageRes])
	if err != nil {
		t.Fatal(err)
	}
	cs, _ := xt.Dereference(img.Dict["ColorSpace"])
	if a, ok := cs.(types.Array); ok && len(a) == 4 && a[0] == types.Name("Indexed") {
		cs, _ = xt.Dereference(a[1])
	}
	if a, ok := cs.(types.Array); ok && len(a) == 2 && a[0] == types.Name("ICCBased") {
		icc = profileOf(t, xt, a[1])
	}
	return img.Raw, icc
}

func profileOf(t *testing.T, xt *model.XRefTable, o types.Object) []byte {
	sd, _, err := xt.DereferenceStreamDict(o)
	if err != nil || sd == nil {
		t.Fatalf("ICC profile stream: %v", err)
	}
	if err := sd.Decode(); err != nil {
		t.Fatal(err)
	}
	return sd.Content
}

// paper returns the shares of light (≥ 200) and dark (< 100) pixels.
func paper(g *image.Gray) (light, dark float64) {
	var l, d int
	for _, v := range g.Pix {
		switch {
		case v >= 200:
			l++
		case v < 100:
			d++
		}
	}
	return float64(l) / float64(len(g.Pix)), float64(d) / float64(len(g.Pix))
}

// TestCheckColourComponents: Check refuses colour spaces whose profile or
// component count does not fit the image, and turns that are not quarter
// turns.
func TestCheckColourComponents(t *testing.T) {
	good := buildBytes(t, []Page{{Image: encodeJPEG(t, colourScan(t)), Format: "jpeg", DPIX: 200, DPIY: 200}}, testMeta())
	if err := Check(good); err != nil {
		t.Fatal(err)
	}
	withSpace := func(space func(xt *model.XRefTable) types.Object) []byte {
		return rewrite(t, good, func(xt *model.XRefTable, _ types.Dict) {
			page, _, _, err := xt.PageDict(1, false)
			if err != nil {
				t.Fatal(err)
			}
			ref := page["Resources"].(types.Dict)["XObject"].(types.Dict)[imageRes].(types.IndirectRef)
			e, _ := xt.FindTableEntryForIndRef(&ref)
			sd := e.Object.(types.StreamDict)
			sd.Dict.Update("ColorSpace", space(xt))
			e.Object = sd
		})
	}
	profile := func(xt *model.XRefTable, icc []byte, n int) types.Object {
		sd, err := newDeflater().stream(icc, types.Dict{"N": types.Integer(n)})
		if err != nil {
			t.Fatal(err)
		}
		ref, err := xt.IndRefForNewObject(*sd)
		if err != nil {
			t.Fatal(err)
		}
		return types.Array{types.Name("ICCBased"), *ref}
	}
	abstract := bytes.Clone(srgbICC)
	copy(abstract[12:16], "abst")
	for _, tc := range []struct {
		name, rule, says string
		data             []byte
	}{
		// An RGB JPEG under a CMYK profile that says so: N and profile
		// agree, the image does not.
		{"cmykProfileOnRGBImage", "6.2.4.2", "3 colour components but its colour space has 4",
			withSpace(func(xt *model.XRefTable) types.Object { return profile(xt, cmykICC, 4) })},
		// The same profile claiming the image's 3 components.
		{"nDisagreesWithProfile", "6.2.4.2", "says N 3 but its profile has 4",
			withSpace(func(xt *model.XRefTable) types.Object { return profile(xt, cmykICC, 3) })},
		{"greyProfileOnRGBImage", "6.2.4.2", "3 colour components but its colour space has 1",
			withSpace(func(xt *model.XRefTable) types.Object { return profile(xt, pdfatest.GrayProfile(), 1) })},
		{"abstractProfile", "6.2.4.2", "class \"abst\"",
			withSpace(func(xt *model.XRefTable) types.Object { return profile(xt, abstract, 3) })},
		{"deviceCMYKOnRGBImage", "6.2.4.2", "3 colour components but its colour space has 4",
			withSpace(func(*model.XRefTable) types.Object { return types.Name("DeviceCMYK") })},
		{"rotate45", "6.1.1", "/Rotate 45",
			rewrite(t, good, func(xt *model.XRefTable, _ types.Dict) {
				page, _, _, err := xt.PageDict(1, false)
				if err != nil {
					t.Fatal(err)
				}
				page.Insert("Rotate", types.Integer(45))
			})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Check(tc.data)
			var nc *NonConformingError
			if !errors.As(err, &nc) {
				t.Fatalf("Check: %v, want a violation of %s", err, tc.rule)
			}
			for _, v := range nc.Violations {
				if v.Rule == tc.rule && strings.Contains(v.Message, tc.says) {
					return
				}
			}
			t.Errorf("violations %v, want %s saying %q", nc.Violations, tc.rule, tc.says)
		})
	}
}
