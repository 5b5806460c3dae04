// Verifies an Ed25519ph signature (RFC 8032 HashEdDSA) with Go's crypto/ed25519, independently of the emulator.
// Usage: go run ed25519ph.go SPKI_HEX MESSAGE_HEX SIGNATURE_HEX; prints "valid" or "invalid". The message is
// what Ed25519ph prehashes with SHA-512 (for KMS's DIGEST, the caller's 64-byte digest).
package main

import (
	"crypto"
	"crypto/ed25519"
	"crypto/sha512"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"os"
)

func main() {
	spki, _ := hex.DecodeString(os.Args[1])
	message, _ := hex.DecodeString(os.Args[2])
	signature, _ := hex.DecodeString(os.Args[3])
	key, err := x509.ParsePKIXPublicKey(spki)
	if err != nil {
		panic(err)
	}
	prehash := sha512.Sum512(message)
	if ed25519.VerifyWithOptions(key.(ed25519.PublicKey), prehash[:], signature, &ed25519.Options{Hash: crypto.SHA512}) == nil {
		fmt.Println("valid")
	} else {
		fmt.Println("invalid")
	}
}
