package main

// The key kinds of issue 13 driven by the AWS SDK for Go v2, each result checked by Go's own crypto (or by
// decred's secp256k1, which go-ethereum's pure-Go build recovers signers with), never by asking the emulator:
//
//   - secp256k1 signing as Ethereum signers use it: keccak-256 of the message signed as a DIGEST, the DER
//     signature normalized to low S, the recovery id found by recovering the public key, the address compared;
//   - RSASSA-PSS over a DIGEST: KMS's signatures verify with crypto/rsa.VerifyPSS (which takes a digest), and
//     KMS verifies a DIGEST against a signature it made over the RAW message;
//   - Ed25519, pure and Ed25519ph over a DIGEST (crypto/ed25519), and ECDH on P-256 (crypto/ecdh).
//
// Usage: kms-client key-kinds ENDPOINT ACCESS_KEY SECRET

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	secpecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	"golang.org/x/crypto/sha3"
)

func createKey(ctx context.Context, c *kms.Client, spec types.KeySpec, usage types.KeyUsageType) string {
	out, err := c.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: spec, KeyUsage: usage})
	if err != nil {
		panic(err)
	}
	return aws.ToString(out.KeyMetadata.KeyId)
}

func publicKeyDer(ctx context.Context, c *kms.Client, keyID string) []byte {
	out, err := c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: aws.String(keyID)})
	if err != nil {
		panic(err)
	}
	return out.PublicKey
}

func sign(ctx context.Context, c *kms.Client, keyID string, message []byte, messageType types.MessageType, algorithm types.SigningAlgorithmSpec) []byte {
	out, err := c.Sign(ctx, &kms.SignInput{KeyId: aws.String(keyID), Message: message, MessageType: messageType, SigningAlgorithm: algorithm})
	if err != nil {
		panic(err)
	}
	return out.Signature
}

func keccak256(data []byte) []byte {
	h := sha3.NewLegacyKeccak256()
	h.Write(data)
	return h.Sum(nil)
}

// ethereumSigner signs messages with a secp256k1 KMS key the way an Ethereum signer does, at least 8 and until both a
// high and a low S were seen (KMS does not normalize S; at most 64), and returns how many it signed, how many
// recovered to the key's address, and how many had a high S that had to be normalized.
func ethereumSigner(ctx context.Context, c *kms.Client) (signed, recovered, highS int) {
	keyID := createKey(ctx, c, types.KeySpecEccSecgP256k1, types.KeyUsageTypeSignVerify)
	// Go's x509 does not know secp256k1: the SubjectPublicKeyInfo's bit string is the uncompressed point.
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(publicKeyDer(ctx, c, keyID), &spki); err != nil {
		panic(err)
	}
	point := spki.PublicKey.Bytes
	address := keccak256(point[1:])[12:]
	order := secp256k1.S256().N
	half := new(big.Int).Rsh(order, 1)
	for ; signed < 64 && (signed < 8 || highS == 0 || highS == signed); signed++ {
		digest := keccak256([]byte(fmt.Sprintf("transfer %d wei", signed)))
		var der struct{ R, S *big.Int }
		if _, err := asn1.Unmarshal(sign(ctx, c, keyID, digest, types.MessageTypeDigest, types.SigningAlgorithmSpecEcdsaSha256), &der); err != nil {
			panic(err)
		}
		if der.S.Cmp(half) > 0 {
			der.S.Sub(order, der.S)
			highS++
		}
		compact := make([]byte, 65)
		der.R.FillBytes(compact[1:33])
		der.S.FillBytes(compact[33:])
		for v := byte(0); v < 2; v++ {
			compact[0] = 27 + v // uncompressed-key recovery code, as Ethereum's v = 27/28
			key, _, err := secpecdsa.RecoverCompact(compact, digest)
			if err == nil && bytes.Equal(keccak256(key.SerializeUncompressed()[1:])[12:], address) {
				recovered++
				break
			}
		}
	}
	return signed, recovered, highS
}

