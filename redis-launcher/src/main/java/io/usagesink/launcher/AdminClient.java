package io.usagesink.launcher;

import java.io.IOException;
import java.time.Duration;
import javax.net.ssl.SSLSocketFactory;

/**
 * The fixture's own connection to one server, used for every admin call. Thread-safe (calls are
 * serialised). Connects lazily, authenticates when credentials are set, and after an I/O failure (the
 * server was killed, restarted, or dropped the connection) reconnects and tries the call once more.
 * Error messages name the server and the command, never arguments, so a password cannot leak.
 */
final class AdminClient implements AutoCloseable {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  /** Long enough to outlast a {@code CLIENT PAUSE} a test sets, which blocks admin calls too. */
  static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

  private final String host;
  private final int port;
  private final String user;
  private final String password;
  private final SSLSocketFactory tls;
  private RespConnection connection; // guarded by this

  AdminClient(String host, int port, String user, String password, SSLSocketFactory tls) {
    this.host = host;
    this.port = port;
    this.user = user;
    this.password = password;
    this.tls = tls;
  }

  String address() {
    return host + ":" + port;
  }

  /** Runs one command; reconnects once after an I/O failure. */
  synchronized Object call(String... args) {
    IOException last = null;
    for (int attempt = 0; attempt < 2; attempt++) {
      try {
        return connection().call(args);
      } catch (IOException e) {
        last = e;
        disconnect();
      } catch (RedisFixtureException e) {
        throw new RedisFixtureException(describe(args) + " on " + address() + " failed: " + e.getMessage(), e);
      }
    }
    throw new RedisFixtureException(describe(args) + " on " + address() + " failed: the server is not reachable ("
        + last + "); was it killed, stopped or paused for longer than " + READ_TIMEOUT.toSeconds() + " s?", last);
  }

  /** One attempt, no retry; I/O failures are returned to the caller (used while waiting for a start). */
  synchronized Object callOnce(String... args) throws IOException {
    try {
      return connection().call(args);
    } catch (IOException e) {
      disconnect();
      throw e;
    }
  }

  synchronized void disconnect() {
    if (connection != null) {
      try {
        connection.close();
      } catch (IOException ignored) {
        // closing a broken socket: nothing to do
      }
      connection = null;
    }
  }

  @Override
  public void close() {
    disconnect();
  }

  private RespConnection connection() throws IOException {
    if (connection == null) {
      RespConnection c = RespConnection.open(host, port, tls, CONNECT_TIMEOUT, READ_TIMEOUT);
      try {
        if (password != null) {
          if (user != null) {
            c.call("AUTH", user, password);
          } else {
            c.call("AUTH", password);
          }
        }
      } catch (IOException | RuntimeException e) {
        c.close();
        if (e instanceof RedisFixtureException) {
          throw new RedisFixtureException("AUTH on " + address() + " was refused: " + e.getMessage());
        }
        throw e;
      }
      connection = c;
    }
    return connection;
  }

  private static String describe(String... args) {
    if (args.length == 0) {
      return "(empty command)";
    }
    String first = args[0].toUpperCase(java.util.Locale.ROOT);
    boolean container = first.equals("CLIENT") || first.equals("CONFIG") || first.equals("SCRIPT")
        || first.equals("CLUSTER") || first.equals("ACL") || first.equals("DEBUG");
    return container && args.length > 1 ? first + " " + args[1].toUpperCase(java.util.Locale.ROOT) : first;
  }
}
