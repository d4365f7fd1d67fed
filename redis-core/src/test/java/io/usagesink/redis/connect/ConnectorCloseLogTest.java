package io.usagesink.redis.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.usagesink.SinkConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Closing a connector that is still connecting prints nothing from Netty or Lettuce: no {@code
 * RejectedExecutionException} ("event executor terminated") and no stack trace, whether Redis
 * refuses connections (stopped) or accepts them and never answers (hung), and whenever the close
 * comes: between attempts or during one. The log goes to standard error (slf4j-simple), which the
 * test captures; it then waits until the Lettuce threads the connector started have ended, so that
 * anything they would log is in the capture.
 */
class ConnectorCloseLogTest {

  private PrintStream originalErr;
  private ByteArrayOutputStream captured;
  private Set<Thread> lettuceThreadsBefore;

  @BeforeEach
  void captureStandardError() {
    lettuceThreadsBefore = lettuceThreads();
    originalErr = System.err;
    captured = new ByteArrayOutputStream();
    PrintStream both =
        new PrintStream(new TeeStream(captured, originalErr), true, StandardCharsets.UTF_8);
    System.setErr(both);
  }

  @AfterEach
  void restoreStandardError() {
    System.setErr(originalErr);
  }

  private static SinkConfig config(int port) {
    return SinkConfig.builder()
        .redisUri("redis://127.0.0.1:" + port)
        .commandTimeout(Duration.ofMillis(300))
        .build();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /**
   * Before the fix: every refused attempt left Lettuce's handshake timeout scheduled, and the
   * attempt's client, shut down, released the event loop group it shared with the connector (the
   * last reference: the group terminated); the timeout then fired on the terminated loop and Netty
   * logged "Failed to submit a listener notification task. Event loop shut down?" with a {@code
   * RejectedExecutionException}, once per attempt, connect timeout after it.
   */
  @Test
  void connectingToARedisThatRefusesLogsNoStackTraceWhileRetryingNorAtClose() throws Exception {
    int port = freePort(); // nobody listens: every attempt is refused at once
    RedisConnector connector = RedisConnector.start(config(port), ConnectionCheck.none());
    // several attempts, each connect timeout (300 ms) older than the close
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!connector.state().matches(".*, ([6-9]|\\d\\d+) attempts\\)")
        && System.nanoTime() < until) {
      Thread.sleep(20);
    }
    Thread.sleep(600);
    connector.close();
    for (int i = 0; i < 10; i++) { // and closed at any moment of its backoff or of an attempt
      RedisConnector c = RedisConnector.start(config(port), ConnectionCheck.none());
      Thread.sleep(ThreadLocalRandom.current().nextInt(0, 700));
      c.close();
    }
    assertQuietAfterTheLettuceThreadsEnded();
  }

  @Test
  void closingDuringAnAttemptOnARedisThatNeverAnswersLogsNoStackTrace() throws Exception {
    // the kernel completes the TCP handshake (backlog), the "server" never answers HELLO / PING
    try (ServerSocket hung = new ServerSocket()) {
      hung.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
      for (int i = 0; i < 3; i++) {
        RedisConnector connector =
            RedisConnector.start(config(hung.getLocalPort()), ConnectionCheck.none());
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        // start made one attempt; wait until the background thread is inside its next one
        while (!connector.state().contains(" 2 attempts") && System.nanoTime() < until) {
          Thread.sleep(5);
        }
        assertThat(connector.state()).contains(" 2 attempts");
        Thread.sleep(50L * i);
        connector.close();
        assertThat(connector.connection()).isCompletedExceptionally();
      }
    }
    assertQuietAfterTheLettuceThreadsEnded();
  }

  /** Lettuce's and Netty's threads (event loops, timer, event executors). */
  private static Set<Thread> lettuceThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("lettuce-"))
        .collect(Collectors.toSet());
  }

  private void assertQuietAfterTheLettuceThreadsEnded() throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    Set<Thread> left;
    while (!(left = started()).isEmpty() && System.nanoTime() < until) {
      Thread.sleep(20);
    }
    assertThat(left).as("Lettuce threads still running 30 s after close").isEmpty();
    System.err.flush();
    String log = captured.toString(StandardCharsets.UTF_8);
    List<String> bad =
        log.lines()
            .filter(
                l ->
                    l.startsWith("\tat ")
                        || l.contains("Exception:")
                        || l.contains("RejectedExecution")
                        || l.matches(".*\\b(WARN|ERROR) (io\\.netty|io\\.lettuce).*"))
            .limit(20)
            .toList();
    assertThat(bad).as("lines from Netty or Lettuce, or a stack trace, in:%n%s", log).isEmpty();
  }

  private Set<Thread> started() {
    Set<Thread> now = lettuceThreads();
    now.removeAll(lettuceThreadsBefore);
    now.removeIf(t -> !t.isAlive());
    return now;
  }

  /** Writes to both streams. */
  private static final class TeeStream extends java.io.OutputStream {
    private final java.io.OutputStream a;
    private final java.io.OutputStream b;

    TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public synchronized void write(int x) throws IOException {
      a.write(x);
      b.write(x);
    }

    @Override
    public synchronized void write(byte[] buf, int off, int len) throws IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }

    @Override
    public synchronized void flush() throws IOException {
      a.flush();
      b.flush();
    }
  }
}
