package io.usagesink.layout;

import io.usagesink.Measure;
import io.usagesink.plan.UsagePlan;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Objects;

/**
 * The compact statistics layout: the same statistics as the CRS layout ({@link UsageLayouts#crs}),
 * stored so that a flush costs about one Redis command whatever the number of counters it changed.
 * Immutable and thread-safe; pure computation.
 *
 * <h2>Why and how</h2>
 *
 * The CRS layout books a request into 18 hashes with 148 HINCRBYs; batching cannot help when
 * requests rarely share a flush. The compact layout stores only the finest cells and lets readers
 * derive every CRS key from them ({@link CompactView}, which plans the cells with the CRS tables,
 * so no CRS key template exists twice). Each sink instance is a <em>writer</em> with a random id;
 * it owns the cells whose field names start with its id and writes their <b>absolute values</b> (a
 * state-based G-counter): a retried or duplicated write rewrites the same values, so it never
 * counts twice and needs no guard key; a restarted process gets a new id, so no counter goes
 * backwards. Readers sum the writers.
 *
 * <h2>Keys and fields</h2>
 *
 * {@code P} is {@code <keyPrefix>c:} ({@code usagesink:c:} by default); {@code id} a writer id;
 * {@code K}, {@code A}, {@code M} key id, account id and model as recorded ({@code %} and {@code |}
 * percent-encoded; the model is empty when model statistics are off). A cell value is a
 * comma-separated vector {@code requests,input,output,cacheCreate,cacheRead,ephemeral5m,
 * ephemeral1h,longContextRequests,longContextInput,longContextOutput} with trailing zeros left out.
 *
 * <table>
 *   <caption>Hashes</caption>
 *   <tr><th>key</th><th>fields</th><th>TTL, set when the writer first writes the key</th></tr>
 *   <tr><td>{@code P h:<bucket>}: the bucket is the local hour {@code YYYY-MM-DD:HH} (the local day
 *       when hourly statistics are off)</td>
 *       <td>{@code id|k|K|M}, {@code id|a|A|M}: the writer's usage in the bucket; {@code id|m|<epoch
 *       minute>}: the system minute metrics (API-key usage only, as CRS)</td>
 *       <td>8 days (33 with day buckets)</td></tr>
 *   <tr><td>{@code P m:<YYYY-MM>}</td><td>{@code id|k|K|M|DD}, {@code id|a|A|M|DD}: the writer's
 *       usage per day of the month, <em>folded</em> from its buckets before its watermark;
 *       {@code id|@}: the watermark</td><td>400 days</td></tr>
 *   <tr><td>{@code P t}</td><td>{@code id|k|K}, {@code id|a|A}: the writer's folded totals;
 *       {@code id|@}: the watermark</td><td>none</td></tr>
 * </table>
 *
 * The id {@code folded} holds, in the totals hash and in month hashes, the cells of writer ids that
 * were folded for good: ids closed, or silent for 12 hours (a killed process), whose cells a live
 * writer moved there together with the cells they left in their newest bucket (see {@code
 * CompactWriter} in redis-core). Readers treat {@code folded} like any writer without a watermark.
 *
 * <h2>Write cost</h2>
 *
 * A flush writes one {@code HSET} into the bucket hash of its events (plus an {@code EXPIRE} the
 * first time the writer writes that hash). When the writer's newest bucket (its <em>watermark</em>
 * {@code W}) advances, or a late event lands in a bucket before {@code W}, the flush also writes
 * the folded day cells ({@code HSET P m:...}) and totals ({@code HSET P t}) with the new watermark:
 * about two commands per bucket per writer. The watermark value is {@code <bucket> <epoch seconds
 * of the write>}, or {@code ~ <seconds>} once the writer closed (all its buckets folded).
 *
 * <h2>Reading</h2>
 *
 * An hour (and the minute metrics) is its bucket hash. A day or month is the month hash plus, for
 * each writer whose watermark there lies in that month, its cells in the watermark's bucket (not
 * yet folded). All time is the totals hash plus each open writer's cells in its watermark bucket. A
 * dashboard of one key (totals, this month, its daily series, today's hours by model) therefore
 * reads the totals hash, one month hash, the open buckets (usually one) and today's bucket hashes.
 *
 * <h2>Retention</h2>
 *
 * At least CRS's: buckets live 8 days (hourly statistics 7 days, minute metrics 10 minutes, kept
 * longer here because it costs no command), month hashes 400 days (daily 32 days, monthly 365),
 * totals forever. The reader applies CRS's windows (a period answers empty once CRS's key would
 * have expired); the CRS view ({@link CompactView}) shows everything stored.
 */
