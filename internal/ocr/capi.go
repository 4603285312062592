package ocr

/*
#cgo LDFLAGS: -ltesseract -llept
#include <stdlib.h>
#include <stdbool.h>
#include <tesseract/capi.h>
#include <leptonica/allheaders.h>

// The monitor's cancel function polls a flag that Go sets from another
// goroutine when the context is cancelled; Tesseract calls it once per word,
// so a cancelled page stops within a word or so. C memory, atomics: no Go
// pointer is ever held by C.
static bool sohoa_cancelled(void *flag, int words) {
	(void)words;
	return __atomic_load_n((int *)flag, __ATOMIC_RELAXED) != 0;
}
static void sohoa_flag_set(int *flag, int v) { __atomic_store_n(flag, v, __ATOMIC_RELAXED); }

static ETEXT_DESC *sohoa_monitor(int *flag, int msecs) {
	ETEXT_DESC *m = TessMonitorCreate();
	TessMonitorSetCancelFunc(m, sohoa_cancelled);
	TessMonitorSetCancelThis(m, flag);
	if (msecs > 0) TessMonitorSetDeadlineMSecs(m, msecs);
	return m;
}

// sohoa_rgb splits a Leptonica RGB pixel and finds its brightest and
// darkest channels.
static inline void sohoa_rgb(l_uint32 v, int *r, int *g, int *b, int *mx, int *mn) {
	*r = (v >> L_RED_SHIFT) & 0xff, *g = (v >> L_GREEN_SHIFT) & 0xff, *b = (v >> L_BLUE_SHIFT) & 0xff;
	*mx = *r > *g ? (*r > *b ? *r : *b) : (*g > *b ? *g : *b);
	*mn = *r < *g ? (*r < *b ? *r : *b) : (*g < *b ? *g : *b);
}

// sohoa_colour_count counts the pixels of a 32-bit page whose channels
// differ by min_chroma or more: coloured ink, not black or grey.
static l_int64 sohoa_colour_count(PIX *p, int min_chroma) {
	if (pixGetDepth(p) != 32) return 0;
	l_int32 w = pixGetWidth(p), h = pixGetHeight(p), wpl = pixGetWpl(p);
	l_uint32 *data = pixGetData(p);
	l_int64 n = 0;
	for (l_int32 y = 0; y < h; y++) {
		l_uint32 *s = data + y * wpl;
		for (l_int32 x = 0; x < w; x++) {
			int r, g, b, mx, mn;
			sohoa_rgb(s[x], &r, &g, &b, &mx, &mn);
			n += mx - mn >= min_chroma;
		}
	}
	return n;
}

// sohoa_drop_ink paints over, in place, the coloured ink of a 32-bit page:
// every pixel whose channels differ by edge_chroma or more, and the pixels
// within halo of one (the ink's blurred edges, too pale to be coloured).
// What lay under the ink shows in its brightest channel: red seal ink
// absorbs green and blue but not red, blue ballpoint red and green but not
// blue, so that channel is light over paper and dark over black print. A
// pixel whose brightest channel plus chroma_pct of its chroma (which
// lifts dark, saturated ink) is still dark keeps that grey, as print; the
// others take the paper's colour, the median of the uncoloured pixels.
// The rest of the page is left as it is, so Tesseract reads it exactly as
// it reads the file.
static int sohoa_drop_ink(PIX *p, int edge_chroma, int halo, int chroma_pct) {
	if (pixGetDepth(p) != 32) return 0;
	l_int32 w = pixGetWidth(p), h = pixGetHeight(p), wpl = pixGetWpl(p);
	l_uint32 *data = pixGetData(p);
	PIX *mask = pixCreate(w, h, 1);
	if (mask == NULL) return 1;
	l_uint32 *mdata = pixGetData(mask);
	l_int32 mwpl = pixGetWpl(mask);
	l_int64 hist[3][256] = {{0}}, n = 0;
	for (l_int32 y = 0; y < h; y++) {
		l_uint32 *s = data + y * wpl, *m = mdata + y * mwpl;
		for (l_int32 x = 0; x < w; x++) {
			int r, g, b, mx, mn;
			sohoa_rgb(s[x], &r, &g, &b, &mx, &mn);
			if (mx - mn >= edge_chroma) {
				SET_DATA_BIT(m, x);
			} else {
				hist[0][r]++, hist[1][g]++, hist[2][b]++, n++;
			}
		}
	}
	int paper[3] = {255, 255, 255};
	for (int c = 0; c < 3 && n > 0; c++) {
		l_int64 acc = 0;
		for (int v = 0; v < 256; v++) {
			if ((acc += hist[c][v]) * 2 >= n) {
				paper[c] = v;
				break;
			}
		}
	}
	PIX *grown = pixDilateBrick(NULL, mask, 2 * halo + 1, 2 * halo + 1);
	pixDestroy(&mask);
	if (grown == NULL) return 1;
	mdata = pixGetData(grown);
	l_uint32 paperPix;
	composeRGBPixel(paper[0], paper[1], paper[2], &paperPix);
	for (l_int32 y = 0; y < h; y++) {
		l_uint32 *s = data + y * wpl, *m = mdata + y * mwpl;
		for (l_int32 x = 0; x < w; x++) {
			if (!GET_DATA_BIT(m, x)) continue;
			int r, g, b, mx, mn;
			sohoa_rgb(s[x], &r, &g, &b, &mx, &mn);
			int o = mx + (mx - mn) * chroma_pct / 100;
			if (o >= 128) {
				s[x] = paperPix;
			} else {
				composeRGBPixel(o, o, o, &s[x]);
			}
		}
	}
	pixDestroy(&grown);
	return 0;
}

// sohoa_uncolourmapped removes a colour map as Tesseract's own SetImage
// does, and widens depths other than 1, 8 and 32 bits to 8-bit grey.
static PIX *sohoa_uncolourmapped(PIX *s) {
	PIX *p = pixRemoveColormap(s, REMOVE_CMAP_BASED_ON_SRC);
	if (p == NULL) return NULL;
	l_int32 d = pixGetDepth(p);
	if (d == 1 || d == 8 || d == 32) return p;
	PIX *g = pixConvertTo8(p, 0);
	pixDestroy(&p);
	return g;
}

// sohoa_grey returns an 8-bit grey copy: for colour, each pixel its
// brightest channel plus chroma_pct of its chroma (neutral pixels keep
// their tone, what is left of dropped ink goes light); a bilevel page (a
// G4 scan) becomes 0 and 255; an 8-bit page is cloned.
static PIX *sohoa_grey(PIX *p, int chroma_pct) {
	if (pixGetDepth(p) != 32) return pixGetDepth(p) == 8 ? pixClone(p) : pixConvertTo8(p, 0);
	l_int32 w = pixGetWidth(p), h = pixGetHeight(p);
	PIX *d = pixCreate(w, h, 8);
	if (d == NULL) return NULL;
	pixCopyResolution(d, p);
	l_uint32 *sdata = pixGetData(p), *ddata = pixGetData(d);
	l_int32 swpl = pixGetWpl(p), dwpl = pixGetWpl(d);
	for (l_int32 y = 0; y < h; y++) {
		l_uint32 *s = sdata + y * swpl, *dl = ddata + y * dwpl;
		for (l_int32 x = 0; x < w; x++) {
			int r, g, b, mx, mn;
			sohoa_rgb(s[x], &r, &g, &b, &mx, &mn);
			int o = mx + (mx - mn) * chroma_pct / 100;
			SET_DATA_BYTE(dl, x, o > 255 ? 255 : o);
		}
	}
	return d;
}

// sohoa_find_skew measures the skew of text lines on a binarised copy,
// searching ±range degrees. Returns non-zero when it could not measure.
static int sohoa_find_skew(PIX *grey, float range, float *angle, float *conf) {
	PIX *b = pixConvertTo1(grey, 130);
	if (b == NULL) return 1;
	l_ok bad = pixFindSkewSweepAndSearch(b, angle, conf, 4, 2, range, 1.0, 0.01);
	pixDestroy(&b);
	return bad;
}

// sohoa_components binarises p, takes out straight runs of rule_len
// pixels or longer (ruled lines, table borders, underlines: print, not
// marks), and returns the boxes of the 8-connected components left, which
// the caller destroys.
static BOXA *sohoa_components(PIX *p, int rule_len) {
	PIX *b = pixConvertTo1(p, 130);
	if (b == NULL) return NULL;
	PIX *h = pixOpenBrick(NULL, b, rule_len, 1);
	PIX *v = pixOpenBrick(NULL, b, 1, rule_len);
	if (h != NULL) pixSubtract(b, b, h);
	if (v != NULL) pixSubtract(b, b, v);
	pixDestroy(&h);
	pixDestroy(&v);
	BOXA *boxa = pixConnCompBB(b, 8);
	pixDestroy(&b);
	return boxa;
}
*/
import "C"

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"unsafe"
)

