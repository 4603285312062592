package pdfa

import (
	"crypto/sha256"
	_ "embed"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// cmykICC describes CMYK pages that bring no profile of their own: the
// document's output intent is sRGB, so PDF/A (6.2.4.3) lets DeviceCMYK
// appear nowhere and a CMYK image needs an ICCBased space. It is FOGRA39
// (offset on coated paper, the usual meaning of untagged CMYK in Europe
// and Asia) at low table resolution, 23 kB compressed, once per document;
// see cmyk.icc.LICENSE for where it comes from and its Zlib licence.
//
//go:embed cmyk.icc
var cmykICC []byte

// profiles writes each ICC profile of a document once, however many pages
// use it.
type profiles struct {
	xt   *model.XRefTable
	z    *deflater
	refs map[[32]byte]types.IndirectRef
}

func newProfiles(xt *model.XRefTable, z *deflater) *profiles {
	return &profiles{xt: xt, z: z, refs: map[[32]byte]types.IndirectRef{}}
}

// iccBased returns the colour space [/ICCBased stream] for a profile
// already known to have n components (see profileProblem).
func (p *profiles) iccBased(icc []byte, n int) (types.Array, error) {
	key := sha256.Sum256(icc)
	ref, ok := p.refs[key]
	if !ok {
		sd, err := p.z.stream(icc, types.Dict{"N": types.Integer(n)})
		if err != nil {
			return nil, fmt.Errorf("ICC profile: %w", err)
		}
		r, err := p.xt.IndRefForNewObject(*sd)
		if err != nil {
			return nil, fmt.Errorf("ICC profile: %w", err)
		}
		ref = *r
		p.refs[key] = ref
	}
	return types.Array{types.Name("ICCBased"), ref}, nil
}

// deviceSpace returns the colour space for an image of n components that
// has no usable profile of its own: the device space the sRGB output
// intent gives a meaning to, or for CMYK the built-in FOGRA39 profile.
func (p *profiles) deviceSpace(n int) (types.Object, error) {
	switch n {
	case 1:
		return types.Name(model.DeviceGrayCS), nil
	case 3:
		return types.Name(model.DeviceRGBCS), nil
	case 4:
		return p.iccBased(cmykICC, 4)
	}
	return nil, fmt.Errorf("%d colour components", n)
}

// space returns the colour space of an image of n components that may
// carry its own profile. The profile is used when PDF/A accepts it for
// such an image; otherwise the device space is, and the change says so.
func (p *profiles) space(icc []byte, n int) (types.Object, []change, error) {
	if icc == nil {
		cs, err := p.deviceSpace(n)
		return cs, nil, err
	}
	if why := profileProblem(icc, n); why != "" {
		cs, err := p.deviceSpace(n)
		return cs, []change{{ChangeProfileIgnored, "hồ sơ màu ICC nhúng trong ảnh không dùng được (" + why + "), trang được hiển thị theo hồ sơ màu mặc định"}}, err
	}
	cs, err := p.iccBased(icc, n)
	return cs, nil, err
}

// iccClasses are the profile classes that may describe a colour space
// (ISO 32000-1 8.6.5.5): input, display, output and colour space profiles.
var iccClasses = []string{"scnr", "mntr", "prtr", "spac"}

// profileProblem says, in Vietnamese, why icc cannot be the ICCBased
// profile of an image with n components under PDF/A-2, or "" if it can.
// Check tests the same facts (checkICCBased).
func profileProblem(icc []byte, n int) string {
	switch {
	case len(icc) < 132 || string(icc[36:40]) != "acsp":
		return "không phải hồ sơ ICC hợp lệ"
	case int64(binary.BigEndian.Uint32(icc)) > int64(len(icc)):
		return "hồ sơ bị cắt cụt"
	case icc[8] > 4:
		return fmt.Sprintf("phiên bản ICC %d, PDF/A-2 chỉ nhận đến 4", icc[8])
	case !slices.Contains(iccClasses, string(icc[12:16])):
		return fmt.Sprintf("loại hồ sơ %q không mô tả được không gian màu", icc[12:16])
	case iccComponents(icc) != n:
		return fmt.Sprintf("hồ sơ có %d thành phần màu, ảnh có %d", iccComponents(icc), n)
	}
	return ""
}
