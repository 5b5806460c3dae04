// Go smoke test of the jsii Go module (dist/go/cdkguardedkeys, from `npx projen package-all`):
// test/packaging/go-smoke.sh copies this file into a fresh module that replaces the package with dist/go.
// The same app as the Python and Java smoke tests: a GuardedKey, a MultiRegionKey with a replica, KeyGuard.
package smoke

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"
	gk "github.com/cdk-guarded-keys/cdk-guarded-keys-go/cdkguardedkeys"
)

const account = "111122223333"

func stack(app awscdk.App, id, region string) awscdk.Stack {
	return awscdk.NewStack(app, jsii.String(id), &awscdk.StackProps{
		Env:                   &awscdk.Environment{Account: jsii.String(account), Region: jsii.String(region)},
		CrossRegionReferences: jsii.Bool(true),
	})
}

func TestGuardedKeyMultiRegionKeyAndReplicaSynthesize(t *testing.T) {
	app := awscdk.NewApp(nil)
	primary := stack(app, "Primary", "eu-west-1")
	replica := stack(app, "Replica", "us-east-1")
	admin := awsiam.NewRole(primary, jsii.String("Admin"), &awsiam.RoleProps{AssumedBy: awsiam.NewAccountRootPrincipal(), RoleName: jsii.String("key-admin")})
	user := awsiam.NewRole(primary, jsii.String("User"), &awsiam.RoleProps{AssumedBy: awsiam.NewAccountRootPrincipal(), RoleName: jsii.String("key-user")})
	gk.NewGuardedKey(primary, jsii.String("Data"), &gk.GuardedKeyProps{
		Admins: &[]awsiam.IPrincipal{admin}, Users: &[]awsiam.IPrincipal{user},
		ViaServices: jsii.Strings("s3"), Aliases: jsii.Strings("data/customers"),
	})
	global := gk.NewMultiRegionKey(primary, jsii.String("Global"), &gk.GuardedKeyProps{
		Admins: &[]awsiam.IPrincipal{admin}, Users: &[]awsiam.IPrincipal{user},
	})
	gk.NewGuardedReplicaKey(replica, jsii.String("GlobalReplica"), &gk.GuardedReplicaKeyProps{Primary: global, Aliases: jsii.Strings("global")})
	awscdk.Aspects_Of(app).Add(gk.NewKeyGuard(nil), nil)

	template := assertions.Template_FromStack(primary, nil)
	template.ResourceCountIs(jsii.String("AWS::KMS::Key"), jsii.Number(2))
	template.HasResourceProperties(jsii.String("AWS::KMS::Key"), map[string]interface{}{"MultiRegion": true, "EnableKeyRotation": true})
	template.HasResourceProperties(jsii.String("AWS::KMS::Alias"), map[string]interface{}{"AliasName": "alias/data/customers"})
	template.HasResource(jsii.String("AWS::KMS::Key"), map[string]interface{}{"DeletionPolicy": "Retain"})
	replicaTemplate := assertions.Template_FromStack(replica, nil)
	replicaTemplate.ResourceCountIs(jsii.String("AWS::KMS::ReplicaKey"), jsii.Number(1))
	replicaTemplate.HasResourceProperties(jsii.String("AWS::KMS::Alias"), map[string]interface{}{"AliasName": "alias/global"})
	assertions.Annotations_FromStack(primary).HasNoError(jsii.String("*"), assertions.Match_AnyValue())
}

func TestKeyGuardReportsAPlainKeyWithoutRotation(t *testing.T) {
	app := awscdk.NewApp(nil)
	s := stack(app, "Primary", "eu-west-1")
	awskms.NewKey(s, jsii.String("Plain"), &awskms.KeyProps{EnableKeyRotation: jsii.Bool(false)})
	awscdk.Aspects_Of(app).Add(gk.NewKeyGuard(nil), nil)
	assertions.Annotations_FromStack(s).HasError(jsii.String("/Primary/Plain/Resource"), assertions.Match_StringLikeRegexp(jsii.String(`\[GK1\]`)))
}

func TestABadPropFailsWithAMessageNamingIt(t *testing.T) {
	app := awscdk.NewApp(nil)
	s := awscdk.NewStack(app, jsii.String("Bad"), nil)
	message := func() (message string) {
		defer func() { message = fmt.Sprint(recover()) }()
		gk.NewGuardedKey(s, jsii.String("Key"), &gk.GuardedKeyProps{PendingWindow: awscdk.Duration_Days(jsii.Number(3))})
		return ""
	}()
	if !strings.Contains(message, "pendingWindow") {
		t.Fatalf("expected an error naming pendingWindow, got %q", message)
	}
}
