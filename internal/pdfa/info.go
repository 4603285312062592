package pdfa

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

const defaultProducer = "sohoa"

// infoDict builds the document information dictionary. Dates are fixed by
// the caller rather than taken at write time so that the later XMP packet
// (PDF/A requires it to agree with Info) can repeat exactly the same values.
func infoDict(meta Metadata, created time.Time) types.Dict {
	d := types.NewDict()
	for _, e := range []struct{ key, val string }{
		{"Title", meta.Title},
		{"Author", author(meta)},
		{"Subject", meta.Subject},
		{"Keywords", meta.Keywords},
		{"Creator", meta.Creator},
		{"Producer", producer(meta)},
	} {
		if e.val != "" {
			d.Insert(e.key, textString(e.val))
		}
	}
	date := types.StringLiteral(types.DateString(created))
	d.Insert("CreationDate", date)
	d.Insert("ModDate", date)
	return d
}

// textString encodes a PDF text string: plain ASCII stays readable as a
// literal, anything else (Vietnamese titles) becomes UTF-16BE with a BOM,
// hex-encoded so no escaping rules apply.
func textString(s string) types.Object {
	s = normalize(s)
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return types.NewHexLiteral([]byte(types.EncodeUTF16String(s)))
		}
	}
	esc, err := types.Escape(s)
	if err != nil {
		return types.NewHexLiteral([]byte(types.EncodeUTF16String(s)))
	}
	return types.StringLiteral(*esc)
}

// infoPatcher passes pdfcpu's output through to w, holding back only the
// tail that may contain the Info object, and swaps that object for ours.
//
// pdfcpu unconditionally stamps its own Producer and the current time into
// Info while writing. It writes Info as the very last object, directly
// before the xref table, so the object can be replaced after the fact: no
// recorded offset points past it except startxref, which is recomputed.
// Holding back just the tail keeps Build from buffering whole documents.
type infoPatcher struct {
	w       io.Writer
	keep    int    // bytes to hold back
	tail    []byte // held-back bytes
	flushed int64  // bytes already passed to w
}

// holdBack returns how many trailing bytes must be held back so that the
// Info object (as pdfcpu rewrites it), the xref table and the trailer are
// all still in the buffer at the end.
func holdBack(info types.Dict, objects int) int {
	return len(info.PDFString()) + 20*(objects+1) + 4096
}

func (p *infoPatcher) Write(b []byte) (int, error) {
	p.tail = append(p.tail, b...)
	// Flushing only once the excess is large amortises the memmove.
	if excess := len(p.tail) - p.keep; excess > max(p.keep, 1<<16) {
		if _, err := p.w.Write(p.tail[:excess]); err != nil {
			return 0, err
		}
		p.flushed += int64(excess)
		p.tail = p.tail[:copy(p.tail, p.tail[excess:])]
	}
	return len(b), nil
}

// finish writes the held-back tail with the Info object number infoNr,
// written at offset infoOff, replaced by info, and the second half of the
// trailer /ID as pdfcpu wrote it (ids) replaced by instance (hex, same
// length, so nothing moves).
func (p *infoPatcher) finish(infoNr int, infoOff int64, info types.Dict, ids [2]string, instance string) error {
	const startxref = "startxref"
	tail := p.tail
	sx := bytes.LastIndex(tail, []byte(startxref))
	if sx < 0 {
		return errors.New("no startxref")
	}
	fields := bytes.Fields(tail[sx+len(startxref):])
	if len(fields) < 1 {
		return errors.New("malformed startxref")
	}
	xrefOff, err := strconv.ParseInt(string(fields[0]), 10, 64)
	if err != nil {
		return fmt.Errorf("startxref: %w", err)
	}
	// Offsets relative to the held-back tail.
	infoAt, xrefAt := infoOff-p.flushed, xrefOff-p.flushed
	header := fmt.Sprintf("%d 0 obj", infoNr)
	if infoAt < 0 || infoAt >= xrefAt || xrefAt >= int64(sx) ||
		!bytes.HasPrefix(tail[infoAt:], []byte(header)) ||
		!bytes.HasPrefix(tail[xrefAt:], []byte("xref")) ||
		!bytes.HasSuffix(bytes.TrimRight(tail[infoAt:xrefAt], "\r\n"), []byte("endobj")) {
		return errors.New("unexpected layout: Info is not the last object before xref")
	}

	trailer := tail[xrefAt:sx]
	oldID := []byte("[" + ids[0] + " " + ids[1] + "]")
	newID := []byte("[" + ids[0] + " <" + instance + ">]")
	if len(oldID) != len(newID) || bytes.Count(trailer, oldID) != 1 {
		return fmt.Errorf("unexpected trailer ID %s", oldID)
	}
	trailer = bytes.Replace(trailer, oldID, newID, 1)

	obj := header + "\n" + info.PDFString() + "\nendobj\n"
	newXref := infoOff + int64(len(obj))
	for _, b := range [][]byte{
		tail[:infoAt],
		[]byte(obj),
		trailer,
		[]byte(startxref + "\n" + strconv.FormatInt(newXref, 10) + "\n%%EOF\n"),
	} {
		if _, err := p.w.Write(b); err != nil {
			return err
		}
	}
	return nil
}
