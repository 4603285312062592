package ocr

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/sohoa-vn/sohoa/internal/ocr/cer"
	"github.com/sohoa-vn/sohoa/internal/testenv"
)

const scans = "../../testdata/scans/"

// TestMain runs the tests as the workers run: Tesseract must not spawn
// OpenMP threads. libgomp reads OMP_THREAD_LIMIT when it is loaded, before
// main, so the test binary re-executes itself with it set.
func TestMain(m *testing.M) {
	testenv.SingleThreadedTesseract()
	os.Exit(m.Run())
}

func newEngine(t *testing.T, o Options) *Engine {
	t.Helper()
	e, err := NewEngineWith(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func groundTruth(t *testing.T, file string) string {
	t.Helper()
	gt, err := os.ReadFile(scans + strings.TrimSuffix(file, filepath.Ext(file)) + ".gt.txt")
	if err != nil {
		t.Fatal(err)
	}
	return cer.Pages(string(gt))[0]
}

// TestRecognize holds every sample page to issue 3's bar: CER ≤ 0.5 %,
// the page skewed by 2.5° included.
func TestRecognize(t *testing.T) {
	if testing.Short() {
		t.Skip("runs Tesseract on full pages")
	}
	e := newEngine(t, Options{})
	tests := []struct {
		file    string
		phrases []string
		skewed  bool
	}{
		{"khai-sinh.png", []string{"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"}, false},
		// vie+eng lost this line's diacritics; vie alone must read it.
		{"dkdn.jpg", []string{"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "GIẤY CHỨNG NHẬN ĐĂNG KÝ DOANH NGHIỆP", "Mã số doanh nghiệp: 0201234569"}, false},
		{"xay-dung-skewed.jpg", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			img, err := os.ReadFile(scans + tt.file)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			p, err := e.Recognize(context.Background(), img)
			if err != nil {
				t.Fatal(err)
			}
			c := cer.Rate(p.Text, groundTruth(t, tt.file))
			t.Logf("%d lines, confidence %.1f, skew %.2f°, CER %.2f%%, %v", len(p.Lines), p.Confidence, p.Skew, 100*c, time.Since(start))
			checkPage(t, p)
			for _, ph := range tt.phrases {
				if !strings.Contains(p.Text, ph) {
					t.Errorf("text lacks %q", ph)
				}
			}
			if c > 0.005 {
				t.Errorf("CER %.2f%%, want ≤ 0.5%%\n--- got ---\n%s", 100*c, p.Text)
			}
			if p.Confidence <= 90 || p.Rotation != 0 {
				t.Errorf("confidence %.1f rotation %d, want > 90 and 0", p.Confidence, p.Rotation)
			}
			if tt.skewed != (p.Skew < -1 || p.Skew > 1) {
				t.Errorf("skew %.2f°", p.Skew)
			}
		})
	}
}

// checkBoxes asserts every box is inside the image and the text NFC.
func checkBoxes(t *testing.T, p *Page) {
	t.Helper()
	if p.Width <= 0 || p.Height <= 0 || len(p.Lines) == 0 {
		t.Fatalf("page %dx%d with %d lines", p.Width, p.Height, len(p.Lines))
	}
	bounds := image.Rect(0, 0, p.Width, p.Height)
	for i, l := range p.Lines {
		if !l.Box.In(bounds) || l.Box.Empty() {
			t.Errorf("line %d box %v outside %v", i, l.Box, bounds)
		}
		for j, w := range l.Words {
			if !w.Box.In(bounds) || w.Box.Empty() {
				t.Errorf("line %d word %d %q box %v outside %v", i, j, w.Text, w.Box, bounds)
			}
			if w.Conf < 0 || w.Conf > 100 {
				t.Errorf("word %q confidence %v", w.Text, w.Conf)
			}
		}
	}
	if !norm.NFC.IsNormalString(p.Text) {
		t.Error("text is not NFC")
	}
}

// checkPage also asserts reading order on an upright page: lines of a
// paragraph top to bottom, words of a line left to right.
func checkPage(t *testing.T, p *Page) {
	t.Helper()
	checkBoxes(t, p)
	for i, l := range p.Lines {
		if i > 0 && p.Lines[i-1].Paragraph == l.Paragraph && l.Box.Min.Y <= p.Lines[i-1].Box.Min.Y {
			t.Errorf("line %d (%v) not below line %d (%v) of the same paragraph", i, l.Box, i-1, p.Lines[i-1].Box)
		}
		for j, w := range l.Words {
			if j > 0 && w.Box.Min.X < l.Words[j-1].Box.Min.X {
				t.Errorf("line %d word %d %q left of the word before it", i, j, w.Text)
			}
		}
	}
}

func TestRecognizeBadInput(t *testing.T) {
	e := newEngine(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Recognize(ctx, []byte("irrelevant")); err != context.Canceled {
		t.Errorf("got %v, want context.Canceled", err)
	}
	for _, bad := range [][]byte{nil, []byte("GIF89a"), []byte("\x89PNG\r\n\x1a\n truncated")} {
		if _, err := e.Recognize(context.Background(), bad); err == nil {
			t.Errorf("recognized %q", bad)
		}
	}
	small := newEngine(t, Options{MaxPixels: 1000})
	if _, err := small.Recognize(context.Background(), encodePNG(t, image.NewGray(image.Rect(0, 0, 100, 100)))); err == nil {
		t.Error("no error for an image over MaxPixels")
	}
}

func TestNewEngineMissingLanguage(t *testing.T) {
	for _, l := range [][]string{{"klingon"}, {"vie", "klingon"}} {
		if e, err := NewEngine(l...); err == nil {
			e.Close()
			t.Errorf("no error for languages %v", l)
		}
	}
}

// TestLimits shows that neither a slow page nor a cancelled context holds
// the engine, and that it reads the next page normally afterwards.
func TestLimits(t *testing.T) {
	if testing.Short() {
		t.Skip("runs Tesseract on full pages")
	}
	img, err := os.ReadFile(scans + "dkdn.jpg")
	if err != nil {
		t.Fatal(err)
	}
	hasty := newEngine(t, Options{PageTimeout: time.Millisecond})
	if _, err := hasty.Recognize(context.Background(), img); !errors.Is(err, ErrTimeout) {
		t.Errorf("1 ms timeout: got %v, want ErrTimeout", err)
	}

	e := newEngine(t, Options{})
	// The deadline falls halfway through the page as this machine reads it
	// (a fixed one let a fast machine finish the page first).
	start := time.Now()
	if _, err := e.Recognize(context.Background(), img); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Since(start)/2)
	defer cancel()
	// Layout analysis is not interruptible, recognition is (per word): the call ends with the
	// context's error rather than a page. (How soon is a speed question for benchmarks, not tests.)
	if _, err := e.Recognize(ctx, img); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("cancelled page: got %v, want context.DeadlineExceeded", err)
	}
	p, err := e.Recognize(context.Background(), img)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.Text, "Mã số doanh nghiệp: 0201234569") {
		t.Errorf("page after a cancelled one misread:\n%s", p.Text)
	}
}

func encodePNG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
