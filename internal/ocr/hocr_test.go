package ocr

import (
	"image"
	"testing"
)

func TestParseHOCR(t *testing.T) {
	const hocr = `<div class='ocr_page' id='page_1' title='image ""; bbox 0 0 100 100; ppageno 0'>
 <div class='ocr_carea' id='block_1_1' title="bbox 1 1 90 40">
  <p class='ocr_par' id='par_1_1' lang='vie' title="bbox 1 1 90 40">
   <span class='ocr_line' id='line_1_1' title="bbox 1 1 90 10; baseline 0 0; x_size 9">
    <span class='ocrx_word' id='word_1_1' title='bbox 1 1 40 10; x_wconf 90'>Ho&#7891;</span>
    <span class='ocrx_word' id='word_1_2' title='bbox 45 1 90 10; x_wconf 80'>A&amp;B</span>
   </span>
   <span class='ocr_header' id='line_1_2' title="bbox 1 20 50 30">
    <span class='ocrx_word' id='word_1_3' title='bbox 1 20 50 30; x_wconf 70'>Ho` + "a\u0300" + `</span>
   </span>
  </p>
 </div>
 <div class='ocr_carea' id='block_1_2' title="bbox 1 50 90 60">
  <p class='ocr_par' id='par_1_2' title="bbox 1 50 90 60">
   <span class='ocr_line' id='line_1_3' title="bbox 1 50 90 60">
    <span class='ocrx_word' id='word_1_4' title='bbox 1 50 90 60; x_wconf 60'>cuối</span>
    <span class='ocrx_word' id='word_1_5' title='bbox 1 50 90 60; x_wconf 50'> </span>
   </span>
  </p>
 </div>
</div>`
	p, err := parseHOCR(hocr)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Hoồ A&B\nHoà\n\ncuối"; p.Text != want {
		t.Errorf("Text = %q, want %q", p.Text, want)
	}
	if len(p.Lines) != 3 || p.Lines[0].Box != image.Rect(1, 1, 90, 10) || p.Lines[2].Paragraph != 1 {
		t.Fatalf("lines %+v", p.Lines)
	}
	if w := p.Lines[0].Words[1]; w.Box != image.Rect(45, 1, 90, 10) || w.Conf != 80 {
		t.Errorf("word %+v", w)
	}
	if p.Confidence != 75 {
		t.Errorf("confidence %v, want mean of 90 80 70 60", p.Confidence)
	}
}
