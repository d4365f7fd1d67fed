package io.usagesink.redis;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Validation of Redis URIs before Lettuce sees them ({@link RedisOptions} reports a problem naming
 * the property and the masked URI). Nothing here ever puts a password into a message. Stateless.
 */
final class RedisUris {

  private static final Pattern DIGITS = Pattern.compile("[0-9]{1,9}");

  /** Lettuce's timeout syntax: a number and an optional unit (seconds when none), positive. */
  private static final Pattern TIMEOUT = Pattern.compile("0*[1-9][0-9]{0,17}(ns|us|ms|s|m|h|d)?");

  private static final String[] SCHEMES = {
    "redis://", "rediss://", "redis-socket://", "redis-sentinel://"
  };

  private RedisUris() {}

  /**
   * What is wrong with the URI, as a sentence starting with "Must", or {@code null} when it is
   * usable as far as can be told without a Redis client: the scheme, a host, each port (1 to
   * 65535), the database ({@code /n}, {@code database=n}, {@code db=n}) and the {@code timeout}
   * parameter. The text never contains the URI or a password; it may quote a host, a port or one of
   * these parameters.
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
    if (afterUserInfo.isEmpty()
        || afterUserInfo.startsWith("?")
        || (afterUserInfo.startsWith("/") && !socket)) {
      return "Must name a host, like redis://localhost:6379";
    }
    // A seed list (h1:1,h2:2) is not a server-based authority; hide the commas from java.net.URI.
    // Only the syntax is checked; the message of URISyntaxException would show the password.
    try {
      new URI(uri.replace(",", "%2C"));
    } catch (URISyntaxException e) {
      return "Must be a valid URI; percent-encode special characters (such as space, # or %) in the"
          + " password";
    }
    // what follows the user info holds no password (a password= parameter is never shown)
    int fragment = afterUserInfo.indexOf('#');
    String tail = fragment < 0 ? afterUserInfo : afterUserInfo.substring(0, fragment);
    int query = tail.indexOf('?');
    String beforeQuery = query < 0 ? tail : tail.substring(0, query);
    if (!socket) {
      int slash = beforeQuery.indexOf('/');
      String hosts = slash < 0 ? beforeQuery : beforeQuery.substring(0, slash);
      for (String host : hosts.split(",", -1)) {
        String problem = portProblem(host);
        if (problem != null) {
          return problem;
        }
      }
      String path = slash < 0 ? "" : beforeQuery.substring(slash + 1);
      if (!path.isEmpty() && !DIGITS.matcher(path).matches()) {
        return "Must give the database after the host as a whole number like /0, but it is /"
            + path;
      }
    }
    return query < 0 ? null : queryProblem(tail.substring(query + 1));
  }

  /** What is wrong with the port of one {@code host[:port]} of the authority, or {@code null}. */
  private static String portProblem(String hostAndPort) {
    if (hostAndPort.isEmpty()) {
      return "Must name a host between the commas of a seed list, like redis://h1:7000,h2:7001";
    }
    String port;
    if (hostAndPort.startsWith("[")) { // [IPv6]:port
      int close = hostAndPort.indexOf(']');
      if (close < 0 || close == hostAndPort.length() - 1) {
        return null;
      }
      if (hostAndPort.charAt(close + 1) != ':') {
        return "Must write an IPv6 host as [address]:port, but it is " + hostAndPort;
      }
      port = hostAndPort.substring(close + 2);
    } else {
      int colon = hostAndPort.indexOf(':');
      if (colon < 0 || colon != hostAndPort.lastIndexOf(':')) {
        return null; // no port, or an IPv6 address without brackets: left to the client
      }
      port = hostAndPort.substring(colon + 1);
    }
    if (DIGITS.matcher(port).matches()
        && port.length() <= 5
        && Integer.parseInt(port) >= 1
        && Integer.parseInt(port) <= 65535) {
      return null;
    }
    return "Must give the port as a number from 1 to 65535, but the port of "
        + hostAndPort.substring(0, hostAndPort.length() - port.length() - 1)
        + " is \""
        + port
        + "\"";
  }

  /** What is wrong with the query parameters this library's client reads, or {@code null}. */
  private static String queryProblem(String query) {
    for (String parameter : query.split("&")) {
      int eq = parameter.indexOf('=');
      String name = (eq < 0 ? parameter : parameter.substring(0, eq)).toLowerCase(Locale.ROOT);
      String value = eq < 0 ? "" : parameter.substring(eq + 1);
      if (name.equals("timeout") && !TIMEOUT.matcher(value).matches()) {
        return "Must give the parameter timeout as a positive duration like timeout=500ms or"
            + " timeout=10s (units ns, us, ms, s, m, h, d), but it is timeout="
            + value;
      }
      if ((name.equals("database") || name.equals("db")) && !DIGITS.matcher(value).matches()) {
        return "Must give the parameter "
            + name
            + " as a whole number from 0 (like "
            + name
            + "=2), but it is "
            + name
            + "="
            + value;
      }
    }
    return null;
  }
}
