package io.usagesink.launcher;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The admin operations every kind of server shares; process control is refused unless a subclass
 * has it.
 */
abstract sealed class BaseRedisServer implements RedisServer
    permits LocalRedisServer, ExternalRedisServer, ContainerRedisServer {

  final AdminClient admin;
  private volatile boolean closed;

  BaseRedisServer(AdminClient admin) {
    this.admin = admin;
  }

  @Override
  public String uri() {
    return "redis://" + hostForUri(host()) + ":" + port();
  }

  @Override
  public String authenticatedUri() {
    return withCredentials(uri(), username().orElse(null), password().orElse(null));
  }

  @Override
  public boolean tlsEnabled() {
    return false;
  }

  @Override
  public String tlsUri() {
    throw new UnsupportedOperationException(
        "TLS is not enabled on "
            + this
            + "; start the server with RedisFixture.builder().tls(true)");
  }

  @Override
  public Optional<Path> caCertificate() {
    return Optional.empty();
  }

  @Override
  public boolean isRunning() {
    try {
      return "PONG".equals(admin.callOnce("PING"));
    } catch (java.io.IOException | RuntimeException e) {
      return false;
    }
  }

  @Override
  public void flushAll() {
    call("FLUSHALL");
  }

  @Override
  public long dbSize() {
    return (Long) call("DBSIZE");
  }

  @Override
  public String info(String section) {
    return (String) call("INFO", section);
  }

  @Override
  public CommandStats commandStats() {
    return CommandStats.parse(info("commandstats"));
  }

  @Override
  public void resetStats() {
    call("CONFIG", "RESETSTAT");
  }

  @Override
  public long killClients() {
    return (Long) call("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
  }

  @Override
  public void scriptFlush() {
    call("SCRIPT", "FLUSH");
  }

  @Override
  public void pause(Duration duration) {
    call("CLIENT", "PAUSE", Long.toString(positiveMillis(duration)), "ALL");
  }

  @Override
  public void pauseWrites(Duration duration) {
    call("CLIENT", "PAUSE", Long.toString(positiveMillis(duration)), "WRITE");
  }

  @Override
  public Object command(String... args) {
    if (args.length == 0) {
      throw new IllegalArgumentException("command needs at least the command name");
    }
    return call(args);
  }

  @Override
  public boolean supportsProcessControl() {
    return false;
  }

  @Override
  public void kill() {
    throw noProcessControl("kill");
  }

  @Override
  public void restart() {
    throw noProcessControl("restart");
  }

  @Override
  public void stop() {
    throw noProcessControl("stop");
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      admin.close();
      release();
    }
  }

  /** Frees what the subclass owns (process, container); called once by {@link #close()}. */
  abstract void release();

  Object call(String... args) {
    if (closed) {
      throw new IllegalStateException(this + " is closed");
    }
    return admin.call(args);
  }

  boolean isClosed() {
    return closed;
  }

  UnsupportedOperationException noProcessControl(String what) {
    return new UnsupportedOperationException(
        what
            + "() needs a redis-server process started by the fixture, but "
            + this
            + " is "
            + source()
            + "; check supportsProcessControl() or start it with"
            + " RedisFixture.builder().processControl(true) (needs redis-server on PATH)");
  }

  static long positiveMillis(Duration duration) {
    long ms = duration.toMillis();
    if (ms <= 0) {
      throw new IllegalArgumentException("pause duration must be at least 1 ms, was " + duration);
    }
    return ms;
  }

  static String hostForUri(String host) {
    return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
  }

  /**
   * Puts percent-encoded {@code user:password@} after the scheme of a URI that has no user info.
   */
  static String withCredentials(String uri, String user, String password) {
    if (password == null) {
      return uri;
    }
    int scheme = uri.indexOf("://") + 3;
    String userInfo = (user != null ? encode(user) : "") + ":" + encode(password);
    return uri.substring(0, scheme) + userInfo + "@" + uri.substring(scheme);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
