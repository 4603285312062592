package xlsx

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A workbook opens as a ZIP holding the parts a spreadsheet program reads, with its cells in place:
// Vietnamese text escaped and whole, numbers as numbers, columns past Z lettered on.
func TestWrite(t *testing.T) {
	var b bytes.Buffer
	rows := [][]any{{"Cơ quan", "Hồ sơ", "Tỷ lệ"}, {"UBND quận Lê Chân & <phường>", 3, 0.5}}
	wide := make([]any, 28)
	for i := range wide {
		wide[i] = i
	}
	rows = append(rows, wide)
	if err := Write(&b, "Chỉ tiêu", rows); err != nil {
		t.Fatal(err)
	}
	z, err := zip.NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()))
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string]string{}
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(r)
		parts[f.Name] = string(body)
	}
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/worksheets/sheet1.xml"} {
		if parts[name] == "" {
			t.Errorf("no %s", name)
		}
	}
	sheet := parts["xl/worksheets/sheet1.xml"]
	for _, want := range []string{`<c r="A2" t="inlineStr"><is><t xml:space="preserve">UBND quận Lê Chân &amp; &lt;phường&gt;</t></is></c>`,
		`<c r="B2"><v>3</v></c>`, `<c r="C2"><v>0.5</v></c>`, `<c r="AB3"><v>27</v></c>`} {
		if !strings.Contains(sheet, want) {
			t.Errorf("the sheet lacks %s", want)
		}
	}
	if !strings.Contains(parts["xl/workbook.xml"], `name="Chỉ tiêu"`) {
		t.Error("the sheet is not named")
	}
	// Every part is well-formed XML, as xmllint reads it.
	if _, err := exec.LookPath("xmllint"); err == nil {
		dir := t.TempDir()
		for name, body := range parts {
			path := filepath.Join(dir, strings.NewReplacer("/", "_", "[", "", "]", "").Replace(name))
			if err := writeFile(path, body); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command("xmllint", "--noout", path).CombinedOutput(); err != nil {
				t.Errorf("%s: %v %s", name, err, out)
			}
		}
	} else {
		t.Fatal("xmllint is needed (scripts/services installs it)")
	}
}

func writeFile(path, body string) error { return os.WriteFile(path, []byte(body), 0o644) }

// What Write writes, Read reads back: strings whole, numbers as they were written, a cell left
// empty as "", columns past Z in their place.
func TestRead(t *testing.T) {
	var b bytes.Buffer
	wide := make([]any, 28)
	for i := range wide {
		wide[i] = i
	}
	rows := [][]any{{"Cơ quan", "", "Tỷ lệ"}, {"UBND quận Lê Chân & <phường>", 3, 0.5}, wide}
	if err := Write(&b, "Chỉ tiêu", rows); err != nil {
		t.Fatal(err)
	}
	got, err := Read(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || strings.Join(got[0], "|") != "Cơ quan||Tỷ lệ" || strings.Join(got[1], "|") != "UBND quận Lê Chân & <phường>|3|0.5" ||
		len(got[2]) != 28 || got[2][27] != "27" {
		t.Errorf("read back %q", got)
	}
	if _, err := Read([]byte("not a zip")); err == nil {
		t.Error("a file that is no workbook was read")
	}
}
