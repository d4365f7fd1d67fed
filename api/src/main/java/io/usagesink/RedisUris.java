package io.usagesink;

import java.net.URI;
import java.net.URISyntaxException;

/** Validation and masking of Redis URIs; never puts the password in a message. */
final class RedisUris {
  private RedisUris() {}

  /** The URI with any password replaced by {@code ***}. Safe to log. */
  static String mask(String uri) {
    int scheme = uri.indexOf("://");
    int at = uri.lastIndexOf('@');
    if (scheme < 0 || at < scheme) {
      return uri;
    }
    String userInfo = uri.substring(scheme + 3, at);
    int colon = userInfo.indexOf(':');
    String masked = colon < 0 ? "***" : userInfo.substring(0, colon) + ":***";
    return uri.substring(0, scheme + 3) + masked + uri.substring(at);
  }

  /** Checks the scheme and the syntax; the message shows the URI masked. */
  static void validate(String uri) {
    String s = uri.toLowerCase(java.util.Locale.ROOT);
    if (!(s.startsWith("redis://") || s.startsWith("rediss://")
        || s.startsWith("redis-socket://") || s.startsWith("redis-sentinel://"))) {
      throw new IllegalArgumentException("redis uri " + mask(uri)
          + " must start with redis://, rediss://, redis-socket:// or redis-sentinel://");
    }
    try {
      new URI(uri.replace(",", "%2C"));
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("redis uri " + mask(uri) + " is not a valid URI (the password, if any, is masked here)");
    }
  }
}
