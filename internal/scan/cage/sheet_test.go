package cage

import (
	"bytes"
	"context"
	"reflect"
	"testing"

	"github.com/sohoa-vn/sohoa/internal/receipt"
	"github.com/sohoa-vn/sohoa/internal/scan"
	"github.com/sohoa-vn/sohoa/internal/sheet"
	"github.com/sohoa-vn/sohoa/internal/sheet/sheettest"
)

// TestSheetsCrossOver: the sheet Split finds on a page reaches the parent with the page.
func TestSheetsCrossOver(t *testing.T) {
	const dossier = "000.00.53.H26-261127-0001"
	var cover bytes.Buffer
	if err := receipt.WriteCover(&cover, receipt.Cover{DossierCode: dossier}); err != nil {
		t.Fatal(err)
	}
	page := sheettest.Scan(sheettest.Rasterize(t, cover.Bytes(), 200), sheettest.Options{UpsideDown: true})
	stack := sheettest.StackPDF([][]byte{read(t, scans+"dkdn.jpg"), page})
	p := newPool(t, Config{})
	ctx, lim := context.Background(), scan.DefaultLimits()
	got, err := p.Split(ctx, stack, lim)
	if err != nil || len(got) != 2 {
		t.Fatalf("%d pages, %v", len(got), err)
	}
	if got[0].Sheet != nil || got[1].Sheet == nil || *got[1].Sheet != (sheet.Sheet{Kind: sheet.Cover, Dossier: dossier}) {
		t.Errorf("sheets %v, %v; want none, then the cover of %s", got[0].Sheet, got[1].Sheet, dossier)
	}
	if want, _ := scan.Split(ctx, stack, lim); !reflect.DeepEqual(got, want) {
		t.Error("the pages differ from those split in process")
	}
}
