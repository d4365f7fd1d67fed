package io.usagesink.testkit.redis.junit;

import io.usagesink.launcher.Persistence;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On a {@code RedisServer} or {@code RedisClusterHandle} parameter resolved by {@link
 * RedisExtension}: a server (or cluster) of the test's own, started with these options instead of
 * the shared one, and closed when its scope ends (after the test method for a test-method
 * parameter; after the class for a constructor or {@code @BeforeAll} parameter). Use it for fault
 * tests (kill, restart, pause) and for options (AOF, passwords, TLS).
 *
 * <p>When this machine cannot provide such a server (no {@code redis-server} on PATH for
 * kill/restart, a redis-server without TLS, ...) while it can provide a plain one, the test is
 * skipped with the reason. Clusters accept only {@link #persistence()}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface IsolatedRedis {
  /** AOF on or off. */
  Persistence persistence() default Persistence.NONE;

  /** The default user's password ({@code requirepass}); empty for none. */
  String requirePass() default "";

  /** An ACL user with all permissions; empty for none. Needs {@link #aclPassword()}. */
  String aclUser() default "";

  /** The password of {@link #aclUser()}. */
  String aclPassword() default "";

  /** Also listen for TLS with a self-signed certificate ({@code RedisServer#tlsUri()}). */
  boolean tls() default false;

  /**
   * The test kills, stops or restarts the server, so it must be a local redis-server process
   * (default true: the usual reason for an isolated server is a fault test). Set false to accept a
   * container too.
   */
  boolean processControl() default true;
}
