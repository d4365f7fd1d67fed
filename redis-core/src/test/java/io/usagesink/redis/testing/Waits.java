package io.usagesink.redis.testing;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Waits with generous deadlines (60 s: a loaded 2-core machine), for tests that wait for an outcome
 * rather than race a short timeout. A wait that passes its deadline fails the test.
 */
public final class Waits {

  /** How long any wait here may take before the test fails. */
  public static final long SECONDS = 60;

  private Waits() {}

  /**
   * Waits for {@code stage}; its failure is thrown as an {@link
   * java.util.concurrent.ExecutionException}.
   */
  public static void await(CompletionStage<?> stage) throws Exception {
    stage.toCompletableFuture().get(SECONDS, TimeUnit.SECONDS);
  }

  /** Polls {@code condition} every 2 ms until it holds. */
  public static void eventually(BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - end >= 0) {
        throw new AssertionError("condition not reached within " + SECONDS + " s");
      }
      Thread.sleep(2);
    }
  }
}