// Page iterator levels (TessPageIteratorLevel).
const (
	rilPara     = C.RIL_PARA
	rilTextline = C.RIL_TEXTLINE
	rilWord     = C.RIL_WORD
)

// pix owns one Leptonica image; destroy it exactly once.
type pix struct{ p *C.PIX }

func (x *pix) destroy() {
	if x.p != nil {
		C.pixDestroy(&x.p)
	}
}

func (x pix) size() (w, h int) { return int(C.pixGetWidth(x.p)), int(C.pixGetHeight(x.p)) }

func (x pix) xres() int { return int(C.pixGetXRes(x.p)) }

func (x pix) depth() int { return int(C.pixGetDepth(x.p)) }

// readHeader reads the format and size without decoding the pixels.
func readHeader(img []byte) (w, h int, err error) {
	if len(img) == 0 {
		return 0, 0, errors.New("empty image")
	}
	var format, cw, ch, bps, spp, cmap C.l_int32
	// Leptonica only reads the Go bytes during the call and keeps no
	// pointer to them, which cgo allows.
	if C.pixReadHeaderMem((*C.l_uint8)(unsafe.Pointer(&img[0])), C.size_t(len(img)),
		&format, &cw, &ch, &bps, &spp, &cmap) != 0 {
		return 0, 0, errors.New("not a PNG, JPEG or TIFF image")
	}
	return int(cw), int(ch), nil
}