// pssDigest: KMS's PSS signature over a digest verifies with crypto/rsa (salt = hash length); KMS verifies, as a
// DIGEST, the signature it made over the RAW message, and refuses a flipped one.
func pssDigest(ctx context.Context, c *kms.Client) map[string]any {
	keyID := createKey(ctx, c, types.KeySpecRsa2048, types.KeyUsageTypeSignVerify)
	parsed, err := x509.ParsePKIXPublicKey(publicKeyDer(ctx, c, keyID))
	if err != nil {
		panic(err)
	}
	pub := parsed.(*rsa.PublicKey)
	message := []byte("go pss digest")
	digest := sha256.Sum256(message)
	options := &rsa.PSSOptions{SaltLength: sha256.Size, Hash: crypto.SHA256}
	overDigest := sign(ctx, c, keyID, digest[:], types.MessageTypeDigest, types.SigningAlgorithmSpecRsassaPssSha256)
	overRaw := sign(ctx, c, keyID, message, types.MessageTypeRaw, types.SigningAlgorithmSpecRsassaPssSha256)
	verify := func(signature []byte) string {
		_, err := c.Verify(ctx, &kms.VerifyInput{
			KeyId: aws.String(keyID), Message: digest[:], MessageType: types.MessageTypeDigest, Signature: signature,
			SigningAlgorithm: types.SigningAlgorithmSpecRsassaPssSha256,
		})
		return code(err)
	}
	flipped := append([]byte{}, overRaw...)
	flipped[10] ^= 0x40
	return map[string]any{
		"goVerifiesDigestSignature": rsa.VerifyPSS(pub, crypto.SHA256, digest[:], overDigest, options) == nil,
		"goVerifiesRawSignature":    rsa.VerifyPSS(pub, crypto.SHA256, digest[:], overRaw, options) == nil,
		"kmsVerifiesRawAsDigest":    verify(overRaw),
		"kmsRefusesFlipped":         verify(flipped),
	}
}

// ed25519Check: pure Ed25519 over the RAW message, and Ed25519ph (RFC 8032) over a 64-byte DIGEST, each verified by
// crypto/ed25519.
func ed25519Check(ctx context.Context, c *kms.Client) map[string]bool {
	keyID := createKey(ctx, c, types.KeySpecEccNistEdwards25519, types.KeyUsageTypeSignVerify)
	parsed, err := x509.ParsePKIXPublicKey(publicKeyDer(ctx, c, keyID))
	if err != nil {
		panic(err)
	}
	pub := parsed.(ed25519.PublicKey)
	message := []byte("go ed25519")
	digest := sha512.Sum512(message)
	prehashed := sign(ctx, c, keyID, digest[:], types.MessageTypeDigest, types.SigningAlgorithmSpecEd25519PhSha512)
	again := sha512.Sum512(digest[:])
	return map[string]bool{
		"pure": ed25519.Verify(pub, message, sign(ctx, c, keyID, message, types.MessageTypeRaw, types.SigningAlgorithmSpecEd25519Sha512)),
		// KMS "still performs the SHA-512 prehash" over the 64-byte DIGEST (its Sign reference): hashed twice.
		"ph": ed25519.VerifyWithOptions(pub, again[:], prehashed, &ed25519.Options{Hash: crypto.SHA512}) == nil,
	}
}

func ecdhCheck(ctx context.Context, c *kms.Client) bool {
	keyID := createKey(ctx, c, types.KeySpecEccNistP256, types.KeyUsageTypeKeyAgreement)
	parsed, err := x509.ParsePKIXPublicKey(publicKeyDer(ctx, c, keyID))
	if err != nil {
		panic(err)
	}
	kmsPublic, err := parsed.(*ecdsa.PublicKey).ECDH()
	if err != nil {
		panic(err)
	}
	peer, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	peerDer, err := x509.MarshalPKIXPublicKey(peer.PublicKey())
	if err != nil {
		panic(err)
	}
	out, err := c.DeriveSharedSecret(ctx, &kms.DeriveSharedSecretInput{KeyId: aws.String(keyID), KeyAgreementAlgorithm: types.KeyAgreementAlgorithmSpecEcdh, PublicKey: peerDer})
	if err != nil {
		panic(err)
	}
	ours, err := peer.ECDH(kmsPublic)
	return err == nil && bytes.Equal(ours, out.SharedSecret)
}

func keyKinds(endpoint, accessKey, secret string) map[string]any {
	ctx := context.Background()
	c := client(endpoint, accessKey, secret)
	signed, recovered, highS := ethereumSigner(ctx, c)
	return map[string]any{
		"ethereumAllRecovered": recovered == signed,
		"ethereumSawHighS":     highS > 0,
		"pss":                  pssDigest(ctx, c),
		"ed25519":              ed25519Check(ctx, c),
		"ecdh":                 ecdhCheck(ctx, c),
	}
}
