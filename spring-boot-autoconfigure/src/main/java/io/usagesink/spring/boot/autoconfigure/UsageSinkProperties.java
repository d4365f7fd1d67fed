package io.usagesink.spring.boot.autoconfigure;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code usagesink.*} settings of a Spring Boot application: the names of {@code
 * io.usagesink.SinkConfig#from}, bound here so IDEs complete them. Values stay text on purpose: the
 * api parses and checks them (one parser, one message style), so a bad value fails start-up with
 * the api's message, e.g. {@code Invalid value for property usagesink.buffered.flush-interval=abc.
 * Must be a duration like 500ms or 60s.} Durations are written {@code 500ms}, {@code 60s}, {@code
 * 5m}, {@code 1h}, {@code 1d} or ISO-8601. An unset value keeps the api's default. Other {@code
 * usagesink.*} keys are passed to the sink as they are (custom backends read them with {@code
 * SinkConfig.property}).
 *
 * <p>A mutable JavaBean for Spring's binder; not thread-safe while bound, read-only afterwards.
 */
@ConfigurationProperties("usagesink")
public class UsageSinkProperties {

  /**
   * The backend to use: redis-lua, redis-pipeline, buffered, noop or a custom one; unset lets
   * discovery choose.
   */
  private String backend;

  /** Zone of the day, hour and month buckets, e.g. UTC, +08:00 or Asia/Shanghai (default UTC). */
  private String zone;

  /** The metrics window, whole minutes (default 5m); the minute hash lives window x 120 seconds. */
  private String metricsWindow;

  /**
   * Prefix of the library's own bookkeeping keys (guards, markers), never of statistics (default
   * usagesink:).
   */
  private String keyPrefix;

  /**
   * How long closing the sink (on context shutdown) may take to store pending data (default 30s).
   */
  private String closeTimeout;

  /** How long one Redis command may take before it counts as failed (default 10s). */
  private String commandTimeout;

  /**
   * How long an exactly-once guard (event or batch id) is remembered, at least 1s (default 10m).
   */
  private String guardTtl;

  /** The statistics layout: crs or compact (default crs; compact needs the buffered backend). */
  private String layout;

  /**
   * Whether the sink registers its own JVM shutdown hook. Under Spring it defaults to false (for
   * this key and usagesink.buffered.shutdown-hook): the application context closes the sink, which
   * flushes.
   */
  private String shutdownHook;

  private final Redis redis = new Redis();
  private final Buffered buffered = new Buffered();
  private final Health health = new Health();

  public String getBackend() {
    return backend;
  }

  public void setBackend(String backend) {
    this.backend = backend;
  }

  public String getZone() {
    return zone;
  }

  public void setZone(String zone) {
    this.zone = zone;
  }

  public String getMetricsWindow() {
    return metricsWindow;
  }

  public void setMetricsWindow(String metricsWindow) {
    this.metricsWindow = metricsWindow;
  }

  public String getKeyPrefix() {
    return keyPrefix;
  }

  public void setKeyPrefix(String keyPrefix) {
    this.keyPrefix = keyPrefix;
  }

  public String getCloseTimeout() {
    return closeTimeout;
  }

  public void setCloseTimeout(String closeTimeout) {
    this.closeTimeout = closeTimeout;
  }

  public String getCommandTimeout() {
    return commandTimeout;
  }

  public void setCommandTimeout(String commandTimeout) {
    this.commandTimeout = commandTimeout;
  }

  public String getGuardTtl() {
    return guardTtl;
  }

  public void setGuardTtl(String guardTtl) {
    this.guardTtl = guardTtl;
  }

  public String getLayout() {
    return layout;
  }

  public void setLayout(String layout) {
    this.layout = layout;
  }

  public String getShutdownHook() {
    return shutdownHook;
  }

  public void setShutdownHook(String shutdownHook) {
    this.shutdownHook = shutdownHook;
  }

