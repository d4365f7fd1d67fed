package io.usagesink.launcher;

import io.usagesink.RedisUriMask;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * The server named by {@code USAGESINK_TEST_REDIS_URL}: {@code
 * redis://[[user]:password@]host[:port][/db]} or {@code rediss://...} (TLS, trusted through the
 * JVM's default trust store). The fixture does not own it: {@link #close()} only closes the admin
 * connection, and kill/restart are unsupported. Admin calls (FLUSHALL included) act on that server,
 * so point USAGESINK_TEST_REDIS_URL at a server meant for tests. Test JVMs running at once on one
 * machine (a parallel build) take turns at it ({@link ExternalServerTurns}): {@link #connect} waits
 * while another JVM uses it.
 */
final class ExternalRedisServer extends BaseRedisServer {
  private final String url;
  private final String host;
  private final int port;
  private final boolean tls;
  private final String user;
  private final String password;

  /** This server's turn, taken by {@link #connect} and given back on close; null before. */
  private volatile String turn;

  private ExternalRedisServer(
      String url, String host, int port, boolean tls, String user, String password) {
    super(new AdminClient(host, port, user, password, tls, null));
    this.url = url;
    this.host = host;
    this.port = port;
    this.tls = tls;
    this.user = user;
    this.password = password;
  }

  static ExternalRedisServer connect(String url) {
    ExternalRedisServer server = parse(url);
    server.turn = ExternalServerTurns.take(server.host, server.port, server.toString());
    try {
      Object pong = server.admin.call("PING");
      if (!"PONG".equals(pong)) {
        throw new RedisFixtureException("PING answered " + pong);
      }
    } catch (RuntimeException e) {
      server.close();
      throw new RedisFixtureException(
          "USAGESINK_TEST_REDIS_URL="
              + masked(url)
              + " is set but that server does not answer: "
              + e.getMessage()
              + ". Start it, fix USAGESINK_TEST_REDIS_URL, or unset it to let the fixture start its"
              + " own Redis.",
          e);
    }
    return server;
  }

  static ExternalRedisServer parse(String url) {
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "USAGESINK_TEST_REDIS_URL="
              + masked(url)
              + " is not a valid URI; expected"
              + " redis://[[user]:password@]host[:port][/db] or rediss://...");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("redis") && !scheme.equals("rediss")) {
      throw new IllegalArgumentException(
          "USAGESINK_TEST_REDIS_URL="
              + masked(url)
              + " must start with redis:// or rediss:// (the fixture talks to one standalone"
              + " server; cluster and sentinel URIs are not supported here)");
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException(
          "USAGESINK_TEST_REDIS_URL=" + masked(url) + " has no host");
    }
    String user = null;
    String password = null;
    String userInfo = uri.getRawUserInfo();
    if (userInfo != null && !userInfo.isEmpty()) {
      int colon = userInfo.indexOf(':');
      if (colon < 0) {
        password = decode(userInfo);
      } else {
        user = colon == 0 ? null : decode(userInfo.substring(0, colon));
        password = decode(userInfo.substring(colon + 1));
      }
    }
    int port = uri.getPort() > 0 ? uri.getPort() : 6379;
    return new ExternalRedisServer(
        url, uri.getHost(), port, scheme.equals("rediss"), user, password);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /** The URI with any password replaced by {@code ***}. */
  static String masked(String uri) {
    return RedisUriMask.mask(uri);
  }

  @Override
  public Source source() {
    return Source.EXTERNAL;
  }

  @Override
  public String host() {
    return host;
  }

  @Override
  public int port() {
    return port;
  }

  @Override
  public String uri() {
    int scheme = url.indexOf("://") + 3;
    int at = url.lastIndexOf('@');
    return at < scheme ? url : url.substring(0, scheme) + url.substring(at + 1);
  }

  @Override
  public String authenticatedUri() {
    return url;
  }

  @Override
  public Optional<String> username() {
    return Optional.ofNullable(user);
  }

  @Override
  public Optional<String> password() {
    return Optional.ofNullable(password);
  }

  @Override
  public boolean tlsEnabled() {
    return tls;
  }

  @Override
  public String tlsUri() {
    return tls ? uri() : super.tlsUri();
  }

  @Override
  void release() {
    // not ours: leave the server running, and let the next test JVM have it
    if (turn != null) {
      ExternalServerTurns.giveBack(turn);
    }
  }

  @Override
  public String toString() {
    return "external Redis[" + masked(url) + "]";
  }
}
