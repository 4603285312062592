package sign

import (
	"crypto"
	"errors"
	"fmt"
	"io"

	"github.com/ThalesIgnite/crypto11"
)

// PKCS11 opens the key labelled keyLabel on the token labelled tokenLabel
// through a PKCS#11 module (a USB token's or HSM's driver, e.g.
// /usr/lib/softhsm/libsofthsm2.so) and returns it as a crypto.Signer for
// Signer.Key. The private key never leaves the token. Close the returned
// Closer when done signing; it ends the module's sessions.
func PKCS11(module, tokenLabel, pin, keyLabel string) (crypto.Signer, io.Closer, error) {
	if module == "" || tokenLabel == "" || keyLabel == "" {
		return nil, nil, errors.New("sign: PKCS#11 needs a module path, a token label and a key label")
	}
	ctx, err := crypto11.Configure(&crypto11.Config{Path: module, TokenLabel: tokenLabel, Pin: pin})
	if err != nil {
		return nil, nil, fmt.Errorf("sign: PKCS#11 module %s, token %q: %w", module, tokenLabel, err)
	}
	key, err := ctx.FindKeyPair(nil, []byte(keyLabel))
	if err == nil && key == nil {
		err = errors.New("no such key pair")
	}
	if err != nil {
		ctx.Close()
		return nil, nil, fmt.Errorf("sign: PKCS#11 token %q, key %q: %w", tokenLabel, keyLabel, err)
	}
	return key, ctx, nil
}
