package io.usagesink.launcher;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLSocketFactory;

/**
 * A minimal blocking RESP2 client: one socket, one command at a time. The fixture uses it for its own
 * admin calls (PING, INFO, FLUSHALL, CLIENT KILL, ...) so that starting and controlling a server needs
 * neither Lettuce nor Netty threads. Not thread-safe; {@link AdminClient} serialises access.
 *
 * <p>Replies: simple string and bulk string -> {@link String} (UTF-8), integer -> {@link Long}, array ->
 * {@link List}, nil -> {@code null}; an error reply throws {@link RedisFixtureException} carrying the
 * server's message (which never contains the password sent with AUTH).
 */
final class RespConnection implements Closeable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  private RespConnection(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new BufferedInputStream(socket.getInputStream());
    this.out = new BufferedOutputStream(socket.getOutputStream());
  }

  /**
   * Connects; with a non-null {@code tls} factory the socket is wrapped in TLS and the handshake is done
   * here (so a server without TLS fails now, not at the first command).
   */
  static RespConnection open(String host, int port, SSLSocketFactory tls, Duration connectTimeout,
      Duration readTimeout) throws IOException {
    Socket plain = new Socket();
    try {
      plain.connect(new InetSocketAddress(host, port), (int) connectTimeout.toMillis());
      plain.setSoTimeout((int) readTimeout.toMillis());
      plain.setTcpNoDelay(true);
      if (tls == null) {
        return new RespConnection(plain);
      }
      javax.net.ssl.SSLSocket ssl = (javax.net.ssl.SSLSocket) tls.createSocket(plain, host, port, true);
      javax.net.ssl.SSLParameters params = ssl.getSSLParameters();
      params.setEndpointIdentificationAlgorithm("HTTPS");
      ssl.setSSLParameters(params);
      ssl.startHandshake();
      return new RespConnection(ssl);
    } catch (IOException | RuntimeException e) {
      plain.close();
      throw e;
    }
  }

  /** Sends one command and reads its reply. */
  Object call(String... args) throws IOException {
    out.write(('*' + Integer.toString(args.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    for (String arg : args) {
      byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
      out.write(('$' + Integer.toString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(bytes);
      out.write('\r');
      out.write('\n');
    }
    out.flush();
    return read();
  }

  private Object read() throws IOException {
    int type = in.read();
    if (type < 0) {
      throw new EOFException("connection closed by the server");
    }
    String line = readLine();
    switch (type) {
      case '+':
        return line;
      case '-':
        throw new RedisFixtureException("Redis replied with an error: " + line);
      case ':':
        return Long.parseLong(line);
      case '$': {
        int length = Integer.parseInt(line);
        if (length < 0) {
          return null;
        }
        byte[] bytes = in.readNBytes(length + 2);
        if (bytes.length != length + 2) {
          throw new EOFException("connection closed in the middle of a reply");
        }
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
      }
      case '*': {
        int count = Integer.parseInt(line);
        if (count < 0) {
          return null;
        }
        List<Object> items = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          try {
            items.add(read());
          } catch (RedisFixtureException nested) {
            items.add(nested);
          }
        }
        return items;
      }
      default:
        throw new IOException("unexpected RESP reply type '" + (char) type + "'");
    }
  }

  private String readLine() throws IOException {
    StringBuilder sb = new StringBuilder();
    while (true) {
      int c = in.read();
      if (c < 0) {
        throw new EOFException("connection closed in the middle of a reply");
      }
      if (c == '\r') {
        int lf = in.read();
        if (lf != '\n') {
          throw new IOException("malformed RESP line ending");
        }
        return sb.toString();
      }
      sb.append((char) c);
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
