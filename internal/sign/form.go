package sign

import (
	"errors"
	"fmt"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// addToPage appends the widget to page 1's /Annots, rewriting whichever
// object holds that array.
func addToPage(u *update, d *document, widget types.IndirectRef) error {
	page := d.pageDict.Clone().(types.Dict)
	switch a := page["Annots"].(type) {
	case nil:
		page["Annots"] = types.Array{widget}
	case types.Array:
		page["Annots"] = append(a.Clone().(types.Array), widget)
	case types.IndirectRef:
		arr, err := d.xt.DereferenceArray(a)
		if err != nil {
			return fmt.Errorf("sign: page 1 /Annots: %w", err)
		}
		u.rewrite(a, append(arr.Clone().(types.Array), widget))
		return nil
	default:
		return fmt.Errorf("sign: page 1 /Annots is a %T", a)
	}
	u.rewrite(d.page, page)
	return nil
}

// addToAcroForm lists the field in the catalog's form, creating the form if
// there is none, and sets SigFlags to "signatures exist, append only".
func addToAcroForm(u *update, d *document, field types.IndirectRef) error {
	root := d.rootDict.Clone().(types.Dict)
	var form types.Dict
	formRef, indirect := root["AcroForm"].(types.IndirectRef)
	switch f := root["AcroForm"].(type) {
	case nil:
		form = types.Dict{}
	case types.Dict:
		form = f.Clone().(types.Dict)
	case types.IndirectRef:
		fd, err := d.xt.DereferenceDict(f)
		if err != nil || fd == nil {
			return fmt.Errorf("sign: /AcroForm: %v", err)
		}
		form = fd.Clone().(types.Dict)
	default:
		return fmt.Errorf("sign: /AcroForm is a %T", f)
	}
	switch fields := form["Fields"].(type) {
	case nil:
		form["Fields"] = types.Array{field}
	case types.Array:
		form["Fields"] = append(fields.Clone().(types.Array), field)
	case types.IndirectRef:
		arr, err := d.xt.DereferenceArray(fields)
		if err != nil {
			return fmt.Errorf("sign: /AcroForm /Fields: %w", err)
		}
		u.rewrite(fields, append(arr.Clone().(types.Array), field))
	default:
		return fmt.Errorf("sign: /AcroForm /Fields is a %T", fields)
	}
	form["SigFlags"] = types.Integer(3)
	// PDF/A forbids NeedAppearances true; our widget brings its own.
	delete(form, "NeedAppearances")
	if indirect {
		u.rewrite(formRef, form)
		return nil
	}
	root["AcroForm"] = form
	u.rewrite(d.root, root)
	return nil
}

// checkNotCertified refuses documents whose certification signature allows
// no changes (DocMDP P=1): any signature added would invalidate it, and an
// incoming signed original must be kept valid.
func checkNotCertified(d *document) error {
	perms, err := d.xt.DereferenceDict(d.rootDict["Perms"])
	if err != nil || perms == nil {
		return nil
	}
	sig, err := d.xt.DereferenceDict(perms["DocMDP"])
	if err != nil || sig == nil {
		return nil
	}
	refs, err := d.xt.DereferenceArray(sig["Reference"])
	if err != nil {
		return nil
	}
	for _, r := range refs {
		ref, err := d.xt.DereferenceDict(r)
		if err != nil || ref == nil {
			continue
		}
		params, err := d.xt.DereferenceDict(ref["TransformParams"])
		if err != nil || params == nil {
			continue
		}
		if p, err := d.xt.DereferenceInteger(params["P"]); err == nil && p != nil && p.Value() == 1 {
			return errors.New("sign: the document is certified with \"no changes allowed\"; a new signature would break it")
		}
	}
	return nil
}
