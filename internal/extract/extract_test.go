package extract

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTitleOfSamples(t *testing.T) {
	want := map[string]string{
		"khai-sinh.gt.txt":       "TỜ KHAI ĐĂNG KÝ KHAI SINH",
		"xay-dung-skewed.gt.txt": "ĐƠN ĐỀ NGHỊ CẤP GIẤY PHÉP XÂY DỰNG",
	}
	for name, title := range want {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "scans", name))
		if err != nil {
			t.Fatal(err)
		}
		if got := Title(string(b)); got != title {
			t.Errorf("Title(%s) = %q, want %q", name, got, title)
		}
	}
}

func TestTitleNone(t *testing.T) {
	for _, text := range []string{"", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nnội dung thường", "ABC"} {
		if got := Title(text); got != "" {
			t.Errorf("Title(%q) = %q, want none", strings.ReplaceAll(text, "\n", "|"), got)
		}
	}
}
