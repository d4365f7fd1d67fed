package io.usagesink.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away self-signed certificate for {@code 127.0.0.1} and {@code localhost} (EC P-256, valid
 * for {@value #DAYS} days), made with the {@code openssl} command line into a server's temp dir.
 * The same PEM file serves as the server certificate and as the CA clients trust.
 */
final class SelfSignedCertificate {
  static final int DAYS = 7;

  private final Path certificate;
  private final Path key;

  private SelfSignedCertificate(Path certificate, Path key) {
    this.certificate = certificate;
    this.key = key;
  }

  static SelfSignedCertificate create(Path openssl, Path dir) {
    Path cert = dir.resolve("tls-cert.pem");
    Path key = dir.resolve("tls-key.pem");
    Path log = dir.resolve("openssl.log");
    List<String> command =
        List.of(
            openssl.toString(),
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            key.toString(),
            "-out",
            cert.toString(),
            "-days",
            Integer.toString(DAYS),
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost");
    try {
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new RedisFixtureException("openssl did not make a certificate within 30 s");
      }
      if (p.exitValue() != 0 || !Files.exists(cert) || !Files.exists(key)) {
        throw new RedisFixtureException(
            "openssl failed (exit "
                + p.exitValue()
                + ") making a self-signed certificate: "
                + Files.readString(log, StandardCharsets.UTF_8).strip());
      }
      return new SelfSignedCertificate(cert, key);
    } catch (IOException e) {
      throw new RedisFixtureException(
          "cannot run " + openssl + " to make a TLS certificate: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RedisFixtureException("interrupted while making a TLS certificate", e);
    }
  }

  Path certificate() {
    return certificate;
  }

  Path key() {
    return key;
  }
}
