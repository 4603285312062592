package sign

import (
	"bytes"
	"crypto/md5"
	"encoding/binary"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// document is what an incremental update needs to know about its input.
type document struct {
	xt         *model.XRefTable
	size       int   // first free object number
	prevXref   int64 // the input's startxref
	xrefStream bool  // the input's last cross-reference section is a stream
	root       types.IndirectRef
	rootDict   types.Dict
	page       types.IndirectRef
	pageDict   types.Dict
	pageBox    pageBox
	fieldNames map[string]bool
}

func readDocument(input []byte) (*document, error) {
	prev, err := lastStartxref(input)
	if err != nil {
		return nil, err
	}
	if prev <= 0 || prev >= int64(len(input)) {
		return nil, fmt.Errorf("sign: parse PDF: startxref %d is outside the %d-byte file", prev, len(input))
	}
	at := input[prev:]
	d := &document{prevXref: prev}
	switch {
	case bytes.HasPrefix(at, []byte("xref")):
	case regexp.MustCompile(`^\d+\s+\d+\s+obj`).Match(at[:min(len(at), 32)]):
		d.xrefStream = true
	default:
		return nil, fmt.Errorf("sign: parse PDF: startxref %d points at neither an xref table nor an object", prev)
	}

	ctx, err := api.ReadContext(bytes.NewReader(input), pdfcpuConfig())
	if err != nil {
		return nil, fmt.Errorf("sign: parse PDF: %w", err)
	}
	if ctx.Encrypt != nil || ctx.E != nil {
		return nil, errors.New("sign: encrypted PDFs are not supported")
	}
	xt := ctx.XRefTable
	d.xt = xt
	if xt.Root == nil {
		return nil, errors.New("sign: parse PDF: trailer has no /Root")
	}
	d.root = *xt.Root
	if d.rootDict, err = xt.DereferenceDict(d.root); err != nil || d.rootDict == nil {
		return nil, fmt.Errorf("sign: parse PDF: trailer /Root is not a dictionary (%v)", err)
	}
	if err := xt.EnsurePageCount(); err != nil {
		return nil, fmt.Errorf("sign: parse PDF: page count: %w", err)
	}
	pd, ref, inh, err := xt.PageDict(1, false)
	if err != nil || ref == nil {
		return nil, fmt.Errorf("sign: parse PDF: page 1: %v", err)
	}
	d.page, d.pageDict = *ref, pd
	box := inh.MediaBox
	if inh.CropBox != nil {
		box = inh.CropBox
	}
	if box == nil {
		return nil, errors.New("sign: parse PDF: page 1 has no MediaBox")
	}
	rotate := (inh.Rotate%360 + 360) % 360
	if rotate%90 != 0 {
		return nil, fmt.Errorf("sign: parse PDF: page 1 has /Rotate %d, not a multiple of 90", inh.Rotate)
	}
	d.pageBox = pageBox{Rect{box.LL.X, box.LL.Y, box.UR.X, box.UR.Y}, rotate}
	d.size = *xt.Size
	for n := range xt.Table {
		d.size = max(d.size, n+1)
	}
	d.fieldNames = map[string]bool{}
	if af, err := xt.DereferenceDict(d.rootDict["AcroForm"]); err == nil && af != nil {
		if fields, err := xt.DereferenceArray(af["Fields"]); err == nil {
			for _, f := range fields {
				if fd, err := xt.DereferenceDict(f); err == nil && fd != nil {
					if t, err := xt.DereferenceStringOrHexLiteral(fd["T"], model.V10, nil); err == nil {
						d.fieldNames[t] = true
					}
				}
			}
		}
	}
	return d, nil
}

func lastStartxref(input []byte) (int64, error) {
	tail := input[max(0, len(input)-2048):]
	i := bytes.LastIndex(tail, []byte("startxref"))
	if i < 0 {
		return 0, errors.New("sign: parse PDF: no startxref near the end of the file")
	}
	f := strings.Fields(string(tail[i+len("startxref"):]))
	if len(f) == 0 {
		return 0, errors.New("sign: parse PDF: startxref without offset")
	}
	n, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("sign: parse PDF: startxref %q: %w", f[0], err)
	}
	return n, nil
}

// pdfcpuConfig is built by hand because model.NewDefaultConfiguration
// installs pdfcpu's config directory in $HOME.
func pdfcpuConfig() *model.Configuration {
	return &model.Configuration{
		Eol:            types.EolLF,
		Reader15:       true,
		ValidationMode: model.ValidationRelaxed,
		Limits:         model.DefaultResourceLimits(),
	}
}