  public Redis getRedis() {
    return redis;
  }

  public Buffered getBuffered() {
    return buffered;
  }

  public Health getHealth() {
    return health;
  }

  /** {@code usagesink.redis.*}. */
  public static class Redis {

    /**
     * Redis URI, e.g. redis://user:secret@host:6379/0, rediss://... (TLS) or a cluster seed list
     * redis://secret@h1:7000,h2:7001. The REDIS_URL variable is not read under Spring: write
     * usagesink.redis.uri=${REDIS_URL} to use it.
     */
    private String uri;

    /** Force (true) or forbid (false) Redis Cluster mode; unset detects it. */
    private String cluster;

    /**
     * What to do when Redis is unreachable at start: background (keep trying, the default) or fail.
     */
    private String connect;

    public String getUri() {
      return uri;
    }

    public void setUri(String uri) {
      this.uri = uri;
    }

    public String getCluster() {
      return cluster;
    }

    public void setCluster(String cluster) {
      this.cluster = cluster;
    }

    public String getConnect() {
      return connect;
    }

    public void setConnect(String connect) {
      this.connect = connect;
    }
  }

  /** {@code usagesink.buffered.*}: settings of the buffered backend. */
  public static class Buffered {

    /** How often the buffered backend flushes its counters (default 1s). */
    private String flushInterval;

    /**
     * Distinct counters the buffered backend merges in memory, a positive whole number (default
     * 1000000); at the cap the coldest are written early, no event is dropped.
     */
    private String maxPendingCounters;

    /** How the buffered backend writes a flush: lua or pipeline (default lua). */
    private String writer;

    /**
     * Older name of usagesink.shutdown-hook, read when that one is not set; false by default under
     * Spring.
     */
    private String shutdownHook;

    /**
     * Directory of the buffered backend's crash-safe journal (one process per directory); unset: no
     * journal, a killed process loses what it buffered since its last flush.
     */
    private String journalDir;

    /**
     * When the journal forces appended events to storage: none, interval or always (default
     * interval).
     */
    private String journalFsync;

    /** The interval of journal-fsync=interval, a positive duration (default 500ms). */
    private String journalFsyncInterval;

    public String getJournalDir() {
      return journalDir;
    }

    public void setJournalDir(String journalDir) {
      this.journalDir = journalDir;
    }

    public String getJournalFsync() {
      return journalFsync;
    }

    public void setJournalFsync(String journalFsync) {
      this.journalFsync = journalFsync;
    }

    public String getJournalFsyncInterval() {
      return journalFsyncInterval;
    }

    public void setJournalFsyncInterval(String journalFsyncInterval) {
      this.journalFsyncInterval = journalFsyncInterval;
    }

    public String getFlushInterval() {
      return flushInterval;
    }

    public void setFlushInterval(String flushInterval) {
      this.flushInterval = flushInterval;
    }

    public String getMaxPendingCounters() {
      return maxPendingCounters;
    }

    public void setMaxPendingCounters(String maxPendingCounters) {
      this.maxPendingCounters = maxPendingCounters;
    }

    public String getWriter() {
      return writer;
    }

    public void setWriter(String writer) {
      this.writer = writer;
    }

    public String getShutdownHook() {
      return shutdownHook;
    }

    public void setShutdownHook(String shutdownHook) {
      this.shutdownHook = shutdownHook;
    }
  }

  /**
   * {@code usagesink.health.*}: the {@code usagesink} health indicator (not passed to the sink).
   */
  public static class Health {

    /**
     * How long events may stay pending with nothing stored before the health indicator reports DOWN
     * (e.g. Redis unreachable).
     */
    private Duration stallThreshold = Duration.ofSeconds(60);

    public Duration getStallThreshold() {
      return stallThreshold;
    }

    public void setStallThreshold(Duration stallThreshold) {
      this.stallThreshold = stallThreshold;
    }
  }
}