public final class CompactLayout implements UsageLayout {

  /**
   * The measure of each component of a stored cell vector, in stored order: a format on disk, so
   * new measures go at the end (costs are not stored by this layout). The index constants below
   * name positions in this list.
   */
  public static final List<Measure> VECTOR =
      List.of(
          Measure.REQUESTS,
          Measure.INPUT_TOKENS,
          Measure.OUTPUT_TOKENS,
          Measure.CACHE_CREATE_TOKENS,
          Measure.CACHE_READ_TOKENS,
          Measure.EPHEMERAL_5M_TOKENS,
          Measure.EPHEMERAL_1H_TOKENS,
          Measure.LONG_CONTEXT_REQUESTS,
          Measure.LONG_CONTEXT_INPUT_TOKENS,
          Measure.LONG_CONTEXT_OUTPUT_TOKENS);

  /** Number of components of a cell vector. */
  public static final int MEASURES = VECTOR.size();

  /** Vector index of requests. */
  public static final int REQUESTS = 0;

  /** Vector index of input tokens. */
  public static final int INPUT = 1;

  /** Vector index of output tokens. */
  public static final int OUTPUT = 2;

  /** Vector index of cache-create tokens. */
  public static final int CACHE_CREATE = 3;

  /** Vector index of cache-read tokens. */
  public static final int CACHE_READ = 4;

  /** Vector index of 5-minute ephemeral tokens. */
  public static final int EPHEMERAL_5M = 5;

  /** Vector index of 1-hour ephemeral tokens. */
  public static final int EPHEMERAL_1H = 6;

  /** Vector index of long-context requests. */
  public static final int LC_REQUESTS = 7;

  /** Vector index of long-context input tokens. */
  public static final int LC_INPUT = 8;

  /** Vector index of long-context output tokens. */
  public static final int LC_OUTPUT = 9;

  /** Watermark bucket of a writer that folded everything (closed). Sorts after every bucket. */
  public static final String FINAL = "~";

  /** TTL of a bucket hash of hours, seconds (8 days). */
  public static final long HOUR_BUCKET_TTL = Duration.ofDays(8).toSeconds();

  /** TTL of a bucket hash of days (hourly statistics off), seconds (33 days). */
  public static final long DAY_BUCKET_TTL = Duration.ofDays(33).toSeconds();

  /** TTL of a month hash, seconds (400 days). */
  public static final long MONTH_TTL = Duration.ofDays(400).toSeconds();

  private final ZoneBuckets buckets;
  private final Duration metricsWindow;
  private final StatsPolicy policy;
  private final String prefix;
  private final boolean hourBuckets;

  CompactLayout(ZoneBuckets buckets, Duration metricsWindow, StatsPolicy policy, String keyPrefix) {
    this.buckets = Objects.requireNonNull(buckets, "buckets");
    this.metricsWindow = Objects.requireNonNull(metricsWindow, "metricsWindow");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.prefix = Objects.requireNonNull(keyPrefix, "keyPrefix") + "c:";
    this.hourBuckets = policy.hourly();
  }

  /** What a Redis key of this layout is. */
  public enum KeyKind {
    /** A bucket hash ({@code P h:<bucket>}). */
    BUCKET,
    /** A month hash ({@code P m:<YYYY-MM>}). */
    MONTH,
    /** The totals hash ({@code P t}). */
    TOTALS,
    /** Not a key of this layout. */
    OTHER
  }

