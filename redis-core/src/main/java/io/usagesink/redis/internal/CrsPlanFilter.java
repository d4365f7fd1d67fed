package io.usagesink.redis.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.usagesink.ConfigProperties;
import io.usagesink.ConfigurationException;
import io.usagesink.DurationText;
import io.usagesink.SinkConfig;
import io.usagesink.plan.CounterDelta;
import io.usagesink.plan.Expiry;
import io.usagesink.plan.IndexAdd;
import io.usagesink.plan.UsagePlan;
import java.time.Clock;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;
import java.util.Optional;

/**
 * Frugal writes of the CRS layout, for users who must keep CRS's own keys but pay per command: a
 * filter the write engines apply to each plan of the CRS layout before writing it. Both options are
 * off by default, so the byte-exact CRS behaviour stays the default.
 *
 * <ul>
 *   <li>{@value #SKIP_ZERO} {@code = true|false}: leave out counter deltas of 0 ({@code HINCRBY key
 *       field 0} only creates a field holding 0). Readers treat an absent field as 0, so every
 *       number read stays the same; a dump shows fewer fields (and no hash whose every field is 0).
 *   <li>{@value #EXPIRE_MEMO} {@code = off|DURATION} (e.g. {@code 1h}): do not resend an {@code
 *       EXPIRE} with the same TTL for a key this sink sent one for within the last DURATION,
 *       remembered in a Caffeine cache ({@code expireAfterWrite} = DURATION, at most {@value
 *       #MAX_REMEMBERED} keys; a key that falls out is simply sent again). CRS refreshes a key's
 *       TTL on every write, so a key now expires <b>at most DURATION earlier</b> than under CRS
 *       (its TTL counts from a write up to DURATION before the last one). Expiries whose TTL is not
 *       longer than DURATION are always sent, so a key can never expire while its EXPIRE is
 *       remembered. A key deleted behind the sink's back (DEL, FLUSHDB, eviction) and recreated by
 *       a write within DURATION gets its TTL back with the first write after its memo entry
 *       expired. DURATION is measured on the sink's clock (the system clock unless configured
 *       otherwise).
 * </ul>
 *
 * A write that is given up {@link #forget forgets} the expiries it carried, so they are sent again.
 * Plans of the compact layout must not pass through this filter (it writes absolute values and
 * manages its own expiries).
 *
 * <p>Immutable configuration, thread-safe; {@link #apply} never blocks.
 */
public final class CrsPlanFilter {

  /** Property: leave out zero increments ({@code true|false}, default false). */
  public static final String SKIP_ZERO = "usagesink.crs.skip-zero";

  /**
   * Property: do not resend a recent EXPIRE ({@code off} or a duration like {@code 1h}; default
   * off).
   */
  public static final String EXPIRE_MEMO = "usagesink.crs.expire-memo";

  /** Keys whose last EXPIRE is remembered, at most: {@value}. */
  public static final int MAX_REMEMBERED = 100_000;

  private static final CrsPlanFilter NONE = new CrsPlanFilter(false, null, null);

  private final boolean skipZero;
  private final Duration memo;

  /** key -> TTL seconds of the EXPIRE last sent, or null when the memo is off. */
  private final Cache<String, Long> sent;

  private CrsPlanFilter(boolean skipZero, Duration memo, Ticker ticker) {
    this.skipZero = skipZero;
    this.memo = memo;
    this.sent =
        memo == null
            ? null
            : Caffeine.newBuilder()
                .expireAfterWrite(memo)
                .maximumSize(MAX_REMEMBERED)
                .ticker(ticker)
                .executor(Runnable::run)
                .build();
  }

  /** The filter that changes nothing. */
  public static CrsPlanFilter none() {
    return NONE;
  }

  /**
   * The filter {@code config} asks for ({@value #SKIP_ZERO}, {@value #EXPIRE_MEMO}), its memo
   * measured on {@code config.clock()}.
   *
   * @throws ConfigurationException naming the property, its value and what is allowed
   */
  public static CrsPlanFilter of(SinkConfig config) {
    return of(config, config.clock());
  }

