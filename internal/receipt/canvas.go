package receipt

import (
	"fmt"
	"strings"
)

// canvas collects the page's content stream. Coordinates are PDF points
// from the bottom left corner; y is a baseline.
type canvas struct {
	ts  *typesetter
	ops strings.Builder
}

// slant is the shear of simulated italics, about 12 degrees like a real
// Times italic.
const slant = 0.21

// text draws one line of spans starting at x. Each span gets its own text
// matrix, placed at the advance of the spans before it, so the extracted
// line has no gaps.
func (c *canvas) text(x, y, size float64, spans []span) error {
	// The stroke that makes bold is a small fraction of the size, enough
	// to read as bold without closing the counters of ơ or ư.
	fmt.Fprintf(&c.ops, "%.3f w BT /F1 %.2f Tf\n", size*0.035, size)
	for _, sp := range spans {
		gs, err := c.ts.glyphs(sp.text)
		if err != nil {
			return err
		}
		mode, shear := 0, 0.0
		if sp.st.bold {
			mode = 2 // fill, then stroke
		}
		if sp.st.italic {
			shear = slant
		}
		fmt.Fprintf(&c.ops, "%d Tr 1 0 %.2f 1 %.2f %.2f Tm <", mode, shear, x, y)
		for _, g := range gs {
			fmt.Fprintf(&c.ops, "%04X", g)
		}
		c.ops.WriteString("> Tj\n")
		w, err := c.ts.width(sp.text, size)
		if err != nil {
			return err
		}
		x += w
	}
	c.ops.WriteString("ET\n")
	return nil
}

// lineWidth is the advance of a line of spans.
func (c *canvas) lineWidth(spans []span, size float64) (float64, error) {
	var w float64
	for _, sp := range spans {
		sw, err := c.ts.width(sp.text, size)
		if err != nil {
			return 0, err
		}
		w += sw
	}
	return w, nil
}

// centred draws spans wrapped to the column [x0, x1], each line centred in
// it, the first baseline at y, and returns the last line's baseline and
// width.
func (c *canvas) centred(x0, x1, y, size, leading float64, spans []span) (float64, float64, error) {
	lines, err := c.balanced(spans, size, x1-x0)
	if err != nil {
		return 0, 0, err
	}
	var w float64
	for i, l := range lines {
		if i > 0 {
			y -= leading
		}
		if w, err = c.lineWidth(l, size); err != nil {
			return 0, 0, err
		}
		if err := c.text((x0+x1-w)/2, y, size, l); err != nil {
			return 0, 0, err
		}
	}
	return y, w, nil
}

// balanced wraps spans to width, then narrows the column for as long as
// that takes no extra line, so a heading breaks into lines of even length
// ("BỘ PHẬN MỘT CỬA / QUẬN LÊ CHÂN") instead of leaving one word alone.
func (c *canvas) balanced(spans []span, size, width float64) ([][]span, error) {
	best, err := c.ts.wrap(spans, size, width, width)
	if err != nil || len(best) < 2 {
		return best, err
	}
	for w := width - 2; w > width/2; w -= 2 {
		lines, err := c.ts.wrap(spans, size, w, w)
		if err != nil {
			return nil, err
		}
		if len(lines) != len(best) {
			break
		}
		best = lines
	}
	return best, nil
}

// paragraph draws spans left-aligned from x, wrapped to width, later lines
// indented by hang, the first baseline at y; it returns the last baseline.
func (c *canvas) paragraph(x, width, hang, y, size, leading float64, spans []span) (float64, error) {
	lines, err := c.ts.wrap(spans, size, width, width-hang)
	if err != nil {
		return 0, err
	}
	for i, l := range lines {
		lx := x
		if i > 0 {
			y -= leading
			lx += hang
		}
		if err := c.text(lx, y, size, l); err != nil {
			return 0, err
		}
	}
	return y, nil
}

// rule draws a thin horizontal line, as under the national motto.
func (c *canvas) rule(x0, x1, y float64) {
	fmt.Fprintf(&c.ops, "0.6 w %.2f %.2f m %.2f %.2f l S\n", x0, y, x1, y)
}
