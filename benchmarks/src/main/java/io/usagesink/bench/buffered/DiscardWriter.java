package io.usagesink.bench.buffered;

import io.usagesink.plan.UsagePlan;
import io.usagesink.redis.WriteResult;
import io.usagesink.redis.write.PlanWriter;
import java.util.concurrent.CompletableFuture;

/** A writer that stores nothing: isolates the sink's own cost from Redis. Thread-safe. */
final class DiscardWriter implements PlanWriter {
  private static final CompletableFuture<WriteResult> DONE =
      CompletableFuture.completedFuture(new WriteResult(1, 1, 0, 1, 0, true));

  @Override
  public CompletableFuture<WriteResult> write(UsagePlan plan, String guardId) {
    return DONE;
  }

  @Override
  public String name() {
    return "discard";
  }
}