  /**
   * The filter {@code config} asks for, its memo measured on {@code clock}.
   *
   * @throws ConfigurationException naming the property, its value and what is allowed
   */
  public static CrsPlanFilter of(SinkConfig config, InstantSource clock) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(clock, "clock");
    boolean skipZero = config.properties().getBoolean(SKIP_ZERO).orElse(false);
    Duration memo = memo(config.properties());
    if (!skipZero && memo == null) {
      return NONE;
    }
    return new CrsPlanFilter(skipZero, memo, memo == null ? null : ticker(clock));
  }

  /**
   * {@value #EXPIRE_MEMO}: {@code off} (or {@code false}) gives {@code null}, else a positive
   * duration.
   */
  private static Duration memo(ConfigProperties p) {
    String must = "Must be off or a positive duration like 10m or 1h.";
    return p.find(EXPIRE_MEMO)
        .filter(v -> !v.value().equalsIgnoreCase("off") && !v.value().equalsIgnoreCase("false"))
        .map(
            v -> {
              Duration d = v.parse(DurationText::parse, must);
              if (d.isNegative() || d.isZero()) {
                throw v.invalid(must);
              }
              return d;
            })
        .orElse(null);
  }

  /** Nanoseconds of the system's monotonic clock for the system clock, else of {@code clock}. */
  private static Ticker ticker(InstantSource clock) {
    if (clock.equals(InstantSource.system())
        || clock instanceof Clock c && c.equals(Clock.system(c.getZone()))) {
      return Ticker.systemTicker();
    }
    return () -> clock.millis() * 1_000_000L;
  }

  /** Whether this filter changes anything. */
  public boolean active() {
    return skipZero || memo != null;
  }

  /** Whether zero increments are left out. */
  public boolean skipsZero() {
    return skipZero;
  }

  /** The EXPIRE memo duration, if on. */
  public Optional<Duration> expireMemo() {
    return Optional.ofNullable(memo);
  }

  /**
   * {@code plan} without what this filter leaves out; the expiries it keeps are remembered as sent
   * (call {@link #forget} if the write is given up). Returns {@code plan} itself when nothing is
   * left out.
   */
  public UsagePlan apply(UsagePlan plan) {
    if (!active() || plan.isEmpty()) {
      return plan;
    }
    boolean changed = false;
    UsagePlan.Builder b = UsagePlan.builder(plan.counters().size());
    for (CounterDelta c : plan.counters()) {
      if (skipZero && c.delta() == 0) {
        changed = true;
      } else {
        b.increment(c.key(), c.field(), c.delta());
      }
    }
    long memoSeconds = memo == null ? 0 : memo.toSeconds();
    for (Expiry e : plan.expiries()) {
      if (memo == null || e.ttlSeconds() <= memoSeconds) {
        b.expire(e.key(), e.ttlSeconds());
        continue;
      }
      // putIfAbsent: a hit must not renew the entry, or a busy key would never get its EXPIRE again
      Long before = sent.asMap().putIfAbsent(e.key(), e.ttlSeconds());
      if (before != null && before == e.ttlSeconds()) {
        changed = true;
        continue;
      }
      if (before != null) {
        sent.put(e.key(), e.ttlSeconds()); // another TTL: send it, remember it from now
      }
      b.expire(e.key(), e.ttlSeconds());
    }
    for (IndexAdd a : plan.indexAdds()) {
      b.indexAdd(a.setKey(), a.member(), a.ttlSeconds());
    }
    return changed ? b.build() : plan;
  }

  /**
   * Forgets the expiries of {@code plan} (a write that was given up): they are sent again next
   * time.
   */
  public void forget(UsagePlan plan) {
    if (sent == null || plan == null) {
      return;
    }
    for (Expiry e : plan.expiries()) {
      sent.invalidate(e.key());
    }
  }

  @Override
  public String toString() {
    return "CrsPlanFilter[skipZero="
        + skipZero
        + ", expireMemo="
        + (memo == null ? "off" : memo)
        + "]";
  }
}
