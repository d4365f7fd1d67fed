package io.usagesink.redis.write;

import io.lettuce.core.RedisCommandTimeoutException;
import io.netty.util.Timeout;
import io.usagesink.redis.connect.RedisConnection;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** One timer per write instead of one per command. */
final class Timeouts {
  private Timeouts() {}

  /**
   * Fails {@code command} (a Lettuce async command, which is its own future) with a {@link
   * RedisCommandTimeoutException} when it has not completed within {@code timeout}. A command
   * failed this way before it was written to the socket is never written (Lettuce skips done
   * commands).
   */
  static <T> CompletableFuture<T> bound(
      RedisConnection connection, CompletableFuture<T> command, String what) {
    if (command.isDone()) {
      return command;
    }
    Duration timeout = connection.commandTimeout();
    Timeout t =
        connection
            .timer()
            .newTimeout(
                x -> command.completeExceptionally(timedOut(what, timeout)),
                timeout.toNanos(),
                TimeUnit.NANOSECONDS);
    command.whenComplete((r, e) -> t.cancel());
    return command;
  }

  static RedisCommandTimeoutException timedOut(String what, Duration timeout) {
    return new RedisCommandTimeoutException(
        what + " got no reply within " + timeout.toMillis() + " ms");
  }
}
