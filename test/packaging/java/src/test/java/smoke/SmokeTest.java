package smoke;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cdkguardedkeys.GuardedKey;
import io.github.cdkguardedkeys.GuardedReplicaKey;
import io.github.cdkguardedkeys.KeyGuard;
import io.github.cdkguardedkeys.MultiRegionKey;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.iam.AccountRootPrincipal;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.kms.Key;

/** The same app as the Python and Go smoke tests: a GuardedKey, a MultiRegionKey with a replica, KeyGuard. */
class SmokeTest {
  private static final String ACCOUNT = "111122223333";

  private static Stack stack(App app, String id, String region) {
    return new Stack(app, id, StackProps.builder()
        .env(Environment.builder().account(ACCOUNT).region(region).build())
        .crossRegionReferences(true)
        .build());
  }

  @Test
  void guardedKeyMultiRegionKeyAndReplicaSynthesize() {
    App app = new App();
    Stack primary = stack(app, "Primary", "eu-west-1");
    Stack replica = stack(app, "Replica", "us-east-1");
    Role admin = Role.Builder.create(primary, "Admin").assumedBy(new AccountRootPrincipal()).roleName("key-admin").build();
    Role user = Role.Builder.create(primary, "User").assumedBy(new AccountRootPrincipal()).roleName("key-user").build();
    GuardedKey.Builder.create(primary, "Data")
        .admins(List.of(admin)).users(List.of(user)).viaServices(List.of("s3")).aliases(List.of("data/customers")).build();
    MultiRegionKey global = MultiRegionKey.Builder.create(primary, "Global").admins(List.of(admin)).users(List.of(user)).build();
    GuardedReplicaKey.Builder.create(replica, "GlobalReplica").primary(global).aliases(List.of("global")).build();
    Aspects.of(app).add(new KeyGuard());

    Template template = Template.fromStack(primary);
    template.resourceCountIs("AWS::KMS::Key", 2);
    template.hasResourceProperties("AWS::KMS::Key", Map.of("MultiRegion", true, "EnableKeyRotation", true));
    template.hasResourceProperties("AWS::KMS::Alias", Map.of("AliasName", "alias/data/customers"));
    template.hasResource("AWS::KMS::Key", Map.of("DeletionPolicy", "Retain"));
    Template replicaTemplate = Template.fromStack(replica);
    replicaTemplate.resourceCountIs("AWS::KMS::ReplicaKey", 1);
    replicaTemplate.hasResourceProperties("AWS::KMS::Alias", Map.of("AliasName", "alias/global"));
    Annotations.fromStack(primary).hasNoError("*", Match.anyValue());
  }

  @Test
  void keyGuardReportsAPlainKeyWithoutRotation() {
    App app = new App();
    Stack stack = stack(app, "Primary", "eu-west-1");
    Key.Builder.create(stack, "Plain").enableKeyRotation(false).build();
    Aspects.of(app).add(new KeyGuard());
    Annotations.fromStack(stack).hasError("/Primary/Plain/Resource", Match.stringLikeRegexp("\\[GK1\\]"));
  }

  @Test
  void aBadPropFailsWithAMessageNamingIt() {
    App app = new App();
    Stack stack = new Stack(app, "Bad");
    RuntimeException error = assertThrows(RuntimeException.class,
        () -> GuardedKey.Builder.create(stack, "Key").pendingWindow(Duration.days(3)).build());
    assertTrue(error.getMessage().contains("pendingWindow"), error.getMessage());
  }
}
