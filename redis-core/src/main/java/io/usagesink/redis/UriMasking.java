package io.usagesink.redis;

/** Masks the password of Redis URIs for messages. */
final class UriMasking {
  private UriMasking() {}

  /** The URI with the password (or a lone user-info part, which Lettuce reads as a password) replaced by {@code ***}. */
  static String mask(String uri) {
    if (uri == null) {
      return null;
    }
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

  /** The password part of the URI's user info, or {@code null}. */
  static String password(String uri) {
    int scheme = uri.indexOf("://");
    int at = uri.lastIndexOf('@');
    if (scheme < 0 || at < scheme) {
      return null;
    }
    String userInfo = uri.substring(scheme + 3, at);
    int colon = userInfo.indexOf(':');
    String pw = colon < 0 ? userInfo : userInfo.substring(colon + 1);
    return pw.isEmpty() ? null : pw;
  }

  /** {@code text} with every occurrence of {@code secret} replaced by {@code ***}. */
  static String scrub(String text, String secret) {
    if (text == null || secret == null || secret.isEmpty()) {
      return text;
    }
    return text.replace(secret, "***");
  }
}
