package io.usagesink;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Validation and masking of Redis URIs. Nothing here ever puts a password into a message: every
 * text that shows a URI shows {@link #mask(String)} of it.
 */
final class RedisUris {

  /** Replaces a password with this text. */
  static final String MASK = "***";

  private static final String[] SCHEMES = {"redis://", "rediss://", "redis-socket://", "redis-sentinel://"};

  /** A {@code password=...} (or {@code pass=}, {@code pwd=}) query parameter some clients accept. */
  private static final Pattern QUERY_PASSWORD =
      Pattern.compile("([?&](?:password|pass|pwd)=)[^&#]*", Pattern.CASE_INSENSITIVE);

  private RedisUris() {}

  /**
   * The URI with every password replaced by {@value #MASK}; safe to log. Handles
   * {@code redis://:pw@host}, {@code redis://user:pw@host} (the user name is kept),
   * {@code redis://pw@host} (a user info without a colon is a password to Lettuce), cluster and
   * sentinel seed lists ({@code redis://pw@h1:1,h2:2}), any scheme or none, and a
   * {@code password=} query parameter. A password may itself contain {@code @}: everything up to the
   * last {@code @} is treated as user info, so a malformed URI is masked too much rather than too
   * little.
   */
  static String mask(String uri) {
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
    return m.find() ? m.replaceAll("$1" + Matcher.quoteReplacement(MASK)) : masked;
  }

  /**
   * What is wrong with the URI, as a sentence starting with "Must", or {@code null} when it is
   * usable as far as can be told without a Redis client. The text never contains the URI.
   */
  static String problem(String uri) {
    String lower = uri.toLowerCase(Locale.ROOT);
    String scheme = null;
    for (String s : SCHEMES) {
      if (lower.startsWith(s)) {
        scheme = s;
        break;
      }
    }
    if (scheme == null) {
      return "Must start with redis://, rediss://, redis-socket:// or redis-sentinel://";
    }
    String rest = uri.substring(scheme.length());
    int at = rest.lastIndexOf('@');
    String afterUserInfo = at < 0 ? rest : rest.substring(at + 1);
    boolean socket = scheme.equals("redis-socket://");
    if (afterUserInfo.isEmpty() || afterUserInfo.startsWith("?") || (afterUserInfo.startsWith("/") && !socket)) {
      return "Must name a host, like redis://localhost:6379";
    }
    // A seed list (h1:1,h2:2) is not a server-based authority; hide the commas from java.net.URI.
    // Only the syntax is checked; the message of URISyntaxException would show the password.
    try {
      new URI(uri.replace(",", "%2C"));
    } catch (URISyntaxException e) {
      return "Must be a valid URI; percent-encode special characters (such as space, # or %) in the password";
    }
    return null;
  }

  /**
   * Throws {@link IllegalArgumentException} naming {@code setting} and the masked URI when {@link
   * #problem(String)} finds one.
   */
  static void validate(String setting, String uri) {
    String problem = problem(uri);
    if (problem != null) {
      throw new IllegalArgumentException(setting + " " + mask(uri) + " is invalid. " + problem + ".");
    }
  }
}
