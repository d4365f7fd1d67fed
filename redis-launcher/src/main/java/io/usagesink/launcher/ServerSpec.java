package io.usagesink.launcher;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The options of a server to start, as collected by {@link RedisFixture.Builder}. Immutable;
 * validated on construction. {@code toString()} never shows a password.
 */
record ServerSpec(
    Persistence persistence,
    String requirePass,
    String aclUser,
    String aclPassword,
    boolean tls,
    boolean processControl,
    RedisServer.Source source) {

  static final ServerSpec DEFAULT =
      new ServerSpec(Persistence.NONE, null, null, null, false, false, null);

  private static final Pattern USER = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  // printable ASCII without space, quotes and backslash: safe in redis.conf, on a command line and
  // in ACL rules
  private static final Pattern PASSWORD = Pattern.compile("[!#-&(-\\[\\]-~]{1,128}");

  ServerSpec {
    Objects.requireNonNull(persistence, "persistence");
    if (requirePass != null && !PASSWORD.matcher(requirePass).matches()) {
      throw new IllegalArgumentException(
          "requirePass must be 1-128 printable ASCII characters without"
              + " spaces, quotes or backslashes (the value is not shown)");
    }
    if ((aclUser == null) != (aclPassword == null)) {
      throw new IllegalArgumentException("aclUser needs both a user name and a password");
    }
    if (aclUser != null && !USER.matcher(aclUser).matches()) {
      throw new IllegalArgumentException(
          "aclUser name \""
              + aclUser
              + "\" must be 1-64 characters of A-Z, a-z, 0-9, '_', '.', '-'");
    }
    if (aclPassword != null && !PASSWORD.matcher(aclPassword).matches()) {
      throw new IllegalArgumentException(
          "aclUser password must be 1-128 printable ASCII characters without"
              + " spaces, quotes or backslashes (the value is not shown)");
    }
    if ("default".equals(aclUser)) {
      throw new IllegalArgumentException(
          "aclUser \"default\" is the built-in user; use requirePass for its password");
    }
  }

  /** True when only a server the fixture starts itself can have these options. */
  boolean needsOwnServer() {
    return persistence != Persistence.NONE
        || requirePass != null
        || aclUser != null
        || tls
        || processControl;
  }

  /**
   * True when only a local redis-server process can have these options (containers: no TLS, no
   * kill).
   */
  boolean needsLocalProcess() {
    return tls || processControl;
  }

  Optional<String> adminPassword() {
    return Optional.ofNullable(requirePass);
  }

  ServerSpec withPersistence(Persistence p) {
    return new ServerSpec(p, requirePass, aclUser, aclPassword, tls, processControl, source);
  }

  ServerSpec withRequirePass(String p) {
    return new ServerSpec(persistence, p, aclUser, aclPassword, tls, processControl, source);
  }

  ServerSpec withAclUser(String user, String password) {
    return new ServerSpec(persistence, requirePass, user, password, tls, processControl, source);
  }

  ServerSpec withTls(boolean on) {
    return new ServerSpec(
        persistence, requirePass, aclUser, aclPassword, on, processControl, source);
  }

  ServerSpec withProcessControl(boolean on) {
    return new ServerSpec(persistence, requirePass, aclUser, aclPassword, tls, on, source);
  }

  ServerSpec withSource(RedisServer.Source s) {
    return new ServerSpec(persistence, requirePass, aclUser, aclPassword, tls, processControl, s);
  }

  @Override
  public String toString() {
    return "ServerSpec[persistence="
        + persistence
        + (requirePass != null ? ", requirePass=***" : "")
        + (aclUser != null ? ", aclUser=" + aclUser + ":***" : "")
        + (tls ? ", tls" : "")
        + (processControl ? ", processControl" : "")
        + (source != null ? ", source=" + source : "")
        + "]";
  }
}