// readPix decodes an image (PNG, JPEG, TIFF's first page, ...).
func readPix(img []byte) (pix, error) {
	p := C.pixReadMem((*C.l_uint8)(unsafe.Pointer(&img[0])), C.size_t(len(img)))
	if p == nil {
		return pix{}, errors.New("cannot decode image")
	}
	return pix{p}, nil
}

// uncolourmapped returns src without a colour map, at 1, 8 or 32 bits.
func uncolourmapped(src pix) (pix, error) {
	p := C.sohoa_uncolourmapped(src.p)
	if p == nil {
		return pix{}, errors.New("remove colour map failed")
	}
	return pix{p}, nil
}

// colouredShare is the share of src's pixels that are coloured ink.
func colouredShare(src pix, minChroma int) float64 {
	w, h := src.size()
	if w*h == 0 {
		return 0
	}
	return float64(C.sohoa_colour_count(src.p, C.int(minChroma))) / float64(w*h)
}

// dropInk paints over the coloured ink of p in place (see sohoa_drop_ink).
func dropInk(p pix, edgeChroma, halo, chromaPct int) error {
	if C.sohoa_drop_ink(p.p, C.int(edgeChroma), C.int(halo), C.int(chromaPct)) != 0 {
		return errors.New("out of memory for the ink mask")
	}
	return nil
}

// grey returns the 8-bit grey copy of src (see sohoa_grey), a clone of
// an 8-bit src.
func grey(src pix) (pix, error) {
	p := C.sohoa_grey(src.p, chromaShare)
	if p == nil {
		return pix{}, errors.New("grey copy failed")
	}
	return pix{p}, nil
}

// scaleDown shrinks by f < 1 with area mapping (no aliasing of thin strokes).
func scaleDown(src pix, f float64) (pix, error) {
	s, err := grey(src)
	if err != nil {
		return pix{}, err
	}
	defer s.destroy()
	p := C.pixScaleAreaMap(s.p, C.l_float32(f), C.l_float32(f))
	if p == nil {
		return pix{}, fmt.Errorf("scale by %.3f failed", f)
	}
	return pix{p}, nil
}

// rotateOrth turns the image clockwise by quads quarter turns.
func rotateOrth(src pix, quads int) (pix, error) {
	p := C.pixRotateOrth(src.p, C.l_int32(quads))
	if p == nil {
		return pix{}, fmt.Errorf("rotate by %d quarter turns failed", quads)
	}
	return pix{p}, nil
}

