package io.usagesink.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps Redis passwords out of everything the command line prints. {@link #maskUri(String)} shows a
 * URI with its password replaced by {@value #MASK}; {@link #scrub(String)} removes every password
 * of the URIs this instance knows from any text (an exception message of a client library, say).
 *
 * <p>Immutable and thread-safe.
 */
final class Secrets {

  static final String MASK = "***";

  private static final Pattern QUERY_PASSWORD =
      Pattern.compile("([?&](?:password|pass|pwd)=)([^&#]*)", Pattern.CASE_INSENSITIVE);

  private final List<String> passwords;

  private Secrets(List<String> passwords) {
    this.passwords = List.copyOf(passwords);
  }

  /** Knows the passwords of the given URIs ({@code null}s are skipped). */
  static Secrets of(String... uris) {
    List<String> found = new ArrayList<>();
    for (String uri : uris) {
      if (uri != null) {
        found.addAll(passwordsOf(uri));
      }
    }
    return new Secrets(found);
  }

  /** The URI with its password (user info and {@code password=} query parameter) masked. */
  static String maskUri(String uri) {
    if (uri == null) {
      return null;
    }
    int scheme = uri.indexOf("://");
    int start = scheme < 0 ? 0 : scheme + 3;
    String masked = uri;
    int at = uri.lastIndexOf('@');
    if (at >= start) {
      String userInfo = uri.substring(start, at);
      int colon = userInfo.indexOf(':');
      String hidden = colon < 0 ? MASK : userInfo.substring(0, colon) + ":" + MASK;
      masked = uri.substring(0, start) + hidden + uri.substring(at);
    }
    Matcher m = QUERY_PASSWORD.matcher(masked);
    return m.replaceAll("$1" + Matcher.quoteReplacement(MASK));
  }

  /** The text with every known password (and anything URI-shaped holding one) masked. */
  String scrub(String text) {
    if (text == null) {
      return null;
    }
    String out = text;
    for (String p : passwords) {
      if (!p.isEmpty()) {
        out = out.replace(p, MASK);
      }
    }
    return out;
  }

  private static List<String> passwordsOf(String uri) {
    List<String> found = new ArrayList<>();
    int scheme = uri.indexOf("://");
    int start = scheme < 0 ? 0 : scheme + 3;
    int at = uri.lastIndexOf('@');
    if (at >= start) {
      String userInfo = uri.substring(start, at);
      int colon = userInfo.indexOf(':');
      String password = colon < 0 ? userInfo : userInfo.substring(colon + 1);
      found.add(password);
      String decoded = decode(password);
      if (!decoded.equals(password)) {
        found.add(decoded);
      }
    }
    Matcher m = QUERY_PASSWORD.matcher(uri);
    while (m.find()) {
      found.add(m.group(2));
    }
    // longest first, so a password that contains another is masked whole
    found.removeIf(String::isEmpty);
    found.sort((a, b) -> Integer.compare(b.length(), a.length()));
    return found;
  }

  private static String decode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    try {
      return java.net.URLDecoder.decode(s.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }

  @Override
  public String toString() {
    return "Secrets[" + passwords.size() + " password(s), never shown]";
  }
}
