package aws

import (
	"deckhand/internal/cloud"

	"context"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// EC2 key pairs: the KeyPairs capability.

// FindKeyPair describes the key pair of that name; found is false when EC2
// answers InvalidKeyPair.NotFound.
func (c *Client) FindKeyPair(ctx context.Context, name string) (cloud.KeyPair, bool, error) {
	if err := cloud.ValidateKeyName("DescribeKeyPairs", name); err != nil {
		return cloud.KeyPair{}, false, err
	}
	out, err := c.ec2.DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{KeyNames: []string{name}})
	if hasCode(err, "InvalidKeyPair.NotFound") {
		return cloud.KeyPair{}, false, nil
	}
	if err != nil {
		return cloud.KeyPair{}, false, wrap("ec2", "DescribeKeyPairs", err)
	}
	for _, k := range out.KeyPairs {
		if sdkaws.ToString(k.KeyName) == name {
			return toKeyPair(k), true, nil
		}
	}
	return cloud.KeyPair{}, false, nil
}

func toKeyPair(k ec2types.KeyPairInfo) cloud.KeyPair {
	return cloud.KeyPair{
		Name: sdkaws.ToString(k.KeyName), ID: sdkaws.ToString(k.KeyPairId),
		Fingerprint: sdkaws.ToString(k.KeyFingerprint), Type: string(k.KeyType), Tags: tagMap(k.Tags),
	}
}

// ImportKeyPair registers an OpenSSH public key under name, with tags. A
// key pair of that name is InvalidKeyPair.Duplicate: use FindKeyPair first.
func (c *Client) ImportKeyPair(ctx context.Context, name string, publicKey []byte, tags cloud.Tags) (cloud.KeyPair, error) {
	if c.readonly {
		return cloud.KeyPair{}, cloud.ErrReadonly
	}
	_, typ, err := cloud.ValidateImportKeyPair(name, publicKey, tags)
	if err != nil {
		return cloud.KeyPair{}, err
	}
	out, err := c.ec2.ImportKeyPair(ctx, &ec2.ImportKeyPairInput{
		KeyName: sdkaws.String(name), PublicKeyMaterial: publicKey,
		TagSpecifications: ec2TagSpec(ec2types.ResourceTypeKeyPair, tags),
	})
	if err != nil {
		return cloud.KeyPair{}, wrap("ec2", "ImportKeyPair", err)
	}
	kp := cloud.KeyPair{
		Name: sdkaws.ToString(out.KeyName), ID: sdkaws.ToString(out.KeyPairId),
		Fingerprint: sdkaws.ToString(out.KeyFingerprint), Type: typ, Tags: tagMap(out.Tags),
	}
	if len(kp.Tags) == 0 && len(tags) > 0 {
		kp.Tags = cloneTags(tags) // not every endpoint echoes them
	}
	return kp, nil
}

// CreateKeyPair has EC2 make an ED25519 key pair (PEM, i.e. OpenSSH's
// private key format) with tags, and returns the private key, which EC2
// never shows again.
func (c *Client) CreateKeyPair(ctx context.Context, name string, tags cloud.Tags) (cloud.KeyPair, []byte, error) {
	if c.readonly {
		return cloud.KeyPair{}, nil, cloud.ErrReadonly
	}
	if err := cloud.ValidateCreateKeyPair(name, tags); err != nil {
		return cloud.KeyPair{}, nil, err
	}
	out, err := c.ec2.CreateKeyPair(ctx, &ec2.CreateKeyPairInput{
		KeyName: sdkaws.String(name), KeyType: ec2types.KeyTypeEd25519, KeyFormat: ec2types.KeyFormatPem,
		TagSpecifications: ec2TagSpec(ec2types.ResourceTypeKeyPair, tags),
	})
	if err != nil {
		return cloud.KeyPair{}, nil, wrap("ec2", "CreateKeyPair", err)
	}
	kp := cloud.KeyPair{
		Name: sdkaws.ToString(out.KeyName), ID: sdkaws.ToString(out.KeyPairId),
		Fingerprint: sdkaws.ToString(out.KeyFingerprint), Type: "ed25519", Tags: tagMap(out.Tags),
	}
	if len(kp.Tags) == 0 && len(tags) > 0 {
		kp.Tags = cloneTags(tags)
	}
	return kp, []byte(sdkaws.ToString(out.KeyMaterial)), nil
}

// DeleteKeyPair deletes the key pair of that name; EC2 answers success for
// a name that does not exist.
func (c *Client) DeleteKeyPair(ctx context.Context, name string) error {
	if c.readonly {
		return cloud.ErrReadonly
	}
	if err := cloud.ValidateKeyName("DeleteKeyPair", name); err != nil {
		return err
	}
	_, err := c.ec2.DeleteKeyPair(ctx, &ec2.DeleteKeyPairInput{KeyName: sdkaws.String(name)})
	return wrap("ec2", "DeleteKeyPair", err)
}

func tagMap(tags []ec2types.Tag) cloud.Tags {
	m := cloud.Tags{}
	for _, t := range tags {
		m[sdkaws.ToString(t.Key)] = sdkaws.ToString(t.Value)
	}
	return m
}

func cloneTags(t cloud.Tags) cloud.Tags {
	m := make(cloud.Tags, len(t))
	for k, v := range t {
		m[k] = v
	}
	return m
}
