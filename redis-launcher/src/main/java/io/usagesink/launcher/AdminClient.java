package io.usagesink.launcher;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.CommandOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The fixture's own connection to one server, used for every admin call, over Lettuce (RESP2, one
 * connection, no auto-reconnect). Thread-safe (calls are serialised). Connects lazily,
 * authenticates when credentials are set, and after a connection failure (the server was killed,
 * restarted, or dropped the connection) reconnects and tries the call once more. Error messages
 * name the server and the command, never arguments, so a password cannot leak.
 *
 * <p>Replies: simple and bulk strings as {@link String} (UTF-8), integers as {@link Long}, arrays
 * as {@link List}, nil as {@code null}; an error reply throws {@link RedisFixtureException} with
 * the server's message (an error inside an array becomes that element).
 */
final class AdminClient implements AutoCloseable {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

  /** Long enough to outlast a {@code CLIENT PAUSE} a test sets, which blocks admin calls too. */
  static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

  private final String host;
  private final int port;
  private final RedisURI uri;
  private final ClientOptions options;
  private ClientResources resources; // guarded by this
  private RedisClient client; // guarded by this
  private StatefulRedisConnection<String, String> connection; // guarded by this

  /**
   * A client of {@code host:port}; {@code password} null for none ({@code user} null: the default
   * user). With {@code tls}, the server's certificate must be trusted by {@code caCertificate} (a
   * PEM file) or, when that is null, by the JDK's default trust store; the host name is verified.
   */
  AdminClient(
      String host, int port, String user, String password, boolean tls, Path caCertificate) {
    this.host = host;
    this.port = port;
    RedisURI.Builder b = RedisURI.builder().withHost(host).withPort(port).withTimeout(READ_TIMEOUT);
    if (password != null) {
      if (user != null) {
        b.withAuthentication(user, password.toCharArray());
      } else {
        b.withPassword(password.toCharArray());
      }
    }
    if (tls) {
      b.withSsl(true).withVerifyPeer(SslVerifyMode.FULL);
    }
    this.uri = b.build();
    SslOptions ssl =
        caCertificate == null
            ? SslOptions.create()
            : SslOptions.builder().jdkSslProvider().trustManager(caCertificate.toFile()).build();
    this.options =
        ClientOptions.builder()
            .protocolVersion(ProtocolVersion.RESP2)
            .autoReconnect(false)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).build())
            .timeoutOptions(TimeoutOptions.enabled(READ_TIMEOUT))
            .sslOptions(ssl)
            .build();
  }

  String address() {
    return host + ":" + port;
  }

  /** Runs one command; reconnects once after a connection failure. */
  synchronized Object call(String... args) {
    IOException last = null;
    for (int attempt = 0; attempt < 2; attempt++) {
      try {
        return callOnce(args);
      } catch (IOException e) {
        last = e;
      } catch (RedisFixtureException e) {
        throw new RedisFixtureException(
            describe(args) + " on " + address() + " failed: " + e.getMessage(), e);
      }
    }
    throw new RedisFixtureException(
        describe(args)
            + " on "
            + address()
            + " failed: the server is not reachable ("
            + last.getMessage()
            + "); was it killed, stopped or paused for longer than "
            + READ_TIMEOUT.toSeconds()
            + " s?",
        last);
  }

  /**
   * One attempt, no retry: connection failures (cannot connect, connection lost, no reply in time)
   * are returned as {@link IOException} after disconnecting (used while waiting for a start); an
   * error reply throws {@link RedisFixtureException}.
   */
  synchronized Object callOnce(String... args) throws IOException {
    if (args.length == 0) {
      throw new IllegalArgumentException("a command needs at least its name");
    }
    try {
      CommandArgs<String, String> arguments = new CommandArgs<>(StringCodec.UTF8);
      for (int i = 1; i < args.length; i++) {
        arguments.add(args[i]);
      }
      return connection().sync().dispatch(keyword(args[0]), new ReplyOutput(), arguments);
    } catch (RedisCommandExecutionException e) {
      throw new RedisFixtureException("Redis replied with an error: " + e.getMessage());
    } catch (RedisFixtureException e) {
      throw e;
    } catch (RuntimeException e) {
      disconnect();
      throw new IOException(e.getMessage() == null ? e.toString() : e.getMessage(), e);
    }
  }

  synchronized void disconnect() {
    if (connection != null) {
      if (connection.isOpen()) {
        connection.closeAsync(); // a connection the server dropped is closed already
      }
      connection = null;
    }
  }

  @Override
  public synchronized void close() {
    disconnect();
    if (client != null) {
      client.shutdown(0, 2, TimeUnit.SECONDS);
      client = null;
    }
    if (resources != null) {
      resources.shutdown(0, 2, TimeUnit.SECONDS);
      resources = null;
    }
  }

  private StatefulRedisConnection<String, String> connection() {
    if (connection == null || !connection.isOpen()) {
      if (client == null) {
        resources =
            DefaultClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                .build();
        client = RedisClient.create(resources, uri);
        client.setOptions(options);
      }
      try {
        connection = client.connect(StringCodec.UTF8);
      } catch (RuntimeException e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
          if (c instanceof RedisCommandExecutionException) {
            throw new RedisFixtureException(
                "AUTH on " + address() + " was refused: " + c.getMessage());
          }
        }
        throw e;
      }
    }
    return connection;
  }

  private static ProtocolKeyword keyword(String name) {
    byte[] bytes = name.toUpperCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8);
    return new ProtocolKeyword() {
      @Override
      public byte[] getBytes() {
        return bytes;
      }

      @Override
      public String toString() {
        return name.toUpperCase(Locale.ROOT);
      }
    };
  }

  private static String describe(String... args) {
    if (args.length == 0) {
      return "(empty command)";
    }
    String first = args[0].toUpperCase(Locale.ROOT);
    boolean container =
        first.equals("CLIENT")
            || first.equals("CONFIG")
            || first.equals("SCRIPT")
            || first.equals("CLUSTER")
            || first.equals("ACL")
            || first.equals("DEBUG");
    return container && args.length > 1 ? first + " " + args[1].toUpperCase(Locale.ROOT) : first;
  }

  /** Any RESP2 reply as plain Java values (see the class comment). */
  private static final class ReplyOutput extends CommandOutput<String, String, Object> {
    private final Deque<List<Object>> open = new ArrayDeque<>();

    ReplyOutput() {
      super(StringCodec.UTF8, null);
    }

    private void add(Object value) {
      if (open.isEmpty()) {
        output = value;
      } else {
        open.peek().add(value);
      }
    }

    @Override
    public void set(ByteBuffer bytes) {
      add(bytes == null ? null : decodeString(bytes));
    }

    @Override
    public void setSingle(ByteBuffer bytes) {
      set(bytes);
    }

    @Override
    public void set(long integer) {
      add(integer);
    }

    @Override
    public void setError(ByteBuffer error) {
      if (open.isEmpty()) {
        super.setError(error);
      } else {
        add(new RedisFixtureException("Redis replied with an error: " + decodeString(error)));
      }
    }

    @Override
    public void multi(int count) {
      List<Object> list = new ArrayList<>(Math.max(count, 0));
      add(list);
      open.push(list);
    }

    @Override
    public void complete(int depth) {
      while (open.size() > depth) {
        open.pop();
      }
    }
  }
}
