package io.usagesink.cli;

import io.usagesink.RedisUriMask;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps Redis passwords out of everything the command line prints: remembers the passwords of the
 * URIs a command was given, so that {@link #scrub(String)} can remove them from any text (an
 * exception message of a client library, say). Masking itself is {@link RedisUriMask}'s.
 *
 * <p>Immutable and thread-safe.
 */
final class Secrets {

  static final String MASK = RedisUriMask.MASK;

  private final List<String> passwords;

  private Secrets(List<String> passwords) {
    this.passwords = List.copyOf(passwords);
  }

  /** Knows the passwords of the given URIs ({@code null}s are skipped). */
  static Secrets of(String... uris) {
    List<String> found = new ArrayList<>();
    for (String uri : uris) {
      found.addAll(RedisUriMask.passwords(uri));
    }
    found.sort((a, b) -> Integer.compare(b.length(), a.length()));
    return new Secrets(found);
  }

  /** The URI with its password (user info and {@code password=} query parameter) masked. */
  static String maskUri(String uri) {
    return RedisUriMask.mask(uri);
  }

  /** The text with every known password masked. */
  String scrub(String text) {
    if (text == null) {
      return null;
    }
    String out = text;
    for (String p : passwords) {
      out = out.replace(p, MASK);
    }
    return out;
  }

  @Override
  public String toString() {
    return "Secrets[" + passwords.size() + " password(s), never shown]";
  }
}