// update accumulates the objects of an incremental update.
type update struct {
	base    int64 // length of the input the update follows
	buf     bytes.Buffer
	offsets map[int]xrefEntry
	next    int
}

type xrefEntry struct {
	offset int64
	gen    int
}

func newUpdate(input []byte, next int) *update {
	u := &update{base: int64(len(input)), offsets: map[int]xrefEntry{}, next: next}
	if n := len(input); n > 0 && input[n-1] != '\n' && input[n-1] != '\r' {
		u.buf.WriteByte('\n')
	}
	return u
}

func (u *update) alloc() int {
	u.next++
	return u.next - 1
}

func (u *update) pos() int64 { return u.base + int64(u.buf.Len()) }

func (u *update) object(num, gen int, body string) {
	u.offsets[num] = xrefEntry{u.pos(), gen}
	fmt.Fprintf(&u.buf, "%d %d obj\n%s\nendobj\n", num, gen, body)
}

func (u *update) stream(num int, dict string, data []byte) {
	u.offsets[num] = xrefEntry{u.pos(), 0}
	fmt.Fprintf(&u.buf, "%d 0 obj\n<< %s /Length %d >>\nstream\n", num, dict, len(data))
	u.buf.Write(data)
	u.buf.WriteString("\nendstream\nendobj\n")
}

func (u *update) flateStream(num int, dict string, data []byte) error {
	z, err := deflate(data)
	if err != nil {
		return fmt.Errorf("sign: compress object %d: %w", num, err)
	}
	u.stream(num, strings.TrimSpace(dict+" /Filter /FlateDecode"), z)
	return nil
}

// rewrite writes a new version of an existing indirect object.
func (u *update) rewrite(ref types.IndirectRef, o types.Object) {
	u.object(ref.ObjectNumber.Value(), ref.GenerationNumber.Value(), o.PDFString())
}

// finish writes the cross-reference section and trailer in the form of the
// input's last section (a table after a table, a stream after a stream).
func (u *update) finish(d *document) {
	trailer := fmt.Sprintf("/Root %s /Prev %d", d.root.PDFString(), d.prevXref)
	if d.xt.Info != nil {
		trailer += " /Info " + d.xt.Info.PDFString()
	}
	if len(d.xt.ID) == 2 {
		trailer += " /ID " + d.xt.ID.PDFString()
	} else {
		// PDF/A requires an /ID; derive one from the update's position.
		sum := md5.Sum(fmt.Appendf(nil, "%d/%d", u.base, d.prevXref))
		trailer += fmt.Sprintf(" /ID [<%X> <%X>]", sum, sum)
	}
	if d.xrefStream {
		num := u.alloc()
		u.offsets[num] = xrefEntry{u.pos(), 0}
		nums := u.sorted()
		var data []byte
		var index strings.Builder
		for _, run := range runs(nums) {
			fmt.Fprintf(&index, "%d %d ", run[0], len(run))
			for _, n := range run {
				e := u.offsets[n]
				data = append(data, 1)
				data = binary.BigEndian.AppendUint32(data, uint32(e.offset))
				data = binary.BigEndian.AppendUint16(data, uint16(e.gen))
			}
		}
		start := u.offsets[num].offset
		u.stream(num, fmt.Sprintf("/Type /XRef /Size %d /W [1 4 2] /Index [%s] %s", u.next, strings.TrimSpace(index.String()), trailer), data)
		fmt.Fprintf(&u.buf, "startxref\n%d\n%%%%EOF\n", start)
		return
	}
	start := u.pos()
	u.buf.WriteString("xref\n")
	for _, run := range runs(u.sorted()) {
		fmt.Fprintf(&u.buf, "%d %d\n", run[0], len(run))
		for _, n := range run {
			e := u.offsets[n]
			fmt.Fprintf(&u.buf, "%010d %05d n \n", e.offset, e.gen)
		}
	}
	fmt.Fprintf(&u.buf, "trailer\n<< /Size %d %s >>\nstartxref\n%d\n%%%%EOF\n", u.next, trailer, start)
}

func (u *update) sorted() []int {
	nums := make([]int, 0, len(u.offsets))
	for n := range u.offsets {
		nums = append(nums, n)
	}
	slices.Sort(nums)
	return nums
}

// runs splits sorted object numbers into consecutive subsections.
func runs(nums []int) [][]int {
	var out [][]int
	for i, n := range nums {
		if i == 0 || n != nums[i-1]+1 {
			out = append(out, nil)
		}
		out[len(out)-1] = append(out[len(out)-1], n)
	}
	return out
}