  /**
   * A cell: {@code kind} is {@code k} (API key), {@code a} (account) or {@code m} (minute metrics).
   */
  public record Cell(char kind, String subject, String model, long minute) {

    /** The cell's name in fields (without writer id and day). */
    public String name() {
      return kind == 'm' ? "m|" + minute : kind + "|" + escape(subject) + "|" + escape(model);
    }

    /** The subject part only ({@code k|K} or {@code a|A}), the name of its totals cell. */
    public String subjectName() {
      return kind + "|" + escape(subject);
    }

    /**
     * Parses fields parts {@code [from, from+3)} (or {@code [from, from+2)} for a minute cell).
     *
     * @return the cell, or {@code null} if the parts are not a cell
     */
    static Cell parse(String[] parts, int from) {
      if (parts.length <= from + 1 || parts[from].length() != 1) {
        return null;
      }
      char kind = parts[from].charAt(0);
      if (kind == 'm') {
        return new Cell('m', null, null, Long.parseLong(parts[from + 1]));
      }
      if (kind != 'k' && kind != 'a') {
        return null;
      }
      String model = parts.length > from + 2 ? unescape(parts[from + 2]) : "";
      return new Cell(kind, unescape(parts[from + 1]), model, 0);
    }
  }

  @Override
  public void plan(UsageTally t, UsagePlan.Builder into) {
    Objects.requireNonNull(t, "tally");
    Objects.requireNonNull(into, "into");
    if (!policy.enabled()) {
      return;
    }
    String key = bucketKey(bucketLabel(t.at()));
    long[] v = vector(t);
    String model = policy.model() ? t.model() : "";
    if (t.keyId() != null) {
      add(into, key, new Cell('k', t.keyId(), model, 0).name(), v);
      if (policy.minute()) {
        long[] m = new long[MEASURES];
        System.arraycopy(v, 0, m, 0, CACHE_READ + 1);
        add(into, key, "m|" + Math.floorDiv(t.at().getEpochSecond(), 60), m);
      }
    }
    if (t.accountId() != null) {
      add(into, key, new Cell('a', t.accountId(), model, 0).name(), v);
    }
  }

  private static void add(UsagePlan.Builder into, String key, String cell, long[] v) {
    for (int i = 0; i < MEASURES; i++) {
      if (v[i] != 0 || i == REQUESTS) {
        into.increment(key, cell + "#" + i, v[i]);
      }
    }
  }

  /** The vector of a tally, with the policy's cache-detail switch applied. */
  private long[] vector(UsageTally t) {
    long[] v = new long[MEASURES];
    for (int i = 0; i < MEASURES; i++) {
      v[i] = t.get(VECTOR.get(i));
    }
    // only the all-token sums show cache tokens: keep their sum, not the detail
    if (!policy.detailedCache()) {
      v[CACHE_CREATE] += v[CACHE_READ];
      v[CACHE_READ] = 0;
      v[EPHEMERAL_5M] = 0;
      v[EPHEMERAL_1H] = 0;
    }
    return v;
  }

  @Override
  public Instant bucketStart(Instant at) {
    return buckets.bucketStart(Objects.requireNonNull(at, "at"), hourBuckets, policy.minute());
  }

  @Override
  public StatsPolicy policy() {
    return policy;
  }

  /** The zone of the buckets. */
  public ZoneId zone() {
    return buckets.zone();
  }

  /** The metrics window (for the CRS view's minute TTL). */
  public Duration metricsWindow() {
    return metricsWindow;
  }

  /** Whether buckets are hours ({@code false}: days, because hourly statistics are off). */
  public boolean hourBuckets() {
    return hourBuckets;
  }

  /** The prefix of every key of this layout, {@code <keyPrefix>c:}. */
  public String prefix() {
    return prefix;
  }

  /** The label of the bucket containing {@code at}: its local hour, or its local day. */
  public String bucketLabel(Instant at) {
    String[] vars = new String[Placeholder.COUNT];
    buckets.names(at, vars, true, false);
    return vars[(hourBuckets ? Placeholder.HOUR : Placeholder.DAY).ordinal()];
  }