// findSkew returns the text lines' skew in degrees and Leptonica's
// confidence in it.
func findSkew(grey pix, rangeDeg float64) (angle, conf float64, err error) {
	var a, c C.float
	if C.sohoa_find_skew(grey.p, C.float(rangeDeg), &a, &c) != 0 {
		return 0, 0, errors.New("skew search failed")
	}
	return float64(a), float64(c), nil
}

// rotate turns the image clockwise by deg degrees about its centre,
// enlarging it so that no corner is cut off; new area comes in white.
func rotate(src pix, deg float64) (pix, error) {
	w, h := src.size()
	s, err := grey(src)
	if err != nil {
		return pix{}, err
	}
	defer s.destroy()
	p := C.pixRotate(s.p, C.l_float32(deg*math.Pi/180), C.L_ROTATE_AREA_MAP, C.L_BRING_IN_WHITE,
		C.l_int32(w), C.l_int32(h))
	if p == nil {
		return pix{}, fmt.Errorf("rotate by %.2f° failed", deg)
	}
	return pix{p}, nil
}

// tess owns one TessBaseAPI.
type tess struct{ api *C.TessBaseAPI }

// newTess loads languages ("vie+eng") from the installed tessdata. Tesseract
// skips a language it cannot load and still succeeds with the others, so the
// loaded set is compared with the request.
func newTess(languages string, oem int) (tess, error) {
	api := C.TessBaseAPICreate()
	if api == nil {
		return tess{}, errors.New("create tesseract api failed")
	}
	cl := C.CString(languages)
	defer C.free(unsafe.Pointer(cl))
	t := tess{api}
	if C.TessBaseAPIInit2(api, nil, cl, C.TessOcrEngineMode(oem)) != 0 {
		t.end()
		return tess{}, fmt.Errorf("load languages %q failed", languages)
	}
	loaded := t.loadedLanguages()
	for _, l := range strings.Split(languages, "+") {
		if !contains(loaded, l) {
			t.end()
			return tess{}, fmt.Errorf("language %q did not load (loaded %v)", l, loaded)
		}
	}
	return t, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (t tess) loadedLanguages() []string {
	arr := C.TessBaseAPIGetLoadedLanguagesAsVector(t.api)
	if arr == nil {
		return nil
	}
	defer C.TessDeleteTextArray(arr)
	var out []string
	for p := arr; *p != nil; p = (**C.char)(unsafe.Add(unsafe.Pointer(p), unsafe.Sizeof(*p))) {
		out = append(out, C.GoString(*p))
	}
	return out
}

func (t tess) setVariable(name, value string) error {
	cn, cv := C.CString(name), C.CString(value)
	defer C.free(unsafe.Pointer(cn))
	defer C.free(unsafe.Pointer(cv))
	if C.TessBaseAPISetVariable(t.api, cn, cv) == 0 {
		return fmt.Errorf("set tesseract variable %s=%s failed", name, value)
	}
	return nil
}

// layoutLines runs Tesseract's layout analysis on the image set and
// returns the number of text lines it found. Recognising the same image
// next reuses this layout rather than analysing the page again.
func (t tess) layoutLines() int {
	pi := C.TessBaseAPIAnalyseLayout(t.api)
	if pi == nil {
		return 0 // an empty page
	}
	defer C.TessPageIteratorDelete(pi)
	n := 0
	for {
		n++
		if C.TessPageIteratorNext(pi, rilTextline) == 0 {
			return n
		}
	}
}

func (t tess) setPageSegMode(mode int) {
	C.TessBaseAPISetPageSegMode(t.api, C.TessPageSegMode(mode))
}

// setImage hands the image to Tesseract, which keeps its own reference
// (a Leptonica clone) until clear, so the caller may destroy its own. The
// resolution goes into the image too: orientation detection reads it from
// there, not from SetSourceResolution.
func (t tess) setImage(p pix, dpi int) {
	C.pixSetResolution(p.p, C.l_int32(dpi), C.l_int32(dpi))
	C.TessBaseAPISetImage2(t.api, (*C.struct_Pix)(unsafe.Pointer(p.p)))
	C.TessBaseAPISetSourceResolution(t.api, C.int(dpi))
}

// orientation runs orientation and script detection (osd model) on the
// image set; deg is the page's clockwise rotation as Tesseract reports it.
func (t tess) orientation() (deg int, conf float64, ok bool) {
	var d C.int
	var c, sc C.float
	var script *C.char // points into Tesseract's unicharset, not to be freed
	if C.TessBaseAPIDetectOrientationScript(t.api, &d, &c, &script, &sc) == 0 {
		return 0, 0, false
	}
	return int(d), float64(c), true
}

// monitor is a Tesseract progress monitor with a deadline and a cancel
// flag that lives in C memory.
type monitor struct {
	m    *C.ETEXT_DESC
	flag *C.int
}

func newMonitor(flag cancelFlag, msecs int) monitor {
	return monitor{C.sohoa_monitor(flag.p, C.int(msecs)), flag.p}
}

func (m monitor) delete() { C.TessMonitorDelete(m.m) }

// cancelFlag is an int in C memory that Tesseract's cancel function reads
// while Go may set it from another goroutine.
type cancelFlag struct{ p *C.int }

func newFlag() cancelFlag {
	return cancelFlag{(*C.int)(C.calloc(1, C.size_t(unsafe.Sizeof(C.int(0)))))}
}

func (f *cancelFlag) free() {
	if f.p != nil {
		C.free(unsafe.Pointer(f.p))
		f.p = nil
	}
}

func (f cancelFlag) set(v bool) {
	n := 0
	if v {
		n = 1
	}
	C.sohoa_flag_set(f.p, C.int(n))
}

func (t tess) recognize(m monitor) bool { return C.TessBaseAPIRecognize(t.api, m.m) == 0 }

func (t tess) clear() { C.TessBaseAPIClear(t.api) }

func (t *tess) end() {
	if t.api != nil {
		C.TessBaseAPIEnd(t.api)
		C.TessBaseAPIDelete(t.api)
		t.api = nil
	}
}

// rawWord is one word as Tesseract saw it, in the recognised image's
// coordinates.
type rawWord struct {
	text             string
	box, line        [4]int // left, top, right, bottom
	conf             float64
	newPara, newLine bool
}

// words walks the result of the last recognition word by word, freeing
// every string and the iterator.
func (t tess) words(visit func(rawWord)) {
	ri := C.TessBaseAPIGetIterator(t.api)
	if ri == nil {
		return // nothing recognised
	}
	defer C.TessResultIteratorDelete(ri)
	pi := C.TessResultIteratorGetPageIteratorConst(ri)
	for {
		var w rawWord
		w.newPara = C.TessPageIteratorIsAtBeginningOf(pi, rilPara) != 0
		w.newLine = C.TessPageIteratorIsAtBeginningOf(pi, rilTextline) != 0
		w.box = bbox(pi, rilWord)
		w.line = bbox(pi, rilTextline)
		if s := C.TessResultIteratorGetUTF8Text(ri, rilWord); s != nil {
			w.text = C.GoString(s)
			C.TessDeleteText(s)
		}
		w.conf = float64(C.TessResultIteratorConfidence(ri, rilWord))
		visit(w)
		if C.TessResultIteratorNext(ri, rilWord) == 0 {
			return
		}
	}
}

func bbox(pi *C.TessPageIterator, level C.TessPageIteratorLevel) [4]int {
	var l, t, r, b C.int
	if C.TessPageIteratorBoundingBox(pi, level, &l, &t, &r, &b) == 0 {
		return [4]int{}
	}
	return [4]int{int(l), int(t), int(r), int(b)}
}

// components returns the width and height of every connected component
// of p's dark pixels, once straight runs of ruleLen pixels are taken out.
func components(p pix, ruleLen int) [][2]int {
	boxa := C.sohoa_components(p.p, C.int(ruleLen))
	if boxa == nil {
		return nil
	}
	defer C.boxaDestroy(&boxa)
	n := int(C.boxaGetCount(boxa))
	out := make([][2]int, 0, n)
	for i := range n {
		var x, y, w, h C.l_int32
		C.boxaGetBoxGeometry(boxa, C.l_int32(i), &x, &y, &w, &h)
		out = append(out, [2]int{int(w), int(h)})
	}
	return out
}
