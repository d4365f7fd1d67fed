package io.usagesink;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps Redis passwords out of text: {@link #mask(String)} shows a URI with its password replaced
 * by {@value #MASK}, {@link #scrub(String, String...)} removes the passwords of given URIs from any
 * text (a client library's exception message, say). Every module of this library shows URIs only
 * through this class.
 *
 * <p>Stateless and thread-safe.
 */
public final class RedisUriMask {

  /** What a password is replaced with. */
  public static final String MASK = "***";

  /**
   * A {@code password=...} (or {@code pass=}, {@code pwd=}) query parameter some clients accept.
   */
  private static final Pattern QUERY_PASSWORD =
      Pattern.compile("([?&](?:password|pass|pwd)=)([^&#]*)", Pattern.CASE_INSENSITIVE);

  private RedisUriMask() {}

  /**
   * The URI with every password replaced by {@value #MASK}; safe to log. Handles {@code
   * redis://:pw@host}, {@code redis://user:pw@host} (the user name is kept), {@code
   * redis://pw@host} (a user info without a colon is a password to Lettuce), cluster and sentinel
   * seed lists ({@code redis://pw@h1:1,h2:2}), any scheme or none, and a {@code password=} query
   * parameter. A password may itself contain {@code @}: everything up to the last {@code @} is
   * treated as user info, so a malformed URI is masked too much rather than too little. {@code
   * null} gives {@code null}.
   */
  public static String mask(String uri) {
    if (uri == null) {
      return null;
    }
    int start = userInfoStart(uri);
    String masked = uri;
    int at = uri.lastIndexOf('@');
    if (at >= start) {
      String userInfo = uri.substring(start, at);
      int colon = userInfo.indexOf(':');
      String hidden = colon < 0 ? MASK : userInfo.substring(0, colon) + ":" + MASK;
      masked = uri.substring(0, start) + hidden + uri.substring(at);
    }
    Matcher m = QUERY_PASSWORD.matcher(masked);
    return m.find() ? m.replaceAll("$1" + Matcher.quoteReplacement(MASK)) : masked;
  }

  /**
   * The passwords a URI carries (user info and query parameter, raw and percent-decoded), longest
   * first so that a password containing another is scrubbed whole. Empty for {@code null}.
   */
  public static List<String> passwords(String uri) {
    List<String> found = new ArrayList<>();
    if (uri == null) {
      return found;
    }
    int start = userInfoStart(uri);
    int at = uri.lastIndexOf('@');
    if (at >= start) {
      String userInfo = uri.substring(start, at);
      int colon = userInfo.indexOf(':');
      addRawAndDecoded(found, colon < 0 ? userInfo : userInfo.substring(colon + 1));
    }
    Matcher m = QUERY_PASSWORD.matcher(uri);
    while (m.find()) {
      addRawAndDecoded(found, m.group(2));
    }
    found.removeIf(String::isEmpty);
    found.sort((a, b) -> Integer.compare(b.length(), a.length()));
    return found;
  }

  /** {@code text} with every password of the given URIs replaced by {@value #MASK}. */
  public static String scrub(String text, String... uris) {
    if (text == null) {
      return null;
    }
    List<String> all = new ArrayList<>();
    for (String uri : uris) {
      all.addAll(passwords(uri));
    }
    all.sort((a, b) -> Integer.compare(b.length(), a.length()));
    String out = text;
    for (String p : all) {
      out = out.replace(p, MASK);
    }
    return out;
  }

  private static int userInfoStart(String uri) {
    int scheme = uri.indexOf("://");
    return scheme < 0 ? 0 : scheme + 3;
  }

  private static void addRawAndDecoded(List<String> found, String password) {
    found.add(password);
    if (password.indexOf('%') >= 0) {
      try {
        String decoded = URLDecoder.decode(password.replace("+", "%2B"), StandardCharsets.UTF_8);
        if (!decoded.equals(password)) {
          found.add(decoded);
        }
      } catch (IllegalArgumentException malformed) {
        // not percent-encoded after all: the raw form is already listed
      }
    }
  }
}
