package scan

import (
	"encoding/binary"
	"math"
)

const (
	minDPI = 72
	maxDPI = 1200
	// A4 in inches: nearly every Vietnamese administrative document is A4.
	a4Short = 210 / 25.4
	a4Long  = 297 / 25.4
)

// resolveDPI keeps a declared resolution only when it is plausible for a
// scan. Missing or absurd values (many phone apps write 72 or 1, some
// scanners 0) would mislead OCR and the archive PDF's page size, so then we
// estimate from the pixel size assuming an A4 page, portrait or landscape by
// aspect ratio; that is right for the vast majority of our documents and
// harmlessly off for the rest.
func resolveDPI(w, h int, x, y float64) (float64, float64) {
	// Metric units make 200 dpi come out as 199.9996; nobody scans at
	// fractional resolutions finer than a hundredth.
	x, y = math.Round(x*100)/100, math.Round(y*100)/100
	okX, okY := plausible(x), plausible(y)
	switch {
	case okX && okY:
		return x, y
	case okX:
		return x, x
	case okY:
		return y, y
	}
	short, long := a4Short, a4Long
	if w > h {
		short, long = long, short
	}
	return math.Round(float64(w) / short), math.Round(float64(h) / long)
}

func plausible(dpi float64) bool { return dpi >= minDPI && dpi <= maxDPI }

// perInch converts a density in the given unit (1 = inch, 2 = centimetre,
// the JFIF and PNG-style numbering) to dots per inch; 0 means unknown.
func perInch(v float64, unit int) float64 {
	switch unit {
	case 1:
		return v
	case 2:
		return v * 2.54
	}
	return 0
}

// jpegDensity reads the resolution from a JFIF APP0 or EXIF APP1 segment,
// without decoding the image. Zero means none was declared.
func jpegDensity(data []byte) (x, y float64) {
	for i := 2; i+4 <= len(data); {
		if data[i] != 0xFF {
			return x, y
		}
		marker := data[i+1]
		if marker == 0xFF { // fill byte
			i++
			continue
		}
		if marker == 0xDA || marker == 0xD9 { // image data starts: no more metadata
			return x, y
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if n < 2 || i+2+n > len(data) {
			return x, y
		}
		seg := data[i+4 : i+2+n]
		switch {
		case marker == 0xE0 && len(seg) >= 12 && string(seg[:5]) == "JFIF\x00":
			unit := int(seg[7])
			jx := perInch(float64(binary.BigEndian.Uint16(seg[8:])), unit)
			jy := perInch(float64(binary.BigEndian.Uint16(seg[10:])), unit)
			if jx > 0 && jy > 0 {
				return jx, jy // JFIF is authoritative when it carries units
			}
		case marker == 0xE1 && len(seg) > 6 && string(seg[:6]) == "Exif\x00\x00" && x == 0:
			x, y = exifDensity(seg[6:])
		}
		i += 2 + n
	}
	return x, y
}

// exifDensity reads XResolution/YResolution/ResolutionUnit from IFD0 of an
// EXIF TIFF structure.
func exifDensity(t []byte) (x, y float64) {
	if len(t) < 8 {
		return 0, 0
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 0, 0
	}
	off := int(bo.Uint32(t[4:]))
	if off < 8 || off+2 > len(t) {
		return 0, 0
	}
	n := int(bo.Uint16(t[off:]))
	unit := 2 // EXIF default is inches, coded 2 (3 = cm)
	rational := func(p int) float64 {
		if p < 0 || p+8 > len(t) {
			return 0
		}
		num, den := bo.Uint32(t[p:]), bo.Uint32(t[p+4:])
		if den == 0 {
			return 0
		}
		return float64(num) / float64(den)
	}
	for k := 0; k < n; k++ {
		e := off + 2 + 12*k
		if e+12 > len(t) {
			break
		}
		switch bo.Uint16(t[e:]) {
		case 282:
			x = rational(int(bo.Uint32(t[e+8:])))
		case 283:
			y = rational(int(bo.Uint32(t[e+8:])))
		case 296:
			unit = int(bo.Uint16(t[e+8:]))
		}
	}
	return perInch(x, unit-1), perInch(y, unit-1)
}

// pngDensity reads the pHYs chunk, which must precede the image data.
func pngDensity(data []byte) (x, y float64) {
	for i := 8; i+8 <= len(data); {
		n := int(binary.BigEndian.Uint32(data[i:]))
		typ := string(data[i+4 : i+8])
		if typ == "IDAT" || n < 0 || i+12+n > len(data) {
			return 0, 0
		}
		if typ == "pHYs" && n == 9 {
			c := data[i+8:]
			if c[8] != 1 { // unit 1 is the metre; 0 is aspect ratio only
				return 0, 0
			}
			return float64(binary.BigEndian.Uint32(c)) * 0.0254, float64(binary.BigEndian.Uint32(c[4:])) * 0.0254
		}
		i += 12 + n
	}
	return 0, 0
}
