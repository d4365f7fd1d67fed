package io.usagesink.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A {@code redis-server} child process on 127.0.0.1, free port(s), its own temp dir, a generated
 * {@code redis.conf} (so passwords never show on a command line). Supports kill/restart/stop.
 */
final class LocalRedisServer extends BaseRedisServer {
  static final String HOST = "127.0.0.1";
  private static final int PORT_ATTEMPTS = 5;

  private final ServerSpec spec;
  private final RedisProcess process;
  private final int tlsPort;
  private final int clusterBusPort;
  private final SelfSignedCertificate certificate;

  private LocalRedisServer(
      ServerSpec spec,
      RedisProcess process,
      AdminClient admin,
      int tlsPort,
      int clusterBusPort,
      SelfSignedCertificate certificate) {
    super(admin);
    this.spec = spec;
    this.process = process;
    this.tlsPort = tlsPort;
    this.clusterBusPort = clusterBusPort;
    this.certificate = certificate;
  }

  /**
   * Starts one server; with {@code clusterNode} it is started with {@code cluster-enabled yes} (not
   * yet part of any cluster). Retries with fresh ports when a port is taken between picking and
   * binding.
   */
  static LocalRedisServer start(
      Path executable, Path openssl, ServerSpec spec, boolean clusterNode) {
    RedisProcess.PortTakenException lastTaken = null;
    for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
      Path dir;
      try {
        dir = Files.createTempDirectory("usagesink-redis-");
      } catch (IOException e) {
        throw new RedisFixtureException(
            "cannot create a temp dir for redis-server: " + e.getMessage(), e);
      }
      RedisProcess process = null;
      try {
        SelfSignedCertificate certificate =
            spec.tls() ? SelfSignedCertificate.create(openssl, dir) : null;
        int[] ports = FreePorts.pick(1 + (spec.tls() ? 1 : 0) + (clusterNode ? 1 : 0));
        int port = ports[0];
        int tlsPort = spec.tls() ? ports[1] : 0;
        int busPort = clusterNode ? ports[ports.length - 1] : 0;
        Path config = dir.resolve("redis.conf");
        Files.write(
            config,
            configLines(spec, port, tlsPort, busPort, dir, certificate),
            StandardCharsets.UTF_8);
        process = new RedisProcess(executable, dir, config, port);
        AdminClient admin =
            new AdminClient(
                HOST,
                port,
                spec.requirePass() != null ? "default" : null,
                spec.requirePass(),
                false,
                null);
        process.start(admin);
        LocalRedisServer server =
            new LocalRedisServer(spec, process, admin, tlsPort, busPort, certificate);
        if (spec.tls()) {
          server.checkTlsHandshake();
        }
        return server;
      } catch (RedisProcess.PortTakenException e) {
        lastTaken = e;
        destroy(process, dir);
      } catch (IOException e) {
        destroy(process, dir);
        throw new RedisFixtureException(
            "cannot write redis.conf for redis-server: " + e.getMessage(), e);
      } catch (RuntimeException e) {
        destroy(process, dir);
        throw e;
      }
    }
    throw new RedisFixtureException(
        "redis-server could not bind a free port in "
            + PORT_ATTEMPTS
            + " attempts (other processes took them first); last: "
            + lastTaken.getMessage(),
        lastTaken);
  }

  private static void destroy(RedisProcess process, Path dir) {
    if (process != null) {
      process.destroy();
    } else {
      RedisProcess.deleteRecursively(dir);
    }
  }

  static List<String> configLines(
      ServerSpec spec,
      int port,
      int tlsPort,
      int busPort,
      Path dir,
      SelfSignedCertificate certificate) {
    List<String> lines = new ArrayList<>();
    lines.add("# written by the usagesink test fixture");
    lines.add("port " + port);
    lines.add("bind " + HOST);
    lines.add("daemonize no");
    lines.add("dir " + quote(dir.toString()));
    lines.add("logfile \"\"");
    lines.add("save \"\"");
    lines.add("appendonly " + (spec.persistence().appendOnly() ? "yes" : "no"));
    lines.add(
        "appendfsync " + (spec.persistence() == Persistence.AOF_ALWAYS ? "always" : "everysec"));
    lines.add("enable-debug-command local");
    if (spec.requirePass() != null) {
      lines.add("requirepass " + quote(spec.requirePass()));
    }
    if (spec.aclUser() != null) {
      lines.add(
          "user " + spec.aclUser() + " on " + quote(">" + spec.aclPassword()) + " ~* &* +@all");
    }
    if (certificate != null) {
      lines.add("tls-port " + tlsPort);
      lines.add("tls-cert-file " + quote(certificate.certificate().toString()));
      lines.add("tls-key-file " + quote(certificate.key().toString()));
      lines.add("tls-ca-cert-file " + quote(certificate.certificate().toString()));
      lines.add("tls-auth-clients no");
    }
    if (busPort > 0) {
      lines.add("cluster-enabled yes");
      lines.add("cluster-config-file nodes.conf");
      lines.add("cluster-port " + busPort);
      lines.add("cluster-node-timeout 5000");
    }
    return lines;
  }

  private static String quote(String value) {
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /**
   * Proves the TLS port completes a handshake and answers PING; a redis-server built without TLS
   * fails here.
   */
  private void checkTlsHandshake() {
    try (AdminClient tlsAdmin =
        new AdminClient(
            HOST,
            tlsPort,
            spec.requirePass() != null ? "default" : null,
            spec.requirePass(),
            true,
            certificate.certificate())) {
      Object reply;
      try {
        reply = tlsAdmin.callOnce("PING");
      } catch (IOException e) {
        throw new RedisUnavailableException(
            "redis-server ("
                + process.dir()
                + ") started with --tls-port "
                + tlsPort
                + " but a TLS handshake with it failed ("
                + e
                + "); this redis-server was probably built without TLS (BUILD_TLS=yes). Install a"
                + " TLS-enabled redis-server (Debian's redis-server package is).");
      }
      if (!"PONG".equals(reply)) {
        throw new RedisFixtureException(
            "PING over TLS on " + HOST + ":" + tlsPort + " answered " + reply);
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** The last lines of this server's log (for failure messages). */
  String logTail() {
    return process.logTail();
  }

  int clusterBusPort() {
    return clusterBusPort;
  }

  long pid() {
    return process.pid();
  }

  @Override
  public Source source() {
    return Source.LOCAL_PROCESS;
  }

  @Override
  public String host() {
    return HOST;
  }

  @Override
  public int port() {
    return process.port();
  }

  @Override
  public Optional<String> username() {
    if (spec.aclUser() != null) {
      return Optional.of(spec.aclUser());
    }
    return spec.requirePass() != null ? Optional.of("default") : Optional.empty();
  }

  @Override
  public Optional<String> password() {
    return Optional.ofNullable(spec.aclUser() != null ? spec.aclPassword() : spec.requirePass());
  }

  @Override
  public boolean tlsEnabled() {
    return certificate != null;
  }

  @Override
  public String tlsUri() {
    if (certificate == null) {
      return super.tlsUri();
    }
    return "rediss://" + HOST + ":" + tlsPort;
  }

  @Override
  public Optional<Path> caCertificate() {
    return certificate == null ? Optional.empty() : Optional.of(certificate.certificate());
  }

  @Override
  public boolean supportsProcessControl() {
    return true;
  }

  @Override
  public boolean isRunning() {
    return !isClosed() && process.isAlive();
  }

  @Override
  public void kill() {
    checkOpen();
    process.kill();
    admin.disconnect();
  }

  @Override
  public void restart() {
    checkOpen();
    process.stop();
    process.start(admin);
  }

  @Override
  public void stop() {
    checkOpen();
    process.stop();
    admin.disconnect();
  }

  @Override
  void release() {
    process.destroy();
  }

  private void checkOpen() {
    if (isClosed()) {
      throw new IllegalStateException(this + " is closed");
    }
  }

  @Override
  public String toString() {
    return "redis-server["
        + HOST
        + ":"
        + process.port()
        + (certificate != null ? ", tls " + tlsPort : "")
        + (clusterBusPort > 0 ? ", cluster bus " + clusterBusPort : "")
        + ", pid "
        + process.pid()
        + ", "
        + spec.persistence()
        + ", dir "
        + process.dir()
        + "]";
  }
}
