package identity

import "errors"

// Stable codes of Error, for programs that branch on them and for the API's "code" field; the
// Vietnamese message is for people and may be reworded.
const (
	CodeCitizenEmpty        = "citizen_id_empty"
	CodeCitizenLength       = "citizen_id_length"
	CodeCitizenNotDigits    = "citizen_id_not_digits"
	CodeCitizenProvince     = "citizen_id_province"
	CodeCitizenFutureYear   = "citizen_id_future_year"
	CodeCitizenYearMismatch = "citizen_id_birth_year_mismatch"
	CodeTaxEmpty            = "tax_code_empty"
	CodeTaxLength           = "tax_code_length"
	CodeTaxNotDigits        = "tax_code_not_digits"
	CodeTaxCheckDigit       = "tax_code_check_digit"
	CodeTaxBranch           = "tax_code_branch"
	CodeOwnerEmpty          = "owner_id_empty"
	CodeOwnerShape          = "owner_id_shape"
)

// Error is an identifier that cannot be right; retrying cannot help, the person must correct it.
// Input is the identifier as given. Message is a Vietnamese sentence that names it and says what is
// wrong, fit to show to counter staff as it is.
type Error struct {
	Code, Input, Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func newError(code, input, msg string) *Error {
	return &Error{Code: code, Input: input, Message: msg}
}

// CodeOf returns the stable code of err if it is (or wraps) an *Error, and "" otherwise.
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
