package io.usagesink.redis.write;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The constant, generic plan script ({@code apply-plan.lua}) and its SHA-1 digest. */
final class PlanScript {
  /** The script source, read from the class path resource; never built from input. */
  static final String SOURCE = load();

  /** The SHA-1 of {@link #SOURCE} in lowercase hex, as Redis computes it for EVALSHA. */
  static final String SHA = sha1Hex(SOURCE);

  private PlanScript() {}

  private static String load() {
    try (InputStream in = PlanScript.class.getResourceAsStream("apply-plan.lua")) {
      if (in == null) {
        throw new IllegalStateException(
            "resource io/usagesink/redis/write/apply-plan.lua is missing from the redis-core jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read io/usagesink/redis/write/apply-plan.lua", e);
    }
  }

  static String sha1Hex(String s) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is not available", e);
    }
  }
}
