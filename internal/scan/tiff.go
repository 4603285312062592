package scan

/*
#cgo LDFLAGS: -llept
#include <stdlib.h>
#include <string.h>
#include <leptonica/allheaders.h>

// The calling thread's buffer for Leptonica's error messages: a cgo call runs
// on one thread from start to end, so the messages read at the end of a call
// are that call's. They are appended (the first one says why, the last one
// only that a pix was not made) until the buffer is full.
static __thread char *sohoa_msg;
static __thread size_t sohoa_msglen;

static void sohoa_keep(const char *msg) {
	if (sohoa_msg == NULL || sohoa_msglen == 0) return;
	size_t used = strlen(sohoa_msg);
	if (used + 1 >= sohoa_msglen) return;
	strncat(sohoa_msg, msg, sohoa_msglen - used - 1);
}

// Leptonica reports every problem on stderr (some, like short reads from
// memory, regardless of severity); we keep its errors for the Go side
// instead, which needs them to tell a failed allocation from a damaged file.
// Both settings are process-wide in Leptonica, so setting them on every call
// is idempotent and avoids a Go-side init.
static void sohoa_quiet(char *msg, size_t len) {
	sohoa_msg = msg;
	sohoa_msglen = len;
	if (len > 0) msg[0] = 0;
	setMsgSeverity(L_SEVERITY_ERROR);
	leptSetStderrHandler(sohoa_keep);
}

// sohoa_tiff_header reads page n's directory only, so the pixel limit is
// checked before anything is decoded. Non-zero means there is no page n
// (or its directory is unreadable).
static int sohoa_tiff_header(const l_uint8 *data, size_t size, int n, int *w, int *h) {
	l_int32 bps, spp, res, cmap, format;
	sohoa_quiet(NULL, 0);
	return readHeaderMemTiff(data, size, n, w, h, &bps, &spp, &res, &cmap, &format);
}

// sohoa_tiff_png decodes page n and re-encodes it as PNG into *out, which
// the caller frees with lept_free.
static int sohoa_tiff_png(const l_uint8 *data, size_t size, int n, l_uint8 **out, size_t *outsize,
		int *w, int *h, int *xres, int *yres, char *msg, size_t msglen) {
	sohoa_quiet(msg, msglen);
	PIX *pix = pixReadMemTiff(data, size, n);
	if (pix == NULL) {
		sohoa_msg = NULL;
		return 1;
	}
	*w = pixGetWidth(pix);
	*h = pixGetHeight(pix);
	*xres = pixGetXRes(pix);
	*yres = pixGetYRes(pix);
	l_ok bad = pixWriteMemPng(out, outsize, pix, 0.0);
	pixDestroy(&pix);
	sohoa_msg = NULL;
	return bad ? 2 : 0;
}
*/
import "C"

import (
	"context"
	"encoding/binary"
	"fmt"
	"strings"
	"unsafe"
)

// splitTIFF uses Leptonica (libtiff underneath) because golang.org/x/image/tiff
// cannot decode JPEG-in-TIFF or CCITT G4, which is what office scanners write.
func splitTIFF(ctx context.Context, data []byte, lim Limits) ([]Page, error) {
	// Go memory may be passed to C for the duration of a call as long as it
	// holds no Go pointers; Leptonica only reads it, so no copy is needed.
	ptr := (*C.l_uint8)(unsafe.Pointer(&data[0]))
	size := C.size_t(len(data))

	n, err := tiffPages(data, lim)
	if err != nil {
		return nil, err
	}
	pages := make([]Page, 0, n)
	for i := 0; i < n; i++ {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("split tiff before page %d: %w", i+1, err)
		}
		p, err := tiffPage(ptr, size, i, lim)
		if err != nil {
			return nil, err
		}
		pages = append(pages, p)
	}
	return pages, nil
}

// tiffPages walks the page directories: a huge page or page count is
// refused before a single page is decoded.
func tiffPages(data []byte, lim Limits) (int, error) {
	ptr := (*C.l_uint8)(unsafe.Pointer(&data[0]))
	size := C.size_t(len(data))
	n := 0
	for ; ; n++ {
		var w, h C.int
		if C.sohoa_tiff_header(ptr, size, C.int(n), &w, &h) != 0 {
			break
		}
		if err := checkPageCount(n+1, lim); err != nil {
			return 0, err
		}
		if err := checkPixels(n, int(w), int(h), lim); err != nil {
			return 0, err
		}
	}
	if n == 0 {
		if firstIFDBeyond(data) {
			// Writers put the directory after the image data, so a cut-off
			// upload loses its directory first.
			return 0, inputErr(CodeTruncated, "Tệp TIFF bị cắt cụt (tệp tải lên không đầy đủ).", nil)
		}
		return 0, inputErr(CodeCorrupt, "Tệp TIFF bị hỏng, không đọc được trang nào.", nil)
	}
	return n, nil
}

func firstIFDBeyond(data []byte) bool {
	if len(data) < 8 {
		return true
	}
	var off uint32
	if data[0] == 'I' {
		off = binary.LittleEndian.Uint32(data[4:])
	} else {
		off = binary.BigEndian.Uint32(data[4:])
	}
	return int64(off) >= int64(len(data))
}

func tiffPage(ptr *C.l_uint8, size C.size_t, i int, lim Limits) (Page, error) {
	var (
		out              *C.l_uint8
		outSize          C.size_t
		w, h, xres, yres C.int
		msg              [1024]C.char
	)
	rc := C.sohoa_tiff_png(ptr, size, C.int(i), &out, &outSize, &w, &h, &xres, &yres, &msg[0], C.size_t(len(msg)))
	if out != nil {
		defer C.lept_free(unsafe.Pointer(out))
	}
	said := strings.TrimSpace(C.GoString(&msg[0]))
	switch {
	case rc != 0 && strings.Contains(said, "alloc fail"):
		// "calloc fail for tiffdata", "pixdata_malloc fail for data": the
		// page's raster did not fit in the memory this process may use.
		return Page{}, MemoryLimit(lim.Memory, fmt.Errorf("decode tiff page %d: leptonica: %s", i, said))
	case rc == 0:
	case rc == 1:
		// libtiff does not tell a short read from bad data; a directory that
		// parsed but a strip that did not is almost always a cut-off upload.
		return Page{}, inputErr(CodeTruncated,
			fmt.Sprintf("Trang %d của tệp TIFF bị hỏng hoặc bị cắt cụt.", i+1),
			fmt.Errorf("decode tiff page %d: leptonica: %q", i, said))
	default:
		return Page{}, fmt.Errorf("encode tiff page %d as png: leptonica: %q", i, said)
	}
	img := C.GoBytes(unsafe.Pointer(out), C.int(outSize))
	dx, dy := resolveDPI(int(w), int(h), float64(xres), float64(yres))
	return Page{Image: img, Format: PNG, Width: int(w), Height: int(h), DPIX: dx, DPIY: dy}, nil
}
