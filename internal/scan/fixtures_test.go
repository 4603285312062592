package scan

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"

	"github.com/sohoa-vn/sohoa/internal/receipt"
	"github.com/sohoa-vn/sohoa/internal/sign"
)

// receiptCodes are the dossier codes printed on the pages of bornDigital, one per page.
var receiptCodes = []string{"000.00.53.H26-261127-0001", "000.00.53.H26-261127-0002"}

// bornDigital is a two-page PDF of text and vector graphics (two dossier receipts, Vietnamese text
// in an embedded font, the QR code drawn as rectangles): what an office application exports.
func bornDigital(t testing.TB) []byte {
	t.Helper()
	var parts []io.ReadSeeker
	for _, c := range receiptCodes {
		var b bytes.Buffer
		err := receipt.Write(&b, receipt.Receipt{
			DossierCode: c, Agency: "Bộ phận Một cửa quận Lê Chân", Procedure: "Đăng ký khai sinh",
			OwnerName: "Nguyễn Thị Hằng", ReceivedAt: time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC),
			Components: []string{"Tờ khai đăng ký khai sinh", "Giấy chứng sinh"},
		})
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, bytes.NewReader(b.Bytes()))
	}
	var out bytes.Buffer
	if err := api.MergeRaw(parts, &out, false, nil); err != nil {
		t.Fatalf("merge receipts: %v", err)
	}
	return out.Bytes()
}

// signedTwice signs data with the development agency key, then signs the result again.
func signedTwice(t testing.TB, data []byte) []byte {
	t.Helper()
	files, err := sign.DevKeys(t.TempDir(), "Bộ phận Một cửa (kiểm thử)", false)
	if err != nil {
		t.Fatal(err)
	}
	s, err := sign.LoadPEM(files.AgencyCert, files.AgencyKey)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		var out bytes.Buffer
		if err := s.Sign(context.Background(), bytes.NewReader(data), int64(len(data)), &out); err != nil {
			t.Fatalf("sign: %v", err)
		}
		data = out.Bytes()
	}
	return data
}
