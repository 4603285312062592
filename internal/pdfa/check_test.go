package pdfa

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	"github.com/sohoa-vn/sohoa/internal/pdfa/pdfatest"
	"github.com/sohoa-vn/sohoa/internal/sign"
	"github.com/sohoa-vn/sohoa/internal/testenv"
)

func testMeta() Metadata {
	return Metadata{
		Title: "Tờ khai đăng ký khai sinh", Creator: "sohoa", Language: "vi",
		Created:      time.Date(2024, 5, 17, 9, 30, 0, 0, time.FixedZone("ICT", 7*3600)),
		DocumentCode: "000.00.53.H48-220921-0099.01", DossierCode: "000.00.53.H48-220921-0099",
		OwnerID: "031085012345", Kind: "Tờ khai đăng ký khai sinh", OrganName: "UBND phường Máy Chai",
	}
}

func buildBytes(t testing.TB, pages []Page, meta Metadata) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := Build(&buf, pages, meta); err != nil {
		t.Fatalf("Build: %v", err)
	}
	return buf.Bytes()
}

// violations returns the clauses Check reports for data.
func violations(t *testing.T, data []byte) []string {
	t.Helper()
	err := Check(data)
	if err == nil {
		return nil
	}
	var nc *NonConformingError
	if !errors.As(err, &nc) {
		t.Fatalf("Check: %v", err)
	}
	var rules []string
	for _, v := range nc.Violations {
		rules = append(rules, v.Rule)
	}
	return rules
}

// verapdf runs the reference validator when the run asks for it (see
// pdfatest.VeraEnv).
func verapdf(t *testing.T, path string) { pdfatest.VeraPDF(t, path) }

func TestCheckBuilt(t *testing.T) {
	data := buildBytes(t, testPages(t), testMeta())
	if err := Check(data); err != nil {
		t.Fatalf("Check of a built file: %v", err)
	}
	path := filepath.Join(t.TempDir(), "a.pdf")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	verapdf(t, path)
	meta := testenv.Run(t, "pdfinfo", "-meta", path)
	for _, want := range []string{"<pdfaid:part>2</pdfaid:part>", "<pdfaid:conformance>U</pdfaid:conformance>",
		"<sohoa:ownerID>031085012345</sohoa:ownerID>", "<sohoa:confidenceLevel>02</sohoa:confidenceLevel>",
		"<pdfaSchema:namespaceURI>" + RecordNS} {
		if !strings.Contains(meta, want) {
			t.Errorf("XMP lacks %s", want)
		}
	}
	if got := MaintenanceOf(data); got != "" {
		t.Errorf("MaintenanceOf a file built without one = %q", got)
	}
	m := testMeta()
	m.Maintenance = "04"
	if got := MaintenanceOf(buildBytes(t, testPages(t), m)); got != "04" {
		t.Errorf("MaintenanceOf a file built with 04 = %q", got)
	}
	// Same record, same identity: a stage may rebuild. (Not the same bytes: pdfcpu writes dictionary
	// entries in Go's map order.)
	again := buildBytes(t, testPages(t), testMeta())
	if id := regexp.MustCompile(`/ID\s*\[\s*<[0-9A-Fa-f]+>`); string(id.Find(again)) != string(id.Find(data)) || id.Find(data) == nil {
		t.Error("rebuilding the same record gave another document ID")
	}
}

// devSigner holds internal/sign's development keys, made once per test
// binary: key generation is the slow part of signing.
var devSigner devKeys

type devKeys struct {
	once sync.Once
	dir  string
	s    *sign.Signer
	err  error
}

func (d *devKeys) cleanup() {
	if d.dir != "" {
		os.RemoveAll(d.dir)
	}
}

// signDev signs data with internal/sign's development keys.
func signDev(t testing.TB, data []byte) []byte {
	t.Helper()
	devSigner.once.Do(func() {
		d := &devSigner
		if d.dir, d.err = os.MkdirTemp("", "pdfa-devkeys"); d.err != nil {
			return
		}
		files, err := sign.DevKeys(d.dir, "UBND phường Máy Chai", false)
		if err != nil {
			d.err = err
			return
		}
		d.s, d.err = sign.LoadPEM(files.AgencyCert, files.AgencyKey)
	})
	if devSigner.err != nil {
		t.Fatalf("development keys: %v", devSigner.err)
	}
	var out bytes.Buffer
	if err := devSigner.s.Sign(context.Background(), bytes.NewReader(data), int64(len(data)), &out); err != nil {
		t.Fatalf("sign: %v", err)
	}
	return out.Bytes()
}

