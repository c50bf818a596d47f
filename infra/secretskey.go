package infra

import (
	"fmt"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/kms"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// SecretsKeyRotation is how often Cloud KMS makes a new primary version;
// older versions stay enabled, so what they encrypted still decrypts.
const SecretsKeyRotation = "7776000s" // 90 days

// SecretsKeyArgs configures a SecretsKey.
type SecretsKeyArgs struct {
	Project  string
	Location string
	KeyRing  string
	Key      string
	// Requires are resources (enabled APIs) it waits for.
	Requires []pulumi.Resource
}

// SecretsKey is the Cloud KMS key Pulumi encrypts the stacks' secrets
// with (--secrets-provider gcpkms://…): a team shares access through IAM
// instead of a passphrase. Both are protected: Cloud KMS never deletes a
// key ring, and deleting the key through the provider destroys its
// versions, after which no stack's secrets decrypt (terraform-provider-
// google-beta v5.42.0, resource_kms_crypto_key.go: "CryptoKeys cannot be
// deleted from Google Cloud Platform").
type SecretsKey struct {
	pulumi.ResourceState

	Key *kms.CryptoKey
	// URL is the secrets provider for pulumi stack init / change-secrets-provider.
	URL string
}

// SecretsKeyURL is the gcpkms:// secrets provider URL of a key.
func SecretsKeyURL(project, location, ring, key string) string {
	return fmt.Sprintf("gcpkms://projects/%s/locations/%s/keyRings/%s/cryptoKeys/%s", project, location, ring, key)
}

// NewSecretsKey creates the key ring and the key.
func NewSecretsKey(ctx *pulumi.Context, name string, args SecretsKeyArgs, opts ...pulumi.ResourceOption) (*SecretsKey, error) {
	s := &SecretsKey{URL: SecretsKeyURL(args.Project, args.Location, args.KeyRing, args.Key)}
	if err := ctx.RegisterComponentResource("translation:infra:SecretsKey", name, s, opts...); err != nil {
		return nil, err
	}
	ring, err := kms.NewKeyRing(ctx, name, &kms.KeyRingArgs{
		Project:  pulumi.String(args.Project),
		Location: pulumi.String(args.Location),
		Name:     pulumi.String(args.KeyRing),
	}, pulumi.Parent(s), pulumi.DependsOn(args.Requires), pulumi.Protect(true))
	if err != nil {
		return nil, err
	}
	key, err := kms.NewCryptoKey(ctx, name, &kms.CryptoKeyArgs{
		KeyRing:        ring.ID(),
		Name:           pulumi.String(args.Key),
		Purpose:        pulumi.String("ENCRYPT_DECRYPT"),
		RotationPeriod: pulumi.String(SecretsKeyRotation),
		Labels:         pulumi.StringMap{"app": pulumi.String("unlimited-translation"), "purpose": pulumi.String("pulumi-secrets")},
	}, pulumi.Parent(s), pulumi.Protect(true))
	if err != nil {
		return nil, err
	}
	s.Key = key
	return s, ctx.RegisterResourceOutputs(s, pulumi.Map{"url": pulumi.String(s.URL)})
}
