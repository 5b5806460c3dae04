// Command kms-client drives the guarded-keys KMS emulator with the AWS SDK for Go v2, as a team testing
// policies from Go would: it prints one JSON object of outcomes for the jest test to compare.
//
// Usage: kms-client ENDPOINT KEY_ID ACCESS_KEY SECRET
//
//	kms-client key-kinds ENDPOINT ACCESS_KEY SECRET   (key_kinds.go)
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go"
)

func client(endpoint, accessKey, secret string) *kms.Client {
	return kms.New(kms.Options{
		Region:           "eu-west-1",
		BaseEndpoint:     aws.String(endpoint),
		Credentials:      credentials.NewStaticCredentialsProvider(accessKey, secret, ""),
		RetryMaxAttempts: 1,
	})
}

// code is "ok" or the KMS exception type a call failed with.
func code(err error) string {
	if err == nil {
		return "ok"
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return "error: " + err.Error()
}

func main() {
	if len(os.Args) == 5 && os.Args[1] == "key-kinds" {
		text, _ := json.Marshal(keyKinds(os.Args[2], os.Args[3], os.Args[4]))
		fmt.Println(string(text))
		return
	}
	if len(os.Args) != 5 {
		fmt.Fprintln(os.Stderr, "usage: kms-client ENDPOINT KEY_ID ACCESS_KEY SECRET")
		os.Exit(2)
	}
	endpoint, keyID, accessKey, secret := os.Args[1], os.Args[2], os.Args[3], os.Args[4]
	ctx := context.Background()
	c := client(endpoint, accessKey, secret)
	out := map[string]any{}

	keys, err := c.ListKeys(ctx, &kms.ListKeysInput{})
	out["listKeys"] = code(err)
	if err == nil {
		listed := false
		for _, k := range keys.Keys {
			listed = listed || aws.ToString(k.KeyId) == keyID
		}
		out["listsKey"] = listed
	}
	enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(keyID), Plaintext: []byte("from go")})
	out["encrypt"] = code(err)
	if err == nil {
		_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
		out["decrypt"] = code(err)
	}
	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(keyID), Plaintext: []byte("x"), DryRun: aws.Bool(true)})
	out["dryRun"] = code(err)
	_, err = c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: aws.String("alias/does-not-matter")})
	out["aliasRefused"] = code(err)
	_, err = client(endpoint, accessKey, "wrong-secret-123").ListKeys(ctx, &kms.ListKeysInput{})
	out["wrongSecret"] = code(err)

	text, _ := json.Marshal(out)
	fmt.Println(string(text))
}
