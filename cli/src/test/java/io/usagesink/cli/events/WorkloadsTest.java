package io.usagesink.cli.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.UsageEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WorkloadsTest {

  private static List<UsageEvent> all(Workload w, int max) {
    List<UsageEvent> list = new ArrayList<>();
    Iterator<UsageEvent> it = w.iterator();
    while (it.hasNext() && list.size() < max) {
      list.add(it.next());
    }
    return list;
  }

  @Test
  void seedDayIsTheOriginatingScenarioAndRepeatable() {
    List<UsageEvent> events = all(Workloads.seedDay(3000), Integer.MAX_VALUE);
    assertThat(events).hasSize(3000).isEqualTo(all(Workloads.seedDay(3000), Integer.MAX_VALUE));
    Set<String> keys = new HashSet<>();
    Set<String> accounts = new HashSet<>();
    Set<String> models = new HashSet<>();
    Instant previous = Instant.MIN;
    for (UsageEvent e : events) {
      assertThat(e.keyId()).isNotNull();
      assertThat(e.accountId()).isNotNull();
      assertThat(e.at())
          .isAfterOrEqualTo(previous)
          .isBetween(
              Instant.parse("2025-08-15T00:00:00Z"), Instant.parse("2025-08-15T23:59:59.999Z"));
      previous = e.at();
      keys.add(e.keyId());
      accounts.add(e.accountId());
      models.add(e.model());
    }
    assertThat(keys).hasSize(10);
    assertThat(accounts).hasSize(2);
    assertThat(models).hasSize(4);
    assertThat(events.stream().filter(UsageEvent::longContext).count()).isBetween(10L, 60L);
    assertThat(events.stream().filter(e -> e.cacheReadTokens() > 0).count())
        .isBetween(1500L, 2100L);
    assertThat(events.stream().filter(e -> e.ephemeral1hTokens() > 0).count()).isPositive();
  }

  @Test
  void busyHas200KeysAnd5AccountsAndFixesItsSizeAfterTheFirstRun() {
    Workload w = Workloads.busy(Duration.ofSeconds(10), Long.MAX_VALUE);
    assertThat(w.sizeKnown()).isFalse();
    assertThat(w.eventClock()).isTrue();
    assertThat(w.timeBox()).isEqualTo(Duration.ofSeconds(10));
    List<UsageEvent> first = all(w, 20_000);
    assertThat(first.stream().map(UsageEvent::keyId).distinct().count()).isEqualTo(200);
    assertThat(first.stream().map(UsageEvent::accountId).distinct().count()).isEqualTo(5);
    w.fixSize(1234);
    assertThat(w.sizeKnown()).isTrue();
    assertThat(w.timeBox()).isNull();
    List<UsageEvent> again = all(w, Integer.MAX_VALUE);
    assertThat(again).hasSize(1234).isEqualTo(first.subList(0, 1234));
  }
}
