package sheettest

import (
	"image"
	"image/draw"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"github.com/sohoa-vn/sohoa/internal/testenv"
)

// lines are what papers of a dossier say, to be drawn on them.
var lines = []string{
	"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
	"Độc lập - Tự do - Hạnh phúc",
	"TỜ KHAI ĐĂNG KÝ KHAI SINH",
	"Kính gửi: Ủy ban nhân dân phường Trần Nguyên Hãn, quận Lê Chân",
	"Họ, chữ đệm, tên người yêu cầu: Nguyễn Thị Hồng Nhung",
	"Nơi cư trú: số 12 ngõ 45 đường Tô Hiệu, thành phố Hải Phòng",
	"Giấy tờ tùy thân: Căn cước công dân số 031190001234",
	"Quan hệ với người được khai sinh: mẹ đẻ",
	"Đề nghị cơ quan đăng ký khai sinh cho người dưới đây:",
	"Họ, chữ đệm, tên: Trần Minh Khôi — Giới tính: Nam",
	"Ngày, tháng, năm sinh: ngày 14 tháng 11 năm 2026",
	"Nơi sinh: Bệnh viện Phụ sản Hải Phòng",
	"Tôi cam đoan nội dung đề nghị đăng ký khai sinh trên đây là đúng sự thật",
	"và chịu trách nhiệm trước pháp luật về cam đoan của mình.",
}

// Paper is a plain A4 paper at dpi, white with some lines of Vietnamese text in Liberation Serif,
// the font sohoa prints with; seed picks which lines, so that pages of a stack differ. It is grey,
// as counter scanners are mostly set.
func Paper(t testing.TB, seed, dpi int) image.Image {
	t.Helper()
	face := serifFace(t, 13, dpi)
	defer face.Close()
	w, h := 210*dpi*10/254, 297*dpi*10/254
	img := image.NewGray(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Rect, image.White, image.Point{}, draw.Src)
	d := font.Drawer{Dst: img, Src: image.Black, Face: face}
	mm := func(v int) fixed.Int26_6 { return fixed.I(v * dpi * 10 / 254) }
	for i := range 24 {
		d.Dot = fixed.Point26_6{X: mm(30), Y: mm(30 + 9*i)}
		d.DrawString(lines[(seed+i)%len(lines)])
	}
	return img
}

func serifFace(t testing.TB, points float64, dpi int) font.Face {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "internal", "sign", "font", "LiberationSerif-Regular.ttf"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := opentype.Parse(b)
	if err != nil {
		t.Fatalf("parse Liberation Serif: %v", err)
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: points, DPI: float64(dpi), Hinting: font.HintingFull})
	if err != nil {
		t.Fatalf("Liberation Serif face: %v", err)
	}
	return face
}
