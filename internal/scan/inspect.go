package scan

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"

	"github.com/sohoa-vn/sohoa/internal/sign/verify"
)

// Kind is what a page, or a whole file, is made of.
type Kind string

const (
	// Scanned is one image per page: Split takes the images out.
	Scanned Kind = "scanned"
	// BornDigital is text or vector graphics, as an office application exports: Render draws the
	// pages for OCR and thumbnails, Text reads the pages' own text.
	BornDigital Kind = "born_digital"
)

// Inspection is what a file is, told from its headers and structure without decoding any image.
type Inspection struct {
	Format Format `json:"format"`
	Pages  int    `json:"pages"`
	// Kind is Scanned when every page is, else BornDigital; images are always Scanned.
	Kind      Kind   `json:"kind"`
	PageKinds []Kind `json:"page_kinds"`
	// Signed is a PDF that carries a signature (a /Sig field with a value, or a /ByteRange where
	// the structure is unreadable): it must be kept byte for byte, and signed over incrementally.
	Signed bool `json:"signed"`
	// Encrypted is a PDF encrypted without a user password: it opens and is read, but cannot
	// become PDF/A as it is. One that needs a password is refused with CodeEncrypted.
	Encrypted bool `json:"encrypted"`
}

// Inspect tells what data is before anything is split: format, page count, scanned or born-digital
// pages, signed or encrypted. Page images are checked against lim from their headers, so a file
// Inspect accepts as Scanned fails in Split only if its image data is damaged. A scanned page is one
// Split reads: exactly one image in its resources, no visible text, no more than a couple of painted
// paths (a frame, a background).
func Inspect(ctx context.Context, data []byte, lim Limits) (Inspection, error) {
	f, err := sniffWithin(data, lim)
	if err != nil {
		return Inspection{}, err
	}
	in := Inspection{Format: f, Pages: 1, Kind: Scanned}
	switch f {
	case JPEG:
		err = checkConfig(jpeg.DecodeConfig, "JPEG", data, lim)
	case PNG:
		err = checkConfig(png.DecodeConfig, "PNG", data, lim)
	case TIFF:
		in.Pages, err = tiffPages(data, lim)
	case PDF:
		return inspectPDF(ctx, data, lim)
	}
	if err != nil {
		return Inspection{}, err
	}
	in.PageKinds = make([]Kind, in.Pages)
	for i := range in.PageKinds {
		in.PageKinds[i] = Scanned
	}
	return in, nil
}

func checkConfig(decode func(r io.Reader) (image.Config, error), kind string, data []byte, lim Limits) error {
	cfg, err := decode(bytes.NewReader(data))
	if err != nil {
		return decodeErr(0, kind, err)
	}
	return checkPixels(0, cfg.Width, cfg.Height, lim)
}

func inspectPDF(c context.Context, data []byte, lim Limits) (in Inspection, err error) {
	defer recoverPDF(&in, &err)
	ctx, err := openPDF(c, data, lim)
	if err != nil {
		return Inspection{}, err
	}
	in = Inspection{Format: PDF, Pages: ctx.PageCount, Kind: Scanned, PageKinds: make([]Kind, ctx.PageCount),
		Encrypted: ctx.Encrypt != nil}
	b := newBudget(lim)
	for i := range in.PageKinds {
		if err := c.Err(); err != nil {
			return Inspection{}, fmt.Errorf("inspect pdf page %d: %w", i+1, err)
		}
		if in.PageKinds[i], err = pageKind(ctx, i, lim, b); err != nil {
			return Inspection{}, err
		}
		if in.PageKinds[i] != Scanned {
			in.Kind = BornDigital
		}
	}
	// A second parse, by the signature verifier's own rules, so that ingest and verification never
	// disagree about whether a file is signed.
	if in.Signed, err = verify.HasSignature(bytes.NewReader(data), int64(len(data))); err != nil {
		return Inspection{}, badPDF(err)
	}
	return in, nil
}

// maxPaintsOnScan is how many painted paths a scanned page may have besides its image: some
// scanner software frames the image or paints a white background first.
const maxPaintsOnScan = 2

func pageKind(ctx *model.Context, i int, lim Limits, b *budget) (Kind, error) {
	d, _, inh, err := ctx.PageDict(i+1, false)
	if err != nil || d == nil {
		return "", badPDF(fmt.Errorf("page %d dict: %v", i+1, err))
	}
	var st contentStats
	if err := st.addPage(ctx, d, inh.Resources, b); err != nil {
		var ie *InputError
		if errors.As(err, &ie) {
			return "", ie
		}
		return "", badPDF(fmt.Errorf("page %d content: %w", i+1, err))
	}
	if st.text > 0 || st.paints > maxPaintsOnScan || st.images != 1 {
		return BornDigital, nil
	}
	found, err := pageImages(ctx, i)
	switch {
	case err != nil:
		return "", err
	case len(found) != 1:
		return BornDigital, nil // drawn as one image, but its resources hold others: not Split's
	}
	if err := checkPixels(i, found[0].w, found[0].h, lim); err != nil {
		return "", err
	}
	return Scanned, nil
}
