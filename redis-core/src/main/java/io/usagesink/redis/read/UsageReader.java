package io.usagesink.redis.read;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.usagesink.SinkConfig;
import io.usagesink.layout.CompactLayout;
import io.usagesink.layout.CompactView;
import io.usagesink.layout.CrsKeys;
import io.usagesink.layout.LayoutSettings;
import io.usagesink.redis.RedisReadException;
import io.usagesink.redis.connect.RedisConnection;
import io.usagesink.redis.internal.failure.FailurePolicy;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * Reads the statistics the reference (CRS) layout stores: totals, monthly, daily and hourly
 * counters of an API key, of an account, of a key or account per model, and of a model across all
 * keys; the system minute metrics; and a {@link #dump()} of every statistics key.
 *
 * <p>Periods are buckets of the layout's zone ({@link UsagePeriod}); model names are given as
 * stored, that is already normalised by the layout (e.g. {@code claude-3-5-sonnet-20241022}, not
 * {@code us.anthropic.claude-3-5-sonnet-20241022-v2:0}). Absent hashes and fields read as 0.
 *
 * <p>Thread-safe. Every method blocks until Redis answered, at most the connection's command
 * timeout per round trip ({@link #dump()} makes several), and throws {@link RedisReadException}
 * when Redis fails or does not answer in time; an interrupt ends the wait with {@link
 * RedisReadException} and keeps the interrupt flag set.
 */
public final class UsageReader {

  private static final int DUMP_BATCH = 512;

  private final RedisConnection connection;
  private final RedisClusterAsyncCommands<String, String> redis;
  private final String keyPrefix;
  private final Duration timeout;

  /** The compact layout when the configuration selects it, else null (the CRS layout). */
  private final CompactLayout compact;

  private final CompactView view;

  /** Hashes already read, when {@link #cached()}; else null. */
  private final Map<String, Map<String, String>> memo;

  /** The clock of the CRS windows on the compact layout. */
  private final InstantSource clock;

  /** CRS's TTLs of hourly, daily and monthly keys: the compact reader's windows. */
  static final Duration HOUR_WINDOW = Duration.ofDays(7);

  static final Duration DAY_WINDOW = Duration.ofDays(32);
  static final Duration MONTH_WINDOW = Duration.ofDays(365);

  private UsageReader(
      RedisConnection connection,
      String keyPrefix,
      CompactLayout compact,
      Map<String, Map<String, String>> memo,
      InstantSource clock) {
    this.connection = connection;
    this.redis = connection.async();
    this.keyPrefix = keyPrefix;
    this.timeout = connection.commandTimeout();
    this.compact = compact;
    this.view = compact == null ? null : new CompactView(compact);
    this.memo = memo;
    this.clock = clock;
  }

  /**
   * A reader over {@code connection} of the layout {@code config} selects ({@code
   * usagesink.layout}); {@link LayoutSettings#keyPrefix()} marks bookkeeping keys to leave out of
   * dumps. On the compact layout every query answers exactly what the CRS layout would hold for the
   * same events (computed by {@link CompactView}); zone, metrics window and statistics switches
   * must be the writers'. The compact layout keeps data longer than CRS's TTLs (hour buckets with
   * their minute cells 8 days, month hashes 400 days), so this reader applies CRS's windows on
   * {@link SinkConfig#clock()}: a minute answers empty once {@code metricsWindow * 120 s} (10
   * minutes by default) passed after its end, an hour after 7 days, a day after 32 days and a month
   * after 365 days, as the CRS keys would have expired had their last event come at the period's
   * end (CRS counts its TTL from a key's last write, so it may drop a period up to one period
   * earlier when traffic stopped early in it). All-time totals never expire. {@link #crsView()} and
   * {@link #dumpCompact()} show what is stored.
   *
   * @throws io.usagesink.ConfigurationException when {@code usagesink.layout} is invalid
   */
  public static UsageReader of(RedisConnection connection, SinkConfig config) {
    Objects.requireNonNull(connection, "connection");
    Objects.requireNonNull(config, "config");
    LayoutSettings layout = LayoutSettings.from(config);
    CompactLayout compact = layout.compact() ? (CompactLayout) layout.toLayout() : null;
    return new UsageReader(connection, layout.keyPrefix(), compact, null, config.clock());
  }

  /**
   * A reader that remembers every hash it reads (never re-reading it), for rendering one dashboard
   * from one consistent, cheap set of reads. Not for long-lived use: it never sees later writes.
   */
  public UsageReader cached() {
    return new UsageReader(
        connection, keyPrefix, compact, new java.util.concurrent.ConcurrentHashMap<>(), clock);
  }

  /** Whether this reader reads the compact layout. */
  public boolean compactLayout() {
    return compact != null;
  }

  /**
   * An API key's counters in {@code period} ({@code usage:<keyId>}, {@code
   * usage:daily:<keyId>:<day>}, ...).
   */
  public UsageCounts key(String keyId, UsagePeriod period) {
    req(keyId, "keyId");
    String subject = "k|" + keyId;
    boolean totals = period.kind() == UsagePeriod.Kind.ALL_TIME;
    return read(
        CrsKeys.key(keyId, bucket(period), period.label()), totals, false, period, subject::equals);
  }

  /**
   * An API key's counters for one model in {@code period} ({@code
   * usage:<keyId>:model:daily:<model>:<day>}, ...).
   *
   * @throws IllegalArgumentException for {@link UsagePeriod#allTime()}: the layout keeps none
   */
  public UsageCounts keyModel(String keyId, String model, UsagePeriod period) {
    req(keyId, "keyId");
    req(model, "model");
    String subject = "k|" + keyId;
    return read(
        CrsKeys.keyModel(
            keyId, model, modelBucket(period, "per-model statistics of a key"), period.label()),
        false,
        false,
        period,
        subject::equals);
  }

  /**
   * An account's counters in {@code period} ({@code account_usage:<accountId>}, {@code
   * account_usage:daily:...}, ...).
   */
  public UsageCounts account(String accountId, UsagePeriod period) {
    req(accountId, "accountId");
    String s = "a|" + accountId;
    boolean totals = period.kind() == UsagePeriod.Kind.ALL_TIME;
    return read(
        CrsKeys.account(accountId, bucket(period), period.label()),
        totals,
        false,
        period,
        s::equals);
  }

  /**
   * An account's counters for one model in {@code period} ({@code
   * account_usage:model:daily:<accountId>:<model>:<day>}, ...).
   *
   * @throws IllegalArgumentException for {@link UsagePeriod#allTime()}: the layout keeps none
   */
  public UsageCounts accountModel(String accountId, String model, UsagePeriod period) {
    req(accountId, "accountId");
    req(model, "model");
    String subject = "a|" + accountId;
    return read(
        CrsKeys.accountModel(
            accountId,
            model,
            modelBucket(period, "per-model statistics of an account"),
            period.label()),
        false,
        false,
        period,
        subject::equals);
  }

  /**
   * One model's counters over all API keys in {@code period} ({@code
   * usage:model:daily:<model>:<day>}, ...).
   *
   * @throws IllegalArgumentException for {@link UsagePeriod#allTime()}: the layout keeps none
   */
  public UsageCounts model(String model, UsagePeriod period) {
    req(model, "model");
    return read(
        CrsKeys.model(model, modelBucket(period, "per-model statistics"), period.label()),
        false,
        false,
        period,
        subject -> subject.startsWith("k|"));
  }

  /**
   * The system metrics of the UTC minute containing {@code at} ({@code
   * system:metrics:minute:<epochMinute>}).
   */
  public UsageCounts minute(Instant at) {
    String key = CrsKeys.minute(Math.floorDiv(at.toEpochMilli(), 60_000L));
    if (compact != null) {
      Instant end = Instant.ofEpochSecond(Math.floorDiv(at.getEpochSecond(), 60) * 60 + 60);
      if (outsideWindow(end, Duration.ofSeconds(compact.metricsWindow().toMinutes() * 120))) {
        return UsageCounts.of(key, Map.of(), false, true);
      }
      return compactRead(
          key, false, true, List.of(compact.bucketKey(compact.bucketLabel(at))), false, s -> false);
    }
    return read(key, false, true, null, null);
  }

  /** The raw fields of any hash, as integers (absent: empty). */
  public SortedMap<String, Long> hash(String key) {
    Map<String, String> raw = fetch(List.of(req(key, "key"))).get(key);
    return UsageCounts.of(key, raw == null ? Map.of() : raw, false, false).fields();
  }

  private static CrsKeys.Bucket bucket(UsagePeriod period) {
    return switch (period.kind()) {
      case MONTH -> CrsKeys.Bucket.MONTH;
      case DAY -> CrsKeys.Bucket.DAY;
      case HOUR -> CrsKeys.Bucket.HOUR;
      case ALL_TIME -> CrsKeys.Bucket.ALL_TIME;
    };
  }

  /** The bucket of a per-model period; the layout keeps no per-model totals. */
  private static CrsKeys.Bucket modelBucket(UsagePeriod period, String what) {
    if (period.kind() == UsagePeriod.Kind.ALL_TIME) {
      throw new IllegalArgumentException(
          "period all-time is not stored for "
              + what
              + " in this layout; use a month, day or hour");
    }
    return bucket(period);
  }

  private static String req(String value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isEmpty()) {
      throw new IllegalArgumentException(name + " must not be empty");
    }
    return value;
  }

  private UsageCounts read(
      String key, boolean prefixed, boolean minute, UsagePeriod period, Predicate<String> subject) {
    if (compact == null) {
      Map<String, String> raw = fetch(List.of(key)).get(key);
      return UsageCounts.of(key, raw == null ? Map.of() : raw, prefixed, minute);
    }
    if (period.kind() != UsagePeriod.Kind.ALL_TIME && outsideWindow(period)) {
      return UsageCounts.of(key, Map.of(), prefixed, minute); // CRS's key would have expired
    }
    return switch (period.kind()) {
      case HOUR ->
          compactRead(
              key,
              prefixed,
              minute,
              compact.hourBuckets() ? List.of(compact.bucketKey(period.label())) : List.of(),
              false,
              subject);
      case DAY, MONTH ->
          compactRead(
              key,
              prefixed,
              minute,
              List.of(compact.monthKey(CompactLayout.monthOf(period.label()))),
              true,
              subject);
      case ALL_TIME ->
          compactRead(key, prefixed, minute, List.of(compact.totalsKey()), true, subject);
    };
  }

  /** Whether CRS's key of {@code period} would have expired by now (see {@link #of}). */
  private boolean outsideWindow(UsagePeriod period) {
    String label = period.label();
    java.time.ZoneId zone = compact.zone();
    return switch (period.kind()) {
      case HOUR ->
          outsideWindow(
              java.time.LocalDate.parse(label.substring(0, 10))
                  .atTime(Integer.parseInt(label.substring(11, 13)), 0)
                  .atZone(zone)
                  .plusHours(1)
                  .toInstant(),
              HOUR_WINDOW);
      case DAY ->
          outsideWindow(
              java.time.LocalDate.parse(label).plusDays(1).atStartOfDay(zone).toInstant(),
              DAY_WINDOW);
      case MONTH ->
          outsideWindow(
              java.time.YearMonth.parse(label)
                  .plusMonths(1)
                  .atDay(1)
                  .atStartOfDay(zone)
                  .toInstant(),
              MONTH_WINDOW);
      case ALL_TIME -> false;
    };
  }

  private boolean outsideWindow(Instant end, Duration window) {
    return clock.instant().isAfter(end.plus(window));
  }

  /**
   * Reads {@code keys} of the compact layout (and, with {@code open}, the buckets their writers
   * have not folded yet), computes their CRS view and returns the CRS hash {@code crsKey}.
   */
  private UsageCounts compactRead(
      String crsKey,
      boolean prefixed,
      boolean minute,
      List<String> keys,
      boolean open,
      Predicate<String> subject) {
    Map<String, Map<String, String>> raw = new HashMap<>(fetch(keys));
    if (open) {
      Set<String> buckets = new TreeSet<>();
      raw.forEach(
          (key, fields) ->
              fields.forEach(
                  (f, v) -> {
                    if (f.endsWith("|@")) {
                      String w = CompactLayout.watermarkBucket(v);
                      if (!w.equals(CompactLayout.FINAL)
                          && (compact.kind(key) == CompactLayout.KeyKind.TOTALS
                              || CompactLayout.monthOf(w).equals(compact.label(key)))) {
                        buckets.add(compact.bucketKey(w));
                      }
                    }
                  }));
      raw.putAll(fetch(List.copyOf(buckets)));
    }
    SortedMap<String, Long> fields = view.crs(raw, subject).hashes().get(crsKey);
    Map<String, String> text = new TreeMap<>();
    if (fields != null) {
      fields.forEach((f, v) -> text.put(f, Long.toString(v)));
    }
    return UsageCounts.of(crsKey, text, prefixed, minute);
  }

  /**
   * HGETALL of every key (sent together), through the memo when cached; absent hashes are empty.
   */
  private Map<String, Map<String, String>> fetch(List<String> keys) {
    Map<String, Map<String, String>> out = new HashMap<>();
    Map<String, RedisFuture<Map<String, String>>> sent = new LinkedHashMap<>();
    for (String k : keys) {
      Map<String, String> known = memo == null ? null : memo.get(k);
      if (known != null) {
        out.put(k, known);
      } else {
        sent.put(k, redis.hgetall(k));
      }
    }
    sent.forEach(
        (k, f) -> {
          Map<String, String> raw = await(f, "HGETALL " + k);
          Map<String, String> value = raw == null ? Map.of() : raw;
          out.put(k, value);
          if (memo != null) {
            memo.put(k, value);
          }
        });
    return out;
  }

  /**
   * The compact layout's statistics in the CRS layout's keys, fields and values, in the shape of
   * {@link #dump()}: exactly what the CRS layout holds for the same events. TTLs are the ones the
   * CRS layout sets when it writes a key (-1: none); expiry is not simulated, every stored bucket
   * shows.
   *
   * @throws IllegalStateException when this reader does not read the compact layout
   */
  public SortedMap<String, StoredKey> crsView() {
    if (compact == null) {
      throw new IllegalStateException(
          "usagesink.layout is crs: the stored keys are the CRS view; use dump()");
    }
    List<String> keys = new ArrayList<>(scan(compact.prefix() + "*", true));
    CompactView.CrsHashes crs = view.crs(fetch(keys));
    TreeMap<String, StoredKey> out = new TreeMap<>();
    crs.hashes()
        .forEach(
            (key, fields) -> {
              Map<String, String> text = new TreeMap<>();
              fields.forEach((f, v) -> text.put(f, Long.toString(v)));
              out.put(key, StoredKey.hash(text, crs.ttls().getOrDefault(key, -1L)));
            });
    return Collections.unmodifiableSortedMap(out);
  }

  /** The compact layout's own hashes as stored (writer cells), in the shape of {@link #dump()}. */
  public SortedMap<String, StoredKey> dumpCompact() {
    if (compact == null) {
      throw new IllegalStateException(
          "usagesink.layout is crs: there are no compact hashes; use dump()");
    }
    return dump(compact.prefix() + "*", true);
  }

  /**
   * Every statistics key (all keys except those under the bookkeeping prefix), with type, contents
   * and TTL, sorted by key: the shape of the golden files' {@code state}. On a cluster every master
   * is scanned. Not a snapshot: keys written during the dump may or may not appear.
   */
  public SortedMap<String, StoredKey> dump() {
    return dump("*");
  }

  /** Like {@link #dump()}, limited to keys matching the glob {@code pattern} (as SCAN MATCH). */
  public SortedMap<String, StoredKey> dump(String pattern) {
    return dump(pattern, false);
  }

  private List<String> scan(String pattern, boolean bookkeeping) {
    List<String> keys = new ArrayList<>();
    ScanArgs args = ScanArgs.Builder.matches(pattern).limit(1000);
    KeyScanCursor<String> cursor = await(redis.scan(args), "SCAN");
    while (true) {
      for (String k : cursor.getKeys()) {
        if (bookkeeping || !k.startsWith(keyPrefix)) {
          keys.add(k);
        }
      }
      if (cursor.isFinished()) {
        break;
      }
      ScanCursor next = cursor;
      cursor = await(redis.scan(next, args), "SCAN");
    }
    Collections.sort(keys);
    return keys;
  }

  private SortedMap<String, StoredKey> dump(String pattern, boolean bookkeeping) {
    Objects.requireNonNull(pattern, "pattern");
    List<String> keys = scan(pattern, bookkeeping);
    TreeMap<String, StoredKey> out = new TreeMap<>();
    for (int from = 0; from < keys.size(); from += DUMP_BATCH) {
      List<String> batch = keys.subList(from, Math.min(keys.size(), from + DUMP_BATCH));
      List<RedisFuture<String>> types = new ArrayList<>(batch.size());
      List<RedisFuture<Long>> ttls = new ArrayList<>(batch.size());
      for (String k : batch) {
        types.add(redis.type(k));
        ttls.add(redis.ttl(k));
      }
      List<RedisFuture<?>> contents = new ArrayList<>(batch.size());
      for (int i = 0; i < batch.size(); i++) {
        String type = await(types.get(i), "TYPE " + batch.get(i));
        String k = batch.get(i);
        contents.add(
            switch (type) {
              case "hash" -> redis.hgetall(k);
              case "set" -> redis.smembers(k);
              case "string" -> redis.get(k);
              default -> null;
            });
      }
      for (int i = 0; i < batch.size(); i++) {
        String k = batch.get(i);
        String type = await(types.get(i), "TYPE " + k);
        long ttl = await(ttls.get(i), "TTL " + k);
        RedisFuture<?> content = contents.get(i);
        if ("none".equals(type) || ttl == -2) {
          continue; // expired or deleted since the scan
        }
        Object value =
            content == null ? null : await(content, type.toUpperCase(Locale.ROOT) + " " + k);
        out.put(
            k,
            switch (type) {
              case "hash" -> StoredKey.hash(castMap(value), ttl);
              case "set" -> StoredKey.set(castSet(value), ttl);
              case "string" ->
                  new StoredKey("string", new TreeMap<>(), List.of(), (String) value, ttl);
              default -> new StoredKey(type, new TreeMap<>(), List.of(), null, ttl);
            });
      }
    }
    return Collections.unmodifiableSortedMap(out);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> castMap(Object o) {
    return o == null ? Map.of() : (Map<String, String>) o;
  }

  @SuppressWarnings("unchecked")
  private static Set<String> castSet(Object o) {
    return o == null ? Set.of() : (Set<String>) o;
  }

  private <T> T await(Future<T> f, String what) {
    try {
      return f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RedisReadException(
          "interrupted while reading " + what + " from " + connection.maskedUri(), e);
    } catch (ExecutionException e) {
      Throwable c = FailurePolicy.unwrap(e);
      throw new RedisReadException(
          what + " failed on " + connection.maskedUri() + ": " + c.getMessage(), c);
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new RedisReadException(
          what + " got no reply from " + connection.maskedUri() + " within " + timeout, e);
    }
  }

  @Override
  public String toString() {
    return "UsageReader{" + connection.maskedUri() + "}";
  }
}