func TestCheckSigned(t *testing.T) {
	signed := signDev(t, buildBytes(t, testPages(t), testMeta()))
	if err := Check(signed); err != nil {
		t.Fatalf("Check of the signed file: %v", err)
	}
	path := filepath.Join(t.TempDir(), "signed.pdf")
	if err := os.WriteFile(path, signed, 0o644); err != nil {
		t.Fatal(err)
	}
	out := testenv.Run(t, "qpdf", "--check", path)
	if !strings.Contains(out, "No syntax or stream encoding errors") {
		t.Errorf("qpdf --check:\n%s", out)
	}
	verapdf(t, path)
}

// readModel reads data into pdfcpu's document model, pages counted.
func readModel(t *testing.T, data []byte) *model.Context {
	t.Helper()
	conf := pdfcpuConfig()
	conf.Reader15 = true
	ctx, err := api.ReadContext(bytes.NewReader(data), conf)
	if err != nil {
		t.Fatal(err)
	}
	if err := ctx.EnsurePageCount(); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// rewrite lets edit change the document model and writes it again.
func rewrite(t *testing.T, data []byte, edit func(xt *model.XRefTable, root types.Dict)) []byte {
	t.Helper()
	ctx := readModel(t, data)
	root, err := ctx.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	edit(ctx.XRefTable, root)
	var buf bytes.Buffer
	if err := api.WriteContext(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestCheckRejects(t *testing.T) {
	good := buildBytes(t, testPages(t)[1:], testMeta())
	blank := func(b []byte, s string) []byte {
		if !bytes.Contains(b, []byte(s)) {
			t.Fatalf("no %q", s)
		}
		return bytes.Replace(b, []byte(s), bytes.Repeat([]byte(" "), len(s)), 1)
	}
	for _, tc := range []struct {
		name string
		rule string
		make func() []byte
	}{
		{"noPdfaid", "6.6.4", func() []byte {
			b := blank(bytes.Clone(good), "<pdfaid:part>2</pdfaid:part>")
			return blank(b, "<pdfaid:conformance>U</pdfaid:conformance>")
		}},
		{"noMetadata", "6.6.2.1", func() []byte {
			return rewrite(t, good, func(_ *model.XRefTable, root types.Dict) { root.Delete("Metadata") })
		}},
		{"noOutputIntent", "6.2.3", func() []byte {
			return rewrite(t, good, func(_ *model.XRefTable, root types.Dict) { root.Delete("OutputIntents") })
		}},
		{"helvetica", "6.2.11.4.1", func() []byte {
			return rewrite(t, good, func(xt *model.XRefTable, _ types.Dict) {
				page, _, _, err := xt.PageDict(1, false)
				if err != nil {
					t.Fatal(err)
				}
				res := page["Resources"].(types.Dict)
				res["Font"].(types.Dict).Insert("F9", types.Dict{
					"Type": types.Name("Font"), "Subtype": types.Name("Type1"),
					"BaseFont": types.Name("Helvetica"), "Encoding": types.Name("WinAnsiEncoding"),
				})
				sd := types.NewStreamDict(types.Dict{}, 0, nil, nil, nil)
				sd.Content = []byte("BT /F9 12 Tf 72 72 Td (Hello) Tj ET")
				if err := sd.Encode(); err != nil {
					t.Fatal(err)
				}
				ref, err := xt.IndRefForNewObject(sd)
				if err != nil {
					t.Fatal(err)
				}
				page.Update("Contents", types.Array{page["Contents"], *ref})
			})
		}},
		{"javascript", "6.5.1", func() []byte {
			return rewrite(t, good, func(_ *model.XRefTable, root types.Dict) {
				root.Insert("OpenAction", types.Dict{"S": types.Name("JavaScript"), "JS": types.StringLiteral("app.alert(1)")})
			})
		}},
		{"encrypted", "6.1.3", func() []byte {
			// A trailer entry after the xref table moves no offsets.
			return bytes.Replace(good, []byte("/Info "), []byte("/Encrypt 99 0 R /Info "), 1)
		}},
		{"noID", "6.1.3", func() []byte {
			b := bytes.Clone(good)
			i := bytes.LastIndex(b, []byte("/ID["))
			j := bytes.Index(b[i:], []byte("]"))
			return blank(b, string(b[i:i+j+1]))
		}},
		{"interpolate", "6.2.8", func() []byte {
			return rewrite(t, good, func(xt *model.XRefTable, _ types.Dict) {
				for _, e := range xt.Table {
					if sd, ok := e.Object.(types.StreamDict); ok && sd.Dict.NameEntry("Subtype") != nil && *sd.Dict.NameEntry("Subtype") == "Image" {
						sd.Dict.Insert("Interpolate", types.Boolean(true))
					}
				}
			})
		}},
		{"noBinaryComment", "6.1.2", func() []byte {
			b := bytes.Clone(good)
			copy(b[9:13], "abcd")
			return b
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := violations(t, tc.make())
			found := false
			for _, r := range got {
				found = found || r == tc.rule
			}
			if !found {
				t.Errorf("violations %v, want %s", got, tc.rule)
			}
		})
	}
}
