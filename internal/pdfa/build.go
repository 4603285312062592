// Package pdfa assembles sohoa's archive PDF: each scanned page image at its
// physical size with the OCR words laid over it as invisible text, so the
// document looks exactly like the paper original but can be searched,
// selected and indexed.
//
// The output is a single-revision PDF 1.7 with a classic xref table, so the
// signing step can append its signature as an incremental update. It is
// a PDF/A-2u file: embedded font with a ToUnicode map, XMP metadata with
// sohoa's record fields declared in an extension schema, an sRGB output
// intent, no optional content, interpolation, transparency or actions.
// Check tests a file (ours or anyone's) against the PDF/A-2 rules it can.
package pdfa

import (
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"io"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// Word is one OCR word. Box is in pixels of the page image, origin top-left.
type Word struct {
	Text string
	Box  image.Rectangle
}

// Page is one scanned page and its OCR result.
type Page struct {
	Image  []byte
	Format string // "jpeg" or "png"
	// Width and Height are the image size in pixels; zero means "take it
	// from the image", otherwise they must match it.
	Width, Height int
	DPIX, DPIY    float64
	// Rotate is the clockwise turn, a multiple of 90 degrees, that shows
	// the page upright: it becomes the page's /Rotate, the image stays as
	// scanned. ocr.Page.Rotation is this number.
	Rotate int
	Lines  [][]Word // OCR lines in reading order; boxes on the image as scanned
}

// A Change is a way in which a page's archive copy differs from the scan
// as delivered. Build returns them so the caller can record them in the
// document's history; most pages have none.
type Change struct {
	Page   int    // from 1
	Code   string // stable: one of the Change constants
	Reason string // Vietnamese, for the people who read the history
}

// Change codes.
const (
	// ChangeProfileIgnored: the image's embedded ICC profile is not one
	// PDF/A accepts for it, so the default profile of its colour
	// components describes it instead. The pixels are untouched.
	ChangeProfileIgnored = "icc_profile_ignored"
	// ChangeFlattened: a PNG with transparency was composited onto white.
	ChangeFlattened = "transparency_flattened"
	// ChangeDepthReduced: a 16-bit PNG that had to be decoded (alpha,
	// interlacing) is stored at 8 bits per component.
	ChangeDepthReduced = "depth_reduced"
	// ChangeDeinterlaced: an interlaced PNG was decoded and stored
	// without interlacing; every pixel keeps its value.
	ChangeDeinterlaced = "interlace_decoded"
)

// change is a Change before its page is known.
type change struct{ code, reason string }

// Build writes a PDF whose pages show the images at their physical size
// (width_pt = px/dpi*72), turned by their Rotate, and carry the words as
// invisible text that reads in order on the page as shown. It returns what
// the archive copy changed of the scans, if anything.
func Build(w io.Writer, pages []Page, meta Metadata) ([]Change, error) {
	if len(pages) == 0 {
		return nil, errors.New("pdfa: no pages")
	}
	ctx, err := newContext()
	if err != nil {
		return nil, fmt.Errorf("pdfa: create document: %w", err)
	}
	xt := ctx.XRefTable

	z := newDeflater()
	font, err := newGlyphFont(xt, z)
	if err != nil {
		return nil, fmt.Errorf("pdfa: font: %w", err)
	}
	root, err := xt.Catalog()
	if err != nil {
		return nil, fmt.Errorf("pdfa: catalog: %w", err)
	}
	tree := types.Dict{"Type": types.Name("Pages")}
	treeRef, err := xt.IndRefForNewObject(tree)
	if err != nil {
		return nil, fmt.Errorf("pdfa: page tree: %w", err)
	}
	root.Insert("Pages", *treeRef)
	if meta.Language != "" {
		root.Insert("Lang", textString(meta.Language))
	}

	prof := newProfiles(xt, z)
	kids := make(types.Array, 0, len(pages))
	var changes []Change
	for i, p := range pages {
		ref, cs, err := addPage(prof, *treeRef, font, p)
		if err != nil {
			return nil, fmt.Errorf("pdfa: page %d: %w", i+1, err)
		}
		kids = append(kids, *ref)
		for _, c := range cs {
			changes = append(changes, Change{Page: i + 1, Code: c.code, Reason: c.reason})
		}
	}
	tree.Insert("Kids", kids)
	tree.Insert("Count", types.Integer(len(kids)))
	xt.PageCount = len(kids)

	if err := font.finish(xt, z); err != nil {
		return nil, fmt.Errorf("pdfa: font: %w", err)
	}

	// Info and XMP dates must agree exactly and Info has whole seconds.
	created := meta.Created
	if created.IsZero() {
		created = time.Now()
	}
	created = created.Truncate(time.Second)
	docID, instanceID := fileID(meta, created, len(pages))
	if err := addPDFAEntries(xt, z, root, xmpPacket(meta, created, len(pages), docID, instanceID)); err != nil {
		return nil, fmt.Errorf("pdfa: %w", err)
	}
	// pdfcpu replaces the second half of /ID with a hash of the write time;
	// the first half survives, and the second is restored in finish.
	ctx.ID = types.Array{types.HexLiteral(hex.EncodeToString(docID[:])), types.HexLiteral(hex.EncodeToString(docID[:]))}

	info := infoDict(meta, created)
	infoRef, err := xt.IndRefForNewObject(info.Clone())
	if err != nil {
		return nil, fmt.Errorf("pdfa: info: %w", err)
	}
	xt.Info = infoRef

	out := &infoPatcher{w: w, keep: holdBack(info, len(xt.Table))}
	if err := api.WriteContext(ctx, out); err != nil {
		return nil, fmt.Errorf("pdfa: write: %w", err)
	}
	infoNr := infoRef.ObjectNumber.Value()
	ids := [2]string{ctx.ID[0].PDFString(), ctx.ID[1].PDFString()}
	if err := out.finish(infoNr, ctx.Write.Table[infoNr], info, ids, hex.EncodeToString(instanceID[:])); err != nil {
		return nil, fmt.Errorf("pdfa: info: %w", err)
	}
	return changes, nil
}

// newContext returns an empty document whose writer produces a classic
// xref table without object streams: pdfsign's incremental update and
// older archive tooling handle that form most reliably.
func newContext() (*model.Context, error) {
	xt, err := pdfcpu.CreateXRefTableWithRootDict()
	if err != nil {
		return nil, err
	}
	return pdfcpu.CreateContext(xt, pdfcpuConfig()), nil
}

// pdfcpuConfig is built by hand because model.NewDefaultConfiguration
// installs pdfcpu's config directory (fonts, certificates) in $HOME.
func pdfcpuConfig() *model.Configuration {
	return &model.Configuration{
		Eol:               types.EolLF,
		ValidationMode:    model.ValidationRelaxed,
		WriteObjectStream: false,
		WriteXRefStream:   false,
		Limits:            model.DefaultResourceLimits(),
	}
}

// addPage adds one page: its image at its physical size, unturned (the
// scan as it is), /Rotate to show it upright, and the text layer laid out
// on the page as shown.
func addPage(prof *profiles, parent types.IndirectRef, font *glyphFont, p Page) (*types.IndirectRef, []change, error) {
	if p.DPIX <= 0 || p.DPIY <= 0 {
		return nil, nil, fmt.Errorf("invalid resolution %gx%g dpi", p.DPIX, p.DPIY)
	}
	quads, err := quarterTurns(p.Rotate)
	if err != nil {
		return nil, nil, err
	}
	xt, z := prof.xt, prof.z
	imgRef, size, changes, err := imageXObject(prof, z, p)
	if err != nil {
		return nil, nil, fmt.Errorf("image: %w", err)
	}
	if (p.Width != 0 || p.Height != 0) && (p.Width != size.X || p.Height != size.Y) {
		return nil, nil, fmt.Errorf("image is %dx%d px, page says %dx%d", size.X, size.Y, p.Width, p.Height)
	}

	g := geometry{sx: 72 / p.DPIX, sy: 72 / p.DPIY}
	width := round(float64(size.X) * g.sx)
	g.height = round(float64(size.Y) * g.sy)
	ts := newTextSpace(g, width, size, quads)

	content, err := z.stream(pageContent(width, g.height, ts, p.Lines, font.enc), nil)
	if err != nil {
		return nil, nil, fmt.Errorf("content: %w", err)
	}
	contentRef, err := xt.IndRefForNewObject(*content)
	if err != nil {
		return nil, nil, fmt.Errorf("content: %w", err)
	}

	page := types.Dict{
		"Type":     types.Name("Page"),
		"Parent":   parent,
		"MediaBox": types.NewNumberArray(0, 0, width, g.height),
		"Resources": types.Dict{
			"XObject": types.Dict{imageRes: *imgRef},
			"Font":    types.Dict{fontRes: font.ref},
		},
		"Contents": *contentRef,
	}
	if quads != 0 {
		page.Insert("Rotate", types.Integer(90*quads))
	}
	ref, err := xt.IndRefForNewObject(page)
	return ref, changes, err
}

// round keeps MediaBox numbers short; 1/1000 pt is far below scan precision.
func round(v float64) float64 {
	return float64(int64(v*1000+0.5)) / 1000
}
