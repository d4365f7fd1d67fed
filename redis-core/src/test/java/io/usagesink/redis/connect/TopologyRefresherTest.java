package io.usagesink.redis.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.Timeout;
import io.netty.util.Timer;
import io.netty.util.TimerTask;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TopologyRefresherTest {

  /** The refreshes started, each completed by the test. */
  private final List<CompletableFuture<Void>> refreshes = new ArrayList<>();

  /** Tasks the refresher delayed; run by the test. */
  private final List<TimerTask> delayed = new ArrayList<>();

  private final TopologyRefresher refresher =
      new TopologyRefresher(
          () -> {
            CompletableFuture<Void> r = new CompletableFuture<>();
            refreshes.add(r);
            return r;
          },
          new Timer() {
            @Override
            public Timeout newTimeout(TimerTask task, long delay, TimeUnit unit) {
              delayed.add(task);
              return null;
            }

            @Override
            public Set<Timeout> stop() {
              return Set.of();
            }
          });

  private void runDelayed() throws Exception {
    List<TimerTask> tasks = List.copyOf(delayed);
    delayed.clear();
    for (TimerTask t : tasks) {
      t.run(null);
    }
  }

  @Test
  void manyMovedRepliesWhileARefreshRunsShareOneMoreRefreshAfterIt() throws Exception {
    CompletionStage<Void> first = refresher.request(System.nanoTime());
    assertThat(refreshes).hasSize(1);
    List<CompletionStage<Void>> later = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      later.add(refresher.request(System.nanoTime()));
    }
    assertThat(refreshes).as("one refresh at a time").hasSize(1);
    refreshes.get(0).complete(null);
    assertThat(first.toCompletableFuture()).isDone();
    assertThat(later.get(0).toCompletableFuture())
        .as("a MOVED reply during a refresh waits for one that starts after it")
        .isNotDone();
    runDelayed(); // the second start waits for the least interval after the first
    assertThat(refreshes).as("one more refresh for all of them").hasSize(2);
    CompletionStage<Void> duringSecond = refresher.request(System.nanoTime());
    refreshes.get(1).complete(null);
    later.forEach(s -> assertThat(s.toCompletableFuture()).isDone());
    assertThat(duringSecond.toCompletableFuture()).isNotDone();
    runDelayed();
    refreshes.get(2).completeExceptionally(new IllegalStateException("node down"));
    assertThat(duringSecond.toCompletableFuture())
        .as("a failed refresh ends the wait too (what remains is sent again, and may meet MOVED)")
        .isCompletedWithValue(null);
    assertThat(refresher.refreshes()).isEqualTo(3);
  }

  @Test
  void aMovedReplyAfterTheRefreshEndedStartsANewOne() {
    refresher.request(System.nanoTime());
    refreshes.get(0).complete(null);
    CompletionStage<Void> again = refresher.request(System.nanoTime());
    assertThat(refreshes).hasSize(2);
    assertThat(again.toCompletableFuture()).isNotDone();
    refreshes.get(1).complete(null);
    assertThat(again.toCompletableFuture()).isDone();
    assertThat(delayed).isEmpty();
  }

  @Test
  void aRequestForAnOlderMovedReplyJoinsTheRefreshThatStartedAfterIt() {
    long moved = System.nanoTime();
    CompletionStage<Void> first = refresher.request(System.nanoTime());
    CompletionStage<Void> older = refresher.request(moved - 1);
    assertThat(older).isSameAs(first);
    assertThat(refreshes).hasSize(1);
  }
}
