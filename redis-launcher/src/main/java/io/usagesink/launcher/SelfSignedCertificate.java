package io.usagesink.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throw-away self-signed certificate for {@code 127.0.0.1} and {@code localhost} (EC P-256, valid for
 * {@value #DAYS} days), made with the {@code openssl} command line into a server's temp dir. The same PEM
 * file serves as the server certificate and as the CA clients trust.
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
    List<String> command = List.of(openssl.toString(), "req", "-x509", "-newkey", "ec",
        "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key.toString(), "-out", cert.toString(),
        "-days", Integer.toString(DAYS), "-subj", "/CN=localhost",
        "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost");
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new RedisFixtureException("openssl did not make a certificate within 30 s");
      }
      if (p.exitValue() != 0 || !Files.exists(cert) || !Files.exists(key)) {
        throw new RedisFixtureException("openssl failed (exit " + p.exitValue() + ") making a self-signed"
            + " certificate: " + Files.readString(log, StandardCharsets.UTF_8).strip());
      }
      return new SelfSignedCertificate(cert, key);
    } catch (IOException e) {
      throw new RedisFixtureException("cannot run " + openssl + " to make a TLS certificate: " + e.getMessage(), e);
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

  /** A socket factory that trusts exactly this certificate (hostname checks stay on). */
  SSLSocketFactory socketFactory() {
    try (InputStream in = Files.newInputStream(certificate)) {
      Certificate cert = CertificateFactory.getInstance("X.509").generateCertificate(in);
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      trust.setCertificateEntry("usagesink-redis", cert);
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context.getSocketFactory();
    } catch (IOException | GeneralSecurityException e) {
      throw new RedisFixtureException("cannot load the self-signed certificate " + certificate + ": " + e, e);
    }
  }
}
