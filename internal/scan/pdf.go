package scan

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/pdfcpu/pdfcpu/pkg/filter"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// pdfImage is the one image that makes up a scanned page.
type pdfImage struct {
	sd    *types.StreamDict
	objNr int
	w, h  int
	pageW float64 // page size in inches, oriented like the image
	pageH float64
}

// splitPDF expects what scanners write: each page is one full-page image.
// pdfcpu is robust but not hardened against hostile files and may panic,
// so every call into it runs under recover.
func splitPDF(c context.Context, data []byte, lim Limits) (pages []Page, err error) {
	defer recoverPDF(&pages, &err)
	ctx, err := openPDF(c, data, lim)
	if err != nil {
		return nil, err
	}
	// Locate every page's image and check its size from the image dict
	// before any pixel is decoded.
	imgs := make([]pdfImage, ctx.PageCount)
	for i := range imgs {
		if imgs[i], err = pageImage(ctx, i); err != nil {
			return nil, err
		}
		if err := checkPixels(i, imgs[i].w, imgs[i].h, lim); err != nil {
			return nil, err
		}
	}
	b := newBudget(lim)
	pages = make([]Page, len(imgs))
	for i, im := range imgs {
		if err := c.Err(); err != nil {
			return nil, fmt.Errorf("split pdf before page %d: %w", i+1, err)
		}
		if pages[i], err = extractPDFImage(ctx, i, im, decoding{lim, len(data), b}); err != nil {
			return nil, err
		}
	}
	return pages, nil
}

// recoverPDF turns a pdfcpu panic into the bad_pdf refusal of the file.
func recoverPDF[T any](out *T, err *error) {
	if r := recover(); r != nil {
		var zero T
		*out, *err = zero, badPDF(fmt.Errorf("pdfcpu panic: %v", r))
	}
}

// openPDF reads the cross-reference table and the page tree, refusing what
// cannot be opened without a password and a page count beyond the limit.
// It must be called under recoverPDF.
func openPDF(c context.Context, data []byte, lim Limits) (*model.Context, error) {
	conf, err := pdfConfig(lim)
	if err != nil {
		return nil, err
	}
	ctx, err := pdfcpu.ReadWithContext(c, bytes.NewReader(data), conf)
	switch {
	case c.Err() != nil:
		return nil, fmt.Errorf("read pdf: %w", c.Err())
	case errors.Is(err, pdfcpu.ErrWrongPassword), errors.Is(err, pdfcpu.ErrUnsupportedEncryptionFeature):
		return nil, encryptedErr(err)
	case errors.Is(err, filter.ErrDecodeLimitExceeded):
		return nil, bombErr("luồng dữ liệu", err)
	case err != nil:
		return nil, badPDF(fmt.Errorf("read pdf: %w", err))
	}
	if ctx.PageCount == 0 {
		if err := ctx.EnsurePageCount(); err != nil {
			return nil, inputErr(CodeNoPages, "Tệp PDF không có trang nào đọc được.", err)
		}
	}
	if ctx.PageCount <= 0 {
		return nil, inputErr(CodeNoPages, "Tệp PDF không có trang nào.", nil)
	}
	if err := checkPageCount(ctx.PageCount, lim); err != nil {
		return nil, err
	}
	return ctx, nil
}

// pdfConfig panics only on a broken pdfcpu config directory, which is our
// fault rather than the sender's, hence a plain error.
func pdfConfig(lim Limits) (conf *model.Configuration, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("pdfcpu configuration: %v", r)
		}
	}()
	conf = model.NewDefaultConfiguration()
	// Scanner firmware writes sloppy PDFs; we only need the page tree and
	// the images, and check those ourselves.
	conf.ValidationMode = model.ValidationRelaxed
	if lim.MaxDecoded > 0 {
		// pdfcpu inflates object streams while reading; each is bounded
		// like any other stream that is not a page image.
		conf.Limits.MaxDecodeBytes = lim.MaxDecoded
	}
	if lim.MaxBytes > 0 {
		conf.Limits.MaxStreamBytes = lim.MaxBytes
	}
	return conf, nil
}

// budget is what a document's streams other than page images may still
// inflate to (Limits.MaxDecoded); nil means no limit.
type budget struct{ left int64 }

func newBudget(lim Limits) *budget {
	if lim.MaxDecoded <= 0 {
		return nil
	}
	return &budget{left: lim.MaxDecoded}
}

// decode inflates sd, refusing it as a bomb when it comes to more than max
// bytes or more than the budget has left. max < 0 means only the budget.
func (b *budget) decode(sd *types.StreamDict, max int64, what string) ([]byte, error) {
	limit := max
	if b != nil && (limit < 0 || b.left < limit) {
		limit = b.left
	}
	if limit < 0 {
		limit = filter.DefaultMaxDecodeBytes
	}
	out, err := sd.DecodeLengthWithLimit(-1, limit)
	if errors.Is(err, filter.ErrDecodeLimitExceeded) {
		return nil, bombErr(what, fmt.Errorf("inflates past %d bytes: %w", limit, err))
	}
	if err != nil {
		return nil, err
	}
	if b != nil {
		b.left -= int64(len(out))
	}
	return out, nil
}

func badPDF(err error) error {
	return inputErr(CodeBadPDF, "Tệp PDF bị hỏng hoặc không đầy đủ, không đọc được.", err)
}

func pageImage(ctx *model.Context, i int) (pdfImage, error) {
	found, err := pageImages(ctx, i)
	if err != nil {
		return pdfImage{}, err
	}
	if len(found) != 1 {
		return pdfImage{}, inputErr(CodeBadPDF, fmt.Sprintf(
			"Trang %d của tệp PDF không phải bản quét (cần đúng một ảnh mỗi trang, tìm thấy %d).", i+1, len(found)), nil)
	}
	return found[0], nil
}

