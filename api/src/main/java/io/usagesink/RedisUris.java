package io.usagesink;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Validation of Redis URIs. Nothing here ever puts a password into a message: every text that
 * shows a URI shows it masked by {@link RedisUriMask}.
 */
final class RedisUris {

  /** Replaces a password with this text. */
  static final String MASK = RedisUriMask.MASK;

  private static final String[] SCHEMES = {"redis://", "rediss://", "redis-socket://", "redis-sentinel://"};

  private RedisUris() {}

  /** The URI with every password masked; see {@link RedisUriMask#mask(String)}. */
  static String mask(String uri) {
    return RedisUriMask.mask(uri);
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