  /** An instant inside the bucket {@code label} (its first local instant). */
  public Instant labelStart(String label) {
    LocalDate day = LocalDate.parse(label.substring(0, 10));
    int hour = label.length() > 10 ? Integer.parseInt(label.substring(11, 13)) : 0;
    LocalDateTime local = day.atTime(hour, 0);
    return local.atZone(buckets.zone()).toInstant();
  }

  /** The month ({@code YYYY-MM}) of a bucket label or day. */
  public static String monthOf(String label) {
    return label.substring(0, 7);
  }

  /** The day of month ({@code DD}) of a bucket label or day. */
  public static String dayOfMonth(String label) {
    return label.substring(8, 10);
  }

  /** The bucket hash of {@code label}. */
  public String bucketKey(String label) {
    return prefix + "h:" + label;
  }

  /** The month hash of {@code month} ({@code YYYY-MM}). */
  public String monthKey(String month) {
    return prefix + "m:" + month;
  }

  /** The totals hash. */
  public String totalsKey() {
    return prefix + "t";
  }

  /** TTL of bucket hashes, seconds. */
  public long bucketTtl() {
    return hourBuckets ? HOUR_BUCKET_TTL : DAY_BUCKET_TTL;
  }

  /** The kind of {@code key}. */
  public KeyKind kind(String key) {
    if (!key.startsWith(prefix)) {
      return KeyKind.OTHER;
    }
    String rest = key.substring(prefix.length());
    if (rest.equals("t")) {
      return KeyKind.TOTALS;
    }
    if (rest.startsWith("h:")) {
      return KeyKind.BUCKET;
    }
    return rest.startsWith("m:") ? KeyKind.MONTH : KeyKind.OTHER;
  }

  /** The label ({@code <bucket>} or {@code YYYY-MM}) of a bucket or month key. */
  public String label(String key) {
    return key.substring(prefix.length() + 2);
  }

  /** The bucket of a watermark value ({@code <bucket> <seconds>}). */
  public static String watermarkBucket(String value) {
    int sp = value.indexOf(' ');
    return sp < 0 ? value : value.substring(0, sp);
  }

  /** Percent-encodes {@code %} and {@code |}. */
  public static String escape(String s) {
    if (s.indexOf('%') < 0 && s.indexOf('|') < 0) {
      return s;
    }
    return s.replace("%", "%25").replace("|", "%7C");
  }

  /** Reverses {@link #escape}. */
  public static String unescape(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    return s.replace("%7C", "|").replace("%25", "%");
  }

  /** The text of a vector: decimal components, trailing zeros left out. */
  public static String encode(long[] v) {
    int n = v.length;
    while (n > 1 && v[n - 1] == 0) {
      n--;
    }
    StringBuilder b = new StringBuilder(n * 4);
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        b.append(',');
      }
      b.append(v[i]);
    }
    return b.toString();
  }

  /**
   * Parses a vector.
   *
   * @throws IllegalArgumentException when the text is not a vector (the message shows it)
   */
  public static long[] decode(String text) {
    long[] v = new long[MEASURES];
    int i = 0;
    int from = 0;
    try {
      while (from <= text.length() && i < MEASURES) {
        int comma = text.indexOf(',', from);
        int end = comma < 0 ? text.length() : comma;
        v[i++] = Long.parseLong(text, from, end, 10);
        if (comma < 0) {
          break;
        }
        from = comma + 1;
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a compact cell value: \"" + text + "\"", e);
    }
    return v;
  }

  /** Adds {@code b} into {@code a}, exactly. */
  public static void addInto(long[] a, long[] b) {
    for (int i = 0; i < MEASURES; i++) {
      a[i] = Math.addExact(a[i], b[i]);
    }
  }

  @Override
  public String toString() {
    return "compact[zone="
        + buckets.zone()
        + ", metricsWindow="
        + metricsWindow
        + ", policy="
        + policy
        + ", prefix="
        + prefix
        + "]";
  }
}
