package pdfa

import (
	_ "embed"
	"fmt"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// srgbICC is the sRGB display profile (ICC v2.3) of Debian's
// icc-profiles-free package, Zlib-licensed; see srgb.icc.LICENSE. PDF/A
// (6.2.3) needs an output intent with an embedded profile so that the
// device colour of the page images (DeviceRGB, DeviceGray) has a defined
// meaning; scanners deliver sRGB. A v2 profile is read by every PDF/A
// validator and viewer, and at 2.4 kB compressed costs little per file.
//
//go:embed srgb.icc
var srgbICC []byte

// addPDFAEntries puts the XMP packet and the sRGB output intent into the
// catalog.
func addPDFAEntries(xt *model.XRefTable, z *deflater, root types.Dict, xmp []byte) error {
	// The metadata stream stays unfiltered so that tools which scan files
	// for XMP packets without parsing the PDF find it.
	n := int64(len(xmp))
	mdRef, err := xt.IndRefForNewObject(types.StreamDict{
		Dict: types.Dict{
			"Type":    types.Name("Metadata"),
			"Subtype": types.Name("XML"),
			"Length":  types.Integer(n),
		},
		Raw:          xmp,
		Content:      xmp,
		StreamLength: &n,
	})
	if err != nil {
		return fmt.Errorf("metadata stream: %w", err)
	}
	root.Insert("Metadata", *mdRef)

	icc, err := z.stream(srgbICC, types.Dict{"N": types.Integer(3)})
	if err != nil {
		return fmt.Errorf("ICC profile: %w", err)
	}
	iccRef, err := xt.IndRefForNewObject(*icc)
	if err != nil {
		return fmt.Errorf("ICC profile: %w", err)
	}
	root.Insert("OutputIntents", types.Array{types.Dict{
		"Type":                      types.Name("OutputIntent"),
		"S":                         types.Name("GTS_PDFA1"),
		"OutputConditionIdentifier": types.StringLiteral("sRGB IEC61966-2.1"),
		"RegistryName":              types.StringLiteral("http://www.color.org"),
		"Info":                      types.StringLiteral("sRGB IEC61966-2.1"),
		"DestOutputProfile":         *iccRef,
	}})
	return nil
}
