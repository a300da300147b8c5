package sandbox

import (
	"context"
	"crypto/ed25519"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"maps"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"deckhand/internal/cloud"
)

// The sandbox's EC2 key pairs (aws.KeyPairs). Created keys are real ED25519
// keys, so the private key works with ssh (there is no instance to log in
// to, but the file is what AWS would hand out). Fingerprints are computed
// as EC2 documents them: for ED25519 keys the base64 SHA-256 digest
// (OpenSSH's), for imported RSA keys the MD5 digest of the DER public key.

func (r *region) keyPair(name string) *keyPair {
	return find(r.KeyPairs, func(k *keyPair) bool { return k.Name == name })
}

func (k *keyPair) resource() cloud.KeyPair {
	typ := k.Type
	if typ == "" {
		typ = "rsa" // the seeded key predates the field
	}
	return cloud.KeyPair{Name: k.Name, ID: k.ID, Fingerprint: k.Fingerprint, Type: typ, Tags: maps.Clone(k.Tags), Created: k.Created}
}

// FindKeyPair looks the key pair up by name.
func (a *Account) FindKeyPair(ctx context.Context, name string) (cloud.KeyPair, bool, error) {
	var out cloud.KeyPair
	found := false
	err := a.viewCall(ctx, apiCall{"ec2", "DescribeKeyPairs"}, func(w *world, r *region) error {
		if err := cloud.ValidateKeyName("DescribeKeyPairs", name); err != nil {
			return err
		}
		if k := r.keyPair(name); k != nil {
			out, found = k.resource(), true
		}
		return nil
	})
	return out, found, err
}

// ImportKeyPair registers an OpenSSH public key.
func (a *Account) ImportKeyPair(ctx context.Context, name string, publicKey []byte, tags cloud.Tags) (cloud.KeyPair, error) {
	var out cloud.KeyPair
	err := a.updateCall(ctx, apiCall{"ec2", "ImportKeyPair"}, func(w *world, r *region) error {
		key, typ, err := cloud.ValidateImportKeyPair(name, publicKey, tags)
		if err != nil {
			return err
		}
		k, err := w.addKeyPair(r, "ImportKeyPair", name, typ, fingerprint(key, typ), tags)
		if err == nil {
			out = k.resource()
		}
		return err
	})
	return out, err
}

// CreateKeyPair makes an ED25519 key pair and returns its private key in
// OpenSSH's PEM format, as EC2 does.
func (a *Account) CreateKeyPair(ctx context.Context, name string, tags cloud.Tags) (cloud.KeyPair, []byte, error) {
	var out cloud.KeyPair
	var private []byte
	err := a.updateCall(ctx, apiCall{"ec2", "CreateKeyPair"}, func(w *world, r *region) error {
		if err := cloud.ValidateCreateKeyPair(name, tags); err != nil {
			return err
		}
		if r.keyPair(name) != nil {
			return errKeyDuplicate("CreateKeyPair", name)
		}
		pub, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return err
		}
		block, err := ssh.MarshalPrivateKey(priv, "")
		if err != nil {
			return err
		}
		sp, err := ssh.NewPublicKey(pub)
		if err != nil {
			return err
		}
		k, err := w.addKeyPair(r, "CreateKeyPair", name, "ed25519", fingerprint(sp, "ed25519"), tags)
		if err != nil {
			return err
		}
		out, private = k.resource(), pem.EncodeToMemory(block)
		return nil
	})
	return out, private, err
}

func errKeyDuplicate(op, name string) error {
	return ec2Error(op, "InvalidKeyPair.Duplicate", "The keypair '%s' already exists.", name)
}

func (w *world) addKeyPair(r *region, op, name, typ, fp string, tags cloud.Tags) (*keyPair, error) {
	if r.keyPair(name) != nil {
		return nil, errKeyDuplicate(op, name)
	}
	k := &keyPair{Name: name, ID: w.ec2ID("key"), Fingerprint: fp, Type: typ, Tags: maps.Clone(tags), Created: w.now.Truncate(time.Second)}
	r.KeyPairs = append(r.KeyPairs, k)
	return k, nil
}

// fingerprint is EC2's fingerprint of a key (see the top of this file; a
// created RSA key would be the SHA-1 of its private key, but the sandbox
// creates ED25519 keys only).
func fingerprint(key ssh.PublicKey, typ string) string {
	if typ == "ed25519" {
		sum := sha256.Sum256(key.Marshal())
		return base64.StdEncoding.EncodeToString(sum[:])
	}
	ck, ok := key.(ssh.CryptoPublicKey)
	if !ok {
		return ""
	}
	der, err := x509.MarshalPKIXPublicKey(ck.CryptoPublicKey())
	if err != nil {
		return ""
	}
	sum := md5.Sum(der)
	hexed := hex.EncodeToString(sum[:])
	var parts []string
	for i := 0; i < len(hexed); i += 2 {
		parts = append(parts, hexed[i:i+2])
	}
	return strings.Join(parts, ":")
}

// DeleteKeyPair deletes the key pair; like EC2, an unknown name is not an
// error.
func (a *Account) DeleteKeyPair(ctx context.Context, name string) error {
	return a.updateCall(ctx, apiCall{"ec2", "DeleteKeyPair"}, func(w *world, r *region) error {
		if err := cloud.ValidateKeyName("DeleteKeyPair", name); err != nil {
			return err
		}
		r.KeyPairs = slices.DeleteFunc(r.KeyPairs, func(k *keyPair) bool { return k.Name == name })
		return nil
	})
}
