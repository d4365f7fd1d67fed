package io.usagesink.redis.internal.failure;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.usagesink.plan.UsagePlan;
import io.usagesink.redis.IncompleteWriteException;
import io.usagesink.redis.RedisNotConnectedException;
import io.usagesink.redis.WriteResult;
import io.usagesink.redis.internal.failure.FailurePolicy.Kind;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FailurePolicyTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "LOADING Redis is loading the dataset in memory | TRANSIENT",
        "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE. |"
            + " TRANSIENT",
        "TRYAGAIN Multiple keys request during rehashing of slot | TRANSIENT",
        "CLUSTERDOWN The cluster is down | TRANSIENT",
        "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'. |"
            + " TRANSIENT",
        "READONLY You can't write against a read only replica. | TRANSIENT",
        "NOREPLICAS Not enough good replicas to write. | TRANSIENT",
        "OOM command not allowed when used memory > 'maxmemory'. | TRANSIENT",
        "NOSCRIPT No matching script. Please use EVAL. | TRANSIENT",
        "MOVED 3999 127.0.0.1:6381 | TRANSIENT",
        "ASK 3999 127.0.0.1:6381 | TRANSIENT",
        "NOAUTH Authentication required. | FATAL",
        "WRONGPASS invalid username-password pair or user is disabled. | FATAL",
        "NOPERM this user has no permissions to run the 'evalsha' command | FATAL",
        "ERR unknown command 'EVALSHA', with args beginning with: | FATAL",
        "ERR The user executing the script can't run this command or subcommand script: 1 | FATAL",
        "WRONGTYPE Operation against a key holding the wrong kind of value | PERMANENT",
        "ERR increment or decrement would overflow | PERMANENT",
        "ERR hash value is not an integer | PERMANENT",
        "ERR value is not an integer or out of range | PERMANENT",
        "OOMPH a word that only starts like OOM | PERMANENT",
      })
  void everyErrorReplyHasItsKind(String reply, Kind kind) {
    assertThat(FailurePolicy.classifyReply(reply)).isEqualTo(kind);
    assertThat(FailurePolicy.classify(new RedisCommandExecutionException(reply))).isEqualTo(kind);
  }

  @Test
  void connectionLossTimeoutsAndNotConnectedAreTransientEvenWhenWrapped() {
    assertThat(FailurePolicy.classify(new RedisConnectionException("Connection refused")))
        .isEqualTo(Kind.TRANSIENT);
    assertThat(
            FailurePolicy.classify(
                new CompletionException(new RedisCommandTimeoutException("no reply"))))
        .isEqualTo(Kind.TRANSIENT);
    assertThat(
            FailurePolicy.classify(
                new ExecutionException(new java.util.concurrent.TimeoutException())))
        .isEqualTo(Kind.TRANSIENT);
    assertThat(FailurePolicy.classify(new RedisNotConnectedException("not yet")))
        .isEqualTo(Kind.TRANSIENT);
    assertThat(
            FailurePolicy.classify(
                new IncompleteWriteException(
                    UsagePlan.empty(),
                    List.of(),
                    WriteResult.NOTHING,
                    new RedisConnectionException("lost"))))
        .isEqualTo(Kind.TRANSIENT);
  }

  @Test
  void invalidDataAndBugsArePermanent() {
    assertThat(FailurePolicy.classify(new IllegalArgumentException("bad")))
        .isEqualTo(Kind.PERMANENT);
    assertThat(FailurePolicy.classify(new ArithmeticException("overflow")))
        .isEqualTo(Kind.PERMANENT);
  }

  @Test
  void backoffGrowsFromFiftyMillisecondsAndStaysUnderItsCap() {
    long cap = TimeUnit.SECONDS.toNanos(2);
    for (int attempt = 1; attempt < 40; attempt++) {
      long b = FailurePolicy.backoffNanos(attempt, cap);
      long full = Math.min(cap, TimeUnit.MILLISECONDS.toNanos(50) << Math.min(attempt - 1, 20));
      assertThat(b).isBetween(full / 2, full);
    }
  }

  @Test
  void describeNamesTheCauseOfAnIncompleteWrite() {
    assertThat(
            FailurePolicy.describe(
                new CompletionException(
                    new IncompleteWriteException(
                        UsagePlan.empty(),
                        List.of(),
                        WriteResult.NOTHING,
                        new RedisCommandExecutionException("OOM command not allowed")))))
        .isEqualTo("RedisCommandExecutionException: OOM command not allowed");
  }
}
