package pdfa

import (
	"bytes"
	"compress/zlib"

	"github.com/pdfcpu/pdfcpu/pkg/filter"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// deflater Flate-compresses the streams of one document. pdfcpu's own
// StreamDict.Encode allocates a fresh ~1 MB compressor per stream; a
// document has several per page, so one compressor is reused instead.
type deflater struct {
	buf bytes.Buffer
	zw  *zlib.Writer
}

func newDeflater() *deflater {
	d := &deflater{}
	d.zw = zlib.NewWriter(&d.buf)
	return d
}

// stream returns a FlateDecode stream holding b, ready to be written.
func (d *deflater) stream(b []byte, dict types.Dict) (*types.StreamDict, error) {
	d.buf.Reset()
	d.zw.Reset(&d.buf)
	if _, err := d.zw.Write(b); err != nil {
		return nil, err
	}
	if err := d.zw.Close(); err != nil {
		return nil, err
	}
	raw := bytes.Clone(d.buf.Bytes())
	n := int64(len(raw))
	if dict == nil {
		dict = types.NewDict()
	}
	dict.InsertName("Filter", filter.Flate)
	dict.Insert("Length", types.Integer(n))
	return &types.StreamDict{
		Dict:           dict,
		Raw:            raw,
		StreamLength:   &n,
		FilterPipeline: []types.PDFFilter{{Name: filter.Flate}},
	}, nil
}
