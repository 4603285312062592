package pdfa

// Rule is one PDF/A-2 requirement that Check tests, by its clause of
// ISO 19005-2 as veraPDF's PDF_A/2b and 2u validation profiles number it.
type Rule struct {
	Clause string
	Text   string
}

// Rules lists what Check tests, in clause order, for help texts and the
// README.
func Rules() []Rule {
	return []Rule{
		{"6.1.1", "every page's /Rotate, its own or inherited, is an integer multiple of 90 (ISO 32000-1 7.7.3.3)"},
		{"6.1.2", "the file starts with %PDF-1.n followed by a comment line of at least four bytes above 127"},
		{"6.1.3", "the trailer has an ID, no Encrypt entry (no encryption), and nothing but an end of line follows the last %%EOF"},
		{"6.1.7.1", "no stream keeps its data in an external file (F, FFilter, FDecodeParms)"},
		{"6.1.7.2", "no stream uses the LZWDecode filter"},
		{"6.1.12", "the permissions dictionary holds only DocMDP and UR3"},
		{"6.2.3", "the catalog has a GTS_PDFA1 output intent whose DestOutputProfile is an embedded ICC profile (version ≤ 4, class mntr or prtr); all such intents share it"},
		{"6.2.4.2", "ICCBased colour spaces and the output intent profile have an N matching the profile's components; an ICCBased profile is of an input, display, output or colour space class; an image's colour space has as many components as its JPEG data and its Decode array"},
		{"6.2.4.3", "DeviceRGB is used only with an RGB output intent, DeviceCMYK only with a CMYK one, DeviceGray only with some output intent"},
		{"6.2.5", "no graphics state has TR, a TR2 other than Default, or HTP"},
		{"6.2.6", "rendering intents are one of the four standard ones"},
		{"6.2.8", "no image has Interpolate true, Alternates or OPI"},
		{"6.2.9", "no PostScript XObjects, no reference XObjects, no OPI in form XObjects"},
		{"6.2.10", "blend modes are standard ones"},
		{"6.2.11.3.2", "every TrueType CIDFont has a CIDToGIDMap"},
		{"6.2.11.4.1", "every font except Type 3 has its font program embedded (FontFile, FontFile2 or FontFile3)"},
		{"6.2.11.7.2", "level U: every font maps its character codes to Unicode (ToUnicode, or a standard encoding for simple fonts)"},
		{"6.3.1", "no 3D, Sound, Screen or Movie annotations"},
		{"6.3.2", "every annotation but Popup has flags with Print set and Hidden, Invisible, NoView, ToggleNoView clear"},
		{"6.3.3", "every annotation but Popup, Link or one with an empty rectangle has an appearance dictionary"},
		{"6.4.1", "no NeedAppearances true; widget annotations have no actions (A, AA)"},
		{"6.4.2", "no XFA forms (XFA entry, NeedsRendering true)"},
		{"6.4.3", "each signature's ByteRange covers its whole revision except the Contents hex string (signature fields are allowed)"},
		{"6.5.1", "no Launch, Sound, Movie, ResetForm, ImportData, Hide, SetOCGState, Rendition, Trans, GoTo3DView or JavaScript actions, no JavaScript name tree, named actions only NextPage, PrevPage, FirstPage, LastPage"},
		{"6.5.2", "no additional actions (AA) in the catalog or on pages"},
		{"6.6.2.1", "the catalog has a Metadata stream (Type Metadata, Subtype XML) holding well-formed XMP whose packet header has no bytes or encoding attribute"},
		{"6.6.2.3.1", "every XMP property outside the predefined schemas is declared by a PDF/A extension schema"},
		{"6.6.3", "each Info entry with an XMP analogue (Title, Author, Subject, Keywords, Creator, Producer, CreationDate, ModDate) equals it"},
		{"6.6.4", "the XMP has pdfaid:part 2 and pdfaid:conformance A, B or U"},
		{"6.8", "embedded files are themselves PDF/A files"},
		{"6.9", "optional content configurations each have a unique Name and no AS entry"},
		{"6.10", "no AlternatePresentations name tree, no PresSteps on pages"},
		{"6.11", "the catalog has no Requirements entry"},
	}
}