// pageImages finds the images in page i's resources, each with the page's
// size in inches, oriented like the image.
func pageImages(ctx *model.Context, i int) ([]pdfImage, error) {
	_, _, inh, err := ctx.PageDict(i+1, false)
	if err != nil {
		return nil, badPDF(fmt.Errorf("page %d dict: %w", i+1, err))
	}
	if inh == nil || inh.MediaBox == nil || inh.MediaBox.Width() <= 0 || inh.MediaBox.Height() <= 0 {
		return nil, badPDF(fmt.Errorf("page %d: no usable MediaBox", i+1))
	}
	var found []pdfImage
	if err := collectImages(ctx, inh.Resources, 0, &found); err != nil {
		return nil, badPDF(fmt.Errorf("page %d resources: %w", i+1, err))
	}
	for k := range found {
		im := &found[k]
		im.pageW, im.pageH = inh.MediaBox.Width()/72, inh.MediaBox.Height()/72
		// A landscape image on a portrait MediaBox is drawn rotated by the
		// content stream (or the page /Rotate); the image axes then run
		// along the other page sides.
		if (im.w > im.h) != (im.pageW > im.pageH) {
			im.pageW, im.pageH = im.pageH, im.pageW
		}
	}
	return found, nil
}

// collectImages finds image XObjects, looking one level into form
// XObjects because some scanners wrap the page image in a form.
func collectImages(ctx *model.Context, res types.Dict, depth int, out *[]pdfImage) error {
	if res == nil || depth > 1 {
		return nil
	}
	xo, err := ctx.DereferenceDict(res["XObject"])
	if err != nil || xo == nil {
		return err
	}
	for name, ref := range xo {
		sd, _, err := ctx.DereferenceStreamDict(ref)
		if err != nil {
			return fmt.Errorf("xobject %s: %w", name, err)
		}
		if sd == nil {
			continue
		}
		switch st := sd.Subtype(); {
		case st != nil && *st == "Image":
			objNr := 0
			if ir, ok := ref.(types.IndirectRef); ok {
				objNr = ir.ObjectNumber.Value()
			}
			w, h := sd.IntEntry("Width"), sd.IntEntry("Height")
			if w == nil || h == nil {
				return fmt.Errorf("image %s: missing Width or Height", name)
			}
			*out = append(*out, pdfImage{sd: sd, objNr: objNr, w: *w, h: *h})
		case st != nil && *st == "Form":
			sub, err := ctx.DereferenceDict(sd.Dict["Resources"])
			if err != nil {
				return fmt.Errorf("form %s resources: %w", name, err)
			}
			if err := collectImages(ctx, sub, depth+1, out); err != nil {
				return err
			}
		}
	}
	return nil
}

// decoding is what extracting a PDF's page images is bounded by: the limits, the file's size (in
// bytes) beside which each page must fit in the parser's memory, and the budget of its other streams.
type decoding struct {
	lim    Limits
	file   int
	budget *budget
}

func extractPDFImage(ctx *model.Context, i int, im pdfImage, d decoding) (Page, error) {
	dx, dy := resolveDPI(im.w, im.h, float64(im.w)/im.pageW, float64(im.h)/im.pageH)
	fp := im.sd.FilterPipeline
	if len(fp) == 1 && fp[0].Name == filter.DCT {
		// The scanner's JPEG goes through untouched; examine decodes it,
		// which proves it complete.
		cfg, err := checkJPEG(i, im.sd.Raw, d.lim)
		if err != nil {
			return Page{}, err
		}
		return Page{Image: im.sd.Raw, Format: JPEG, Width: cfg.Width, Height: cfg.Height, DPIX: dx, DPIY: dy}, nil
	}
	for _, f := range fp {
		switch f.Name {
		case filter.DCT, filter.JPX, filter.JBIG2:
			return Page{}, inputErr(CodeUnsupportedType, fmt.Sprintf(
				"Trang %d của tệp PDF dùng kiểu nén ảnh %s chưa được hỗ trợ.", i+1, f.Name), nil)
		}
	}
	img, err := rasterFromSamples(ctx, i, im, d)
	if err != nil {
		return Page{}, err
	}
	b, err := encodePNG(img)
	if err != nil {
		return Page{}, fmt.Errorf("encode pdf page %d as png: %w", i+1, err)
	}
	return Page{Image: b, Format: PNG, Width: im.w, Height: im.h, DPIX: dx, DPIY: dy}, nil
}

func decodeSamples(i int, im pdfImage, want int64) ([]byte, error) {
	if err := im.sd.DecodeWithLimit(want + 1<<20); err != nil {
		if errors.Is(err, filter.ErrUnsupportedFilter) {
			return nil, inputErr(CodeUnsupportedType, fmt.Sprintf(
				"Trang %d của tệp PDF dùng kiểu nén ảnh chưa được hỗ trợ.", i+1), err)
		}
		return nil, inputErr(CodeCorrupt, fmt.Sprintf("Ảnh trang %d của tệp PDF bị hỏng.", i+1),
			fmt.Errorf("decode image obj %d: %w", im.objNr, err))
	}
	if int64(len(im.sd.Content)) < want {
		return nil, inputErr(CodeTruncated, fmt.Sprintf("Ảnh trang %d của tệp PDF bị cắt cụt.", i+1),
			fmt.Errorf("image obj %d: %d of %d sample bytes", im.objNr, len(im.sd.Content), want))
	}
	return im.sd.Content, nil
}
