package scan

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"runtime"
	"slices"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/api"

	"github.com/sohoa-vn/sohoa/internal/scan/scantest"
)

// TestDecodedSize: what Go's decoders take for each kind of header, from headers alone.
func TestDecodedSize(t *testing.T) {
	const w, h, px = 64, 48, 64 * 48
	colour := encodeJPEG(t, image.NewRGBA(image.Rect(0, 0, w, h))) // Go writes 4:2:0
	tests := []struct {
		name string
		page Page
		want int64
	}{
		{"gray png", pngPage(t, image.NewGray(image.Rect(0, 0, w, h))), px},
		{"16-bit gray png", pngPage(t, image.NewGray16(image.Rect(0, 0, w, h))), 2 * px},
		{"rgb png", pngPage(t, image.NewRGBA(image.Rect(0, 0, w, h))), 4 * px},
		{"16-bit rgb png", Page{Format: PNG, Image: scantest.ZeroRGB16PNG(w, h)}, 8 * px},
		{"paletted png", pngPage(t, image.NewPaletted(image.Rect(0, 0, w, h), color.Palette{color.Black, color.White})), px},
		{"interlaced rgb png", Page{Format: PNG, Image: interlaced(t, pngPage(t, image.NewRGBA(image.Rect(0, 0, w, h))).Image)}, 6 * px},
		{"gray jpeg", Page{Format: JPEG, Image: encodeJPEG(t, image.NewGray(image.Rect(0, 0, w, h)))}, px},
		{"4:2:0 jpeg", Page{Format: JPEG, Image: colour}, px + px/4 + px/4},
		{"4:4:4 jpeg", Page{Format: JPEG, Image: sampled444(t, colour)}, 3 * px},
		{"4:2:0 jpeg with junk before its frame", Page{Format: JPEG, Image: junkBeforeFrame(t, colour)}, px + px/4 + px/4},
		{"progressive 4:2:0 jpeg", Page{Format: JPEG, Image: progressive(t, colour)}, 5 * (px + px/2)},
		{"cmyk jpeg", Page{Format: JPEG, Image: cmykHeader(w, h)}, 4*px + 4*px},
	}
	for _, tt := range tests {
		got, err := decodedSize(tt.page)
		if err != nil || got != tt.want {
			t.Errorf("%s: %d, %v; want %d", tt.name, got, err, tt.want)
		}
	}
}

// TestMemoryRefusedUnread: a page that would not fit in Limits.Memory is refused from its header,
// with memory_limit and without decoding it, whatever the format carries it.
func TestMemoryRefusedUnread(t *testing.T) {
	bomb := scantest.ZeroRGB16PNG(12000, 12000)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Split(context.Background(), bomb, Limits{Memory: 1 << 30})
	runtime.ReadMemStats(&after)
	wantMemoryLimit(t, "16-bit 12000×12000 png under 1 GiB", err)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 10<<20 {
		t.Errorf("allocated %d MB to refuse a page that needs 1.1 GB", alloc>>20)
	}

	var flate bytes.Buffer
	if err := api.ImportImages(nil, &flate, []io.Reader{bytes.NewReader(read(t, scans+"khai-sinh.png"))}, api.DefaultImportConfig(), nil); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"png": read(t, scans+"khai-sinh.png"), "jpeg": read(t, scans+"dkdn.jpg"),
		"jpeg in pdf": read(t, scans+"ke-hoach.pdf"), "flate image in pdf": flate.Bytes(),
	} {
		// Room for the file and the reserve, not for a page.
		tight := Limits{Memory: decodeReserve + 2*int64(len(data)) + 1}
		_, err := Split(context.Background(), data, tight)
		wantMemoryLimit(t, name, err)
		if _, err := Split(context.Background(), data, Limits{Memory: 1 << 30}); err != nil {
			t.Errorf("%s under 1 GiB: %v", name, err)
		}
	}
}

func wantMemoryLimit(t *testing.T, name string, err error) {
	t.Helper()
	var ie *InputError
	if !errors.As(err, &ie) || ie.Code != CodeMemoryLimit {
		t.Errorf("%s: %v, want code %s", name, err, CodeMemoryLimit)
	}
}

func pngPage(t *testing.T, img image.Image) Page {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return Page{Format: PNG, Image: b.Bytes()}
}

func encodeJPEG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// interlaced marks a PNG's IHDR as Adam7, with the chunk's CRC made right again.
func interlaced(t *testing.T, data []byte) []byte {
	t.Helper()
	out := bytes.Clone(data)
	out[28] = 1
	binary.BigEndian.PutUint32(out[29:], crc32.ChecksumIEEE(out[12:29]))
	return out
}

// sof is the offset of a JPEG's SOF0 segment, which Go's encoder writes after its tables.
func sof(t *testing.T, data []byte) int {
	t.Helper()
	i := bytes.Index(data, []byte{0xFF, 0xC0})
	if i < 0 {
		t.Fatal("no SOF0")
	}
	return i
}

func progressive(t *testing.T, data []byte) []byte {
	out := bytes.Clone(data)
	out[sof(t, out)+1] = 0xC2
	return out
}

// junkBeforeFrame puts bytes that are no marker before the SOF0 segment, which decoders skip.
func junkBeforeFrame(t *testing.T, data []byte) []byte {
	i := sof(t, data)
	return slices.Concat(data[:i], []byte{0x00, 0x42, 0x00}, data[i:])
}

// sampled444 sets the luma's sampling factors to those of the chroma (1×1).
func sampled444(t *testing.T, data []byte) []byte {
	out := bytes.Clone(data)
	out[sof(t, out)+11] = 0x11 // FF C0, length 2, precision 1, height 2, width 2, count 1, then Y's id
	return out
}

// cmykHeader is a JPEG's start, a four-component frame and its scan's header: all a header reader
// sees of a CMYK scan.
func cmykHeader(w, h int) []byte {
	b := []byte{0xFF, 0xD8, 0xFF, 0xC0, 0, 8 + 3*4, 8, byte(h >> 8), byte(h), byte(w >> 8), byte(w), 4}
	for id := range byte(4) {
		b = append(b, id+1, 0x11, 0)
	}
	b = append(b, 0xFF, 0xDA, 0, 6+2*4, 4)
	for id := range byte(4) {
		b = append(b, id+1, 0)
	}
	return append(b, 0, 63, 0, 0xFF, 0xD9)
}
