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

// sohoa_inkless turns a page into 8-bit grey for recognition, dropping
// coloured ink. For colour pages each pixel becomes its brightest channel
// plus a share of its chroma: red seal ink absorbs green and blue but not
// red, blue ballpoint absorbs red and green but not blue, so the brightest
// channel sees the paper (or the black text) through either ink, while
// black and grey text, which absorb all channels alike, stay dark. The
// chroma share also lightens dark, saturated ink that the brightest
// channel alone leaves mid-grey.
static PIX *sohoa_inkless(PIX *pixs, int chroma_pct) {
	PIX *p = pixRemoveColormap(pixs, REMOVE_CMAP_BASED_ON_SRC);
	if (p == NULL) return NULL;
	if (pixGetDepth(p) != 32) {
		PIX *g = pixConvertTo8(p, 0);
		pixDestroy(&p);
		return g;
	}
	l_int32 w = pixGetWidth(p), h = pixGetHeight(p);
	PIX *d = pixCreate(w, h, 8);
	if (d == NULL) {
		pixDestroy(&p);
		return NULL;
	}
	pixCopyResolution(d, p);
	l_uint32 *sdata = pixGetData(p), *ddata = pixGetData(d);
	l_int32 swpl = pixGetWpl(p), dwpl = pixGetWpl(d);
	for (l_int32 y = 0; y < h; y++) {
		l_uint32 *s = sdata + y * swpl, *dl = ddata + y * dwpl;
		for (l_int32 x = 0; x < w; x++) {
			l_uint32 v = s[x];
			int r = (v >> L_RED_SHIFT) & 0xff, g = (v >> L_GREEN_SHIFT) & 0xff, b = (v >> L_BLUE_SHIFT) & 0xff;
			int mx = r > g ? (r > b ? r : b) : (g > b ? g : b);
			int mn = r < g ? (r < b ? r : b) : (g < b ? g : b);
			int o = mx + (mx - mn) * chroma_pct / 100;
			SET_DATA_BYTE(dl, x, o > 255 ? 255 : o);
		}
	}
	pixDestroy(&p);
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

// inkless returns the grey recognition copy with coloured ink dropped.
func inkless(src pix, chromaPct int) (pix, error) {
	p := C.sohoa_inkless(src.p, C.int(chromaPct))
	if p == nil {
		return pix{}, errors.New("convert to grey failed")
	}
	return pix{p}, nil
}

// scaleDown shrinks by f < 1 with area mapping (no aliasing of thin strokes).
func scaleDown(src pix, f float64) (pix, error) {
	p := C.pixScaleAreaMap(src.p, C.l_float32(f), C.l_float32(f))
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
	p := C.pixRotate(src.p, C.l_float32(deg*math.Pi/180), C.L_ROTATE_AREA_MAP, C.L_BRING_IN_WHITE,
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
