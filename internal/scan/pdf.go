package scan

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/filter"
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
func splitPDF(data []byte, lim Limits) (pages []Page, err error) {
	conf, err := pdfConfig()
	if err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			pages, err = nil, badPDF(fmt.Errorf("pdfcpu panic: %v", r))
		}
	}()

	ctx, err := api.ReadContext(bytes.NewReader(data), conf)
	if err != nil {
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
	pages = make([]Page, len(imgs))
	for i, im := range imgs {
		if pages[i], err = extractPDFImage(ctx, i, im, lim); err != nil {
			return nil, err
		}
	}
	return pages, nil
}

// pdfConfig panics only on a broken pdfcpu config directory, which is our
// fault rather than the sender's, hence a plain error.
func pdfConfig() (conf *model.Configuration, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("pdfcpu configuration: %v", r)
		}
	}()
	conf = model.NewDefaultConfiguration()
	// Scanner firmware writes sloppy PDFs; we only need the page tree and
	// the images, and check those ourselves.
	conf.ValidationMode = model.ValidationRelaxed
	return conf, nil
}

func badPDF(err error) error {
	return inputErr(CodeBadPDF, "Tệp PDF bị hỏng hoặc không đầy đủ, không đọc được.", err)
}

func pageImage(ctx *model.Context, i int) (pdfImage, error) {
	_, _, inh, err := ctx.PageDict(i+1, false)
	if err != nil {
		return pdfImage{}, badPDF(fmt.Errorf("page %d dict: %w", i+1, err))
	}
	if inh == nil || inh.MediaBox == nil || inh.MediaBox.Width() <= 0 || inh.MediaBox.Height() <= 0 {
		return pdfImage{}, badPDF(fmt.Errorf("page %d: no usable MediaBox", i+1))
	}
	var found []pdfImage
	if err := collectImages(ctx, inh.Resources, 0, &found); err != nil {
		return pdfImage{}, badPDF(fmt.Errorf("page %d resources: %w", i+1, err))
	}
	if len(found) != 1 {
		return pdfImage{}, inputErr(CodeBadPDF, fmt.Sprintf(
			"Trang %d của tệp PDF không phải bản quét (cần đúng một ảnh mỗi trang, tìm thấy %d).", i+1, len(found)), nil)
	}
	im := found[0]
	im.pageW, im.pageH = inh.MediaBox.Width()/72, inh.MediaBox.Height()/72
	// A landscape image on a portrait MediaBox is drawn rotated by the
	// content stream (or the page /Rotate); the image axes then run along
	// the other page sides.
	if (im.w > im.h) != (im.pageW > im.pageH) {
		im.pageW, im.pageH = im.pageH, im.pageW
	}
	return im, nil
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

func extractPDFImage(ctx *model.Context, i int, im pdfImage, lim Limits) (Page, error) {
	dx, dy := resolveDPI(im.w, im.h, float64(im.w)/im.pageW, float64(im.h)/im.pageH)
	fp := im.sd.FilterPipeline
	if len(fp) == 1 && fp[0].Name == filter.DCT {
		// The scanner's JPEG goes through untouched; decoding it only proves
		// it is complete.
		w, h, err := verifyJPEG(i, im.sd.Raw, lim)
		if err != nil {
			return Page{}, err
		}
		return Page{Image: im.sd.Raw, Format: JPEG, Width: w, Height: h, DPIX: dx, DPIY: dy}, nil
	}
	for _, f := range fp {
		switch f.Name {
		case filter.DCT, filter.JPX, filter.JBIG2:
			return Page{}, inputErr(CodeUnsupportedType, fmt.Sprintf(
				"Trang %d của tệp PDF dùng kiểu nén ảnh %s chưa được hỗ trợ.", i+1, f.Name), nil)
		}
	}
	img, err := rasterFromSamples(ctx, i, im)
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
