package pdfa

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
)

// jpegHeader is what the archive needs from a JPEG's markers: the frame
// (size, components), whether an Adobe APP14 marker is present, and the
// embedded ICC profile, if any.
type jpegHeader struct {
	width, height int
	components    int
	adobe         bool   // APP14 "Adobe": 4-component data is stored inverted
	icc           []byte // APP2 ICC_PROFILE chunks joined in order; nil if absent or incomplete
}

var (
	iccMarkerID   = []byte("ICC_PROFILE\x00")
	adobeMarkerID = []byte("Adobe")
)

// readJPEGHeader walks the markers up to the first scan. It decodes
// nothing: the entropy-coded data goes into the archive as it is.
func readJPEGHeader(data []byte) (jpegHeader, error) {
	var h jpegHeader
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return h, errors.New("jpeg: no start-of-image marker")
	}
	chunks := map[byte][]byte{}
	var chunkCount byte
	for i := 2; ; {
		for i < len(data) && data[i] == 0xFF && i+1 < len(data) && data[i+1] == 0xFF {
			i++ // fill bytes
		}
		if i+4 > len(data) || data[i] != 0xFF {
			return h, errors.New("jpeg: marker segment runs past the end of the file (truncated?)")
		}
		m := data[i+1]
		if m == 0x01 || (m >= 0xD0 && m <= 0xD7) {
			i += 2 // markers without a length
			continue
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if n < 2 || i+2+n > len(data) {
			return h, errors.New("jpeg: marker segment runs past the end of the file (truncated?)")
		}
		seg := data[i+4 : i+2+n]
		i += 2 + n
		switch {
		case m == 0xDA: // start of scan
			if h.components == 0 {
				return h, errors.New("jpeg: scan before the frame header")
			}
			h.icc = joinICC(chunks, chunkCount)
			return h, nil
		case isSOF(m):
			if len(seg) < 6 {
				return h, errors.New("jpeg: short frame header")
			}
			if seg[0] != 8 {
				return h, fmt.Errorf("jpeg: %d-bit samples; PDF shows only 8-bit JPEG", seg[0])
			}
			h.height, h.width = int(binary.BigEndian.Uint16(seg[1:])), int(binary.BigEndian.Uint16(seg[3:]))
			h.components = int(seg[5])
			if h.width == 0 || h.height == 0 {
				return h, fmt.Errorf("jpeg: bad size %dx%d", h.width, h.height)
			}
		case m == 0xE2 && bytes.HasPrefix(seg, iccMarkerID) && len(seg) > len(iccMarkerID)+2:
			seq, count := seg[len(iccMarkerID)], seg[len(iccMarkerID)+1]
			if chunkCount == 0 {
				chunkCount = count
			}
			if count == chunkCount && seq >= 1 && seq <= count {
				chunks[seq] = seg[len(iccMarkerID)+2:]
			}
		case m == 0xEE && bytes.HasPrefix(seg, adobeMarkerID):
			h.adobe = true
		}
	}
}

// isSOF reports whether m is a start-of-frame marker (DHT, JPG and DAC
// share the range).
func isSOF(m byte) bool {
	return m >= 0xC0 && m <= 0xCF && !slices.Contains([]byte{0xC4, 0xC8, 0xCC}, m)
}

// joinICC reassembles the profile; a missing chunk means no profile.
func joinICC(chunks map[byte][]byte, count byte) []byte {
	if count == 0 || len(chunks) != int(count) {
		return nil
	}
	var icc []byte
	for seq := byte(1); seq <= count; seq++ {
		icc = append(icc, chunks[seq]...)
	}
	return icc
}
