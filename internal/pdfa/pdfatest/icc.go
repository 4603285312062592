package pdfatest

import "encoding/binary"

// GrayProfile returns a minimal ICC v2.1 display profile for grey (gamma
// 2.2, D50 white): what a scanner embeds in a grey JPEG or PNG. The sample
// set has none, and the profiles Debian ships for grey come with licences
// a test fixture need not carry.
func GrayProfile() []byte {
	be := binary.BigEndian
	s15 := func(v float64) []byte { return be.AppendUint32(nil, uint32(int32(v*65536+0.5))) }
	text := func(typ, s string) []byte {
		b := append([]byte(typ), 0, 0, 0, 0)
		if typ == "desc" {
			b = be.AppendUint32(b, uint32(len(s)+1))
		}
		b = append(append(b, s...), 0)
		if typ == "desc" {
			b = append(b, make([]byte, 4+4+2+1+67)...) // no Unicode or ScriptCode description
		}
		return b
	}
	d50 := append(append(s15(0.9642), s15(1.0)...), s15(0.8249)...)
	tags := []struct {
		sig  string
		data []byte
	}{
		{"desc", text("desc", "sohoa test grey, gamma 2.2")},
		{"cprt", text("text", "No copyright, use freely")},
		{"wtpt", append([]byte("XYZ \x00\x00\x00\x00"), d50...)},
		{"kTRC", append([]byte("curv\x00\x00\x00\x00\x00\x00\x00\x01"), 0x02, 0x33)}, // gamma 2.2 as u8Fixed8
	}
	head := make([]byte, 128)
	be.PutUint32(head[8:], 0x02100000)
	copy(head[12:], "mntrGRAYXYZ ")
	copy(head[36:], "acsp")
	copy(head[68:], d50)
	table := be.AppendUint32(nil, uint32(len(tags)))
	off := 128 + 4 + 12*len(tags)
	var body []byte
	for _, t := range tags {
		for (off+len(body))%4 != 0 {
			body = append(body, 0)
		}
		table = append(table, t.sig...)
		table = be.AppendUint32(table, uint32(off+len(body)))
		table = be.AppendUint32(table, uint32(len(t.data)))
		body = append(body, t.data...)
	}
	out := append(append(head, table...), body...)
	be.PutUint32(out, uint32(len(out)))
	return out
}
