package io.usagesink.layout;

import static io.usagesink.layout.PlanText.counterKeys;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.usagesink.layout.CrsKeys.Bucket;
import io.usagesink.plan.UsagePlan;
import org.junit.jupiter.api.Test;

class CrsKeysTest {

  static final String M = CrsLayoutTest.M;
  static final String DAY = "2025-08-15";
  static final String MONTH = "2025-08";
  static final String HOUR = "2025-08-15:11"; // CrsLayoutTest.AT at +8

  final UsagePlan plan =
      CrsLayoutTest.crs(StatsPolicy.ALL)
          .plan(CrsLayoutTest.event().keyId("k1").accountId("a1").build());

  @Test
  void namesExactlyTheKeysTheLayoutWrites() {
    assertThat(counterKeys(plan))
        .containsExactlyInAnyOrder(
            CrsKeys.key("k1", Bucket.ALL_TIME, null),
            CrsKeys.key("k1", Bucket.DAY, DAY),
            CrsKeys.key("k1", Bucket.MONTH, MONTH),
            CrsKeys.key("k1", Bucket.HOUR, HOUR),
            CrsKeys.model(M, Bucket.DAY, DAY),
            CrsKeys.model(M, Bucket.MONTH, MONTH),
            CrsKeys.model(M, Bucket.HOUR, HOUR),
            CrsKeys.keyModel("k1", M, Bucket.DAY, DAY),
            CrsKeys.keyModel("k1", M, Bucket.MONTH, MONTH),
            CrsKeys.keyModel("k1", M, Bucket.HOUR, HOUR),
            CrsKeys.minute(29253790),
            CrsKeys.account("a1", Bucket.ALL_TIME, null),
            CrsKeys.account("a1", Bucket.DAY, DAY),
            CrsKeys.account("a1", Bucket.MONTH, MONTH),
            CrsKeys.account("a1", Bucket.HOUR, HOUR),
            CrsKeys.accountModel("a1", M, Bucket.DAY, DAY),
            CrsKeys.accountModel("a1", M, Bucket.MONTH, MONTH),
            CrsKeys.accountModel("a1", M, Bucket.HOUR, HOUR));
  }

  @Test
  void rendersTheReferenceNames() {
    assertThat(CrsKeys.key("k1", Bucket.DAY, DAY)).isEqualTo("usage:daily:k1:2025-08-15");
    assertThat(CrsKeys.accountModel("a1", M, Bucket.HOUR, HOUR))
        .isEqualTo("account_usage:model:hourly:a1:" + M + ":2025-08-15:11");
  }

  @Test
  void perModelTotalsDoNotExist() {
    assertThatIllegalArgumentException().isThrownBy(() -> CrsKeys.model(M, Bucket.ALL_TIME, null));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> CrsKeys.keyModel("k1", M, Bucket.ALL_TIME, null));
  }
}
