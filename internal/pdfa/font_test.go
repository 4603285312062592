package pdfa

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestToUnicodeCMap(t *testing.T) {
	e := newTextEncoder()
	cids, n := e.encode(nil, normalize("Việt 😀😀𠀧"))
	if n != 8 {
		t.Fatalf("%d glyphs, want 8", n)
	}
	// "ệ" is one precomposed BMP character used directly as CID; the two
	// distinct astral characters share CIDs from the surrogate block.
	if got := string(cids[4:6]); got != "\x1e\xc7" {
		t.Errorf("ệ encoded as % x", got)
	}
	if got := string(cids[10:]); got != "\xd8\x00\xd8\x00\xd8\x01" {
		t.Errorf("astral CIDs % x", got)
	}

	cmap := string(e.toUnicodeCMap())
	ranges := regexp.MustCompile(`<([0-9A-F]{2})00> <([0-9A-F]{2})FF> <([0-9A-F]{2})00>`).FindAllStringSubmatch(cmap, -1)
	if len(ranges) != 256-8 {
		t.Errorf("%d bfranges, want 248", len(ranges))
	}
	for _, r := range ranges {
		if r[1] != r[2] || r[1] != r[3] || (r[1] >= "D8" && r[1] <= "DF") {
			t.Errorf("bad bfrange %s", r[0])
		}
	}
	for _, m := range regexp.MustCompile(`(\d+) begin(bfrange|bfchar)`).FindAllStringSubmatch(cmap, -1) {
		if n, _ := strconv.Atoi(m[1]); n > 100 {
			t.Errorf("block of %s entries exceeds 100", m[1])
		}
	}
	for _, want := range []string{"<D800> <D83DDE00>", "<D801> <D840DC27>", "1 begincodespacerange\n<0000> <FFFF>"} {
		if !strings.Contains(cmap, want) {
			t.Errorf("CMap lacks %q:\n%s", want, cmap)
		}
	}
}
