package io.usagesink.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Distinct free TCP ports on 127.0.0.1, found by binding port 0. A port can be taken by someone
 * else between this check and redis-server binding it; callers detect that ("Address already in
 * use" in the log) and try again with fresh ports.
 */
final class FreePorts {
  private FreePorts() {}

  static int[] pick(int count) {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        sockets.add(socket);
        ports[i] = socket.getLocalPort();
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find a free port on 127.0.0.1", e);
    } finally {
      for (ServerSocket socket : sockets) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // the port is released either way
        }
      }
    }
  }
}
