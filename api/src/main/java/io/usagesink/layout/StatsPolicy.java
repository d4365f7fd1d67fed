package io.usagesink.layout;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Which statistics dimensions a layout writes: the originating note's configuration switches.
 * Immutable and thread-safe. Every switch is on by default ({@link #ALL}).
 *
 * <p>What each switch removes from the reference layout ({@link UsageLayouts#crs()}), counters and
 * the matching {@code EXPIRE}s alike. Switches combine: a key or field goes when any switch that
 * covers it is off.
 *
 * <ul>
 *   <li>{@code enabled=false} ({@value #ENABLE_USAGE_STATISTICS}): everything; every plan is empty,
 *       whatever the other switches say.
 *   <li>{@code hourly=false} ({@value #ENABLE_HOURLY_STATS}): every key with an hour bucket: {@code
 *       usage:hourly:{keyId}:{hour}}, {@code usage:model:hourly:{model}:{hour}}, {@code
 *       usage:{keyId}:model:hourly:{model}:{hour}}, {@code account_usage:hourly:{accountId}:{hour}}
 *       (with its {@code model:{model}:*} fields) and {@code
 *       account_usage:model:hourly:{accountId}:{model}:{hour}}.
 *   <li>{@code minute=false} ({@value #ENABLE_MINUTE_STATS}): {@code
 *       system:metrics:minute:{minute}}.
 *   <li>{@code model=false} ({@value #ENABLE_MODEL_STATS}): every key with a model in its name
 *       ({@code usage:model:*}, {@code usage:{keyId}:model:*}, {@code account_usage:model:*}) and
 *       the {@code model:{model}:*} fields of the account hourly hash.
 *   <li>{@code detailedCache=false} ({@value #ENABLE_DETAILED_CACHE_STATS}): in every remaining
 *       key, the fields that count cache-create, cache-read and 5-minute/1-hour ephemeral tokens
 *       ({@code totalCacheCreateTokens}, {@code totalCacheReadTokens}, {@code
 *       totalEphemeral5mTokens}, {@code totalEphemeral1hTokens}, {@code cacheCreateTokens}, {@code
 *       cacheReadTokens}, {@code ephemeral5mTokens}, {@code ephemeral1hTokens}, {@code
 *       model:{model}:cacheCreateTokens}, {@code model:{model}:cacheReadTokens}). The all-token
 *       sums ({@code totalAllTokens}, {@code allTokens}, and {@code totalTokens} of the minute
 *       hash) still include cache tokens.
 * </ul>
 *
 * Nothing else is removed: in particular the per-key/account totals, daily and monthly keys with
 * their core fields ({@code tokens}, {@code inputTokens}, {@code outputTokens}, {@code allTokens},
 * {@code requests}) and the long-context fields (written only for long-context requests) stay
 * whenever statistics are enabled. No switch leaves a key without fields.
 *
 * @param enabled whether any statistics are written
 * @param hourly whether hourly keys are written
 * @param minute whether the system minute metrics are written
 * @param model whether per-model keys and fields are written
 * @param detailedCache whether cache and ephemeral detail fields are written
 */
public record StatsPolicy(
    boolean enabled, boolean hourly, boolean minute, boolean model, boolean detailedCache) {

  /** Environment switch of {@link #enabled()}. */
  public static final String ENABLE_USAGE_STATISTICS = "ENABLE_USAGE_STATISTICS";

  /** Environment switch of {@link #hourly()}. */
  public static final String ENABLE_HOURLY_STATS = "ENABLE_HOURLY_STATS";

  /** Environment switch of {@link #minute()}. */
  public static final String ENABLE_MINUTE_STATS = "ENABLE_MINUTE_STATS";

  /** Environment switch of {@link #model()}. */
  public static final String ENABLE_MODEL_STATS = "ENABLE_MODEL_STATS";

  /** Environment switch of {@link #detailedCache()}. */
  public static final String ENABLE_DETAILED_CACHE_STATS = "ENABLE_DETAILED_CACHE_STATS";

  /** Every statistic of the layout (the default). */
  public static final StatsPolicy ALL = new StatsPolicy(true, true, true, true, true);

  /** No statistics at all. */
  public static final StatsPolicy OFF = new StatsPolicy(false, false, false, false, false);

  /** The note's "core" set: totals, daily and monthly only, without cache detail. */
  public static final StatsPolicy CORE = new StatsPolicy(true, false, false, false, false);

  /**
   * Reads the originating note's switches through {@code lookup} (for example {@code
   * System::getenv} or a property lookup): {@value #ENABLE_USAGE_STATISTICS}, {@value
   * #ENABLE_HOURLY_STATS}, {@value #ENABLE_MINUTE_STATS}, {@value #ENABLE_MODEL_STATS} and {@value
   * #ENABLE_DETAILED_CACHE_STATS}.
   *
   * <p>As in the note, a switch is on unless its value is {@code false}. Surrounding whitespace and
   * letter case are ignored: {@code FALSE} and {@code " false "} also switch off, because whoever
   * wrote them meant off (the note only says "unless set to the string false"; this is our one,
   * deliberate, leniency). Every other value, an empty one and an absent one ({@code null} from
   * {@code lookup}) leave the switch on; in particular {@code 0}, {@code no} and {@code off} do
   * <em>not</em> switch off, exactly as in the note.
   *
   * <p>When {@value #ENABLE_USAGE_STATISTICS} is off the result is {@link #OFF}, whatever the other
   * switches say.
   *
   * @param lookup returns the value of a switch by name, or {@code null} when it is not set
   * @return the policy the switches describe
   */
  public static StatsPolicy fromSwitches(Function<String, String> lookup) {
    Objects.requireNonNull(lookup, "lookup");
    if (!switchOn(lookup.apply(ENABLE_USAGE_STATISTICS))) {
      return OFF;
    }
    return new StatsPolicy(
        true,
        switchOn(lookup.apply(ENABLE_HOURLY_STATS)),
        switchOn(lookup.apply(ENABLE_MINUTE_STATS)),
        switchOn(lookup.apply(ENABLE_MODEL_STATS)),
        switchOn(lookup.apply(ENABLE_DETAILED_CACHE_STATS)));
  }

  /**
   * Whether a switch value leaves its switch on: {@code true} unless the value is {@code false}
   * (ignoring case and surrounding whitespace). {@code null} (not set) is on.
   */
  public static boolean switchOn(String value) {
    return value == null || !value.strip().equalsIgnoreCase("false");
  }

  /**
   * The originating note's switches that describe this policy, by name ({@code "true"} or {@code
   * "false"}); {@link #fromSwitches} reads them back to an equal policy (to {@link #OFF} when not
   * {@link #enabled()}).
   */
  public Map<String, String> switches() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(ENABLE_USAGE_STATISTICS, Boolean.toString(enabled));
    m.put(ENABLE_HOURLY_STATS, Boolean.toString(hourly));
    m.put(ENABLE_MINUTE_STATS, Boolean.toString(minute));
    m.put(ENABLE_MODEL_STATS, Boolean.toString(model));
    m.put(ENABLE_DETAILED_CACHE_STATS, Boolean.toString(detailedCache));
    return Collections.unmodifiableMap(m);
  }

  /** This policy with hourly switched as given. */
  public StatsPolicy withHourly(boolean on) {
    return new StatsPolicy(enabled, on, minute, model, detailedCache);
  }

  /** This policy with minute switched as given. */
  public StatsPolicy withMinute(boolean on) {
    return new StatsPolicy(enabled, hourly, on, model, detailedCache);
  }

  /** This policy with model switched as given. */
  public StatsPolicy withModel(boolean on) {
    return new StatsPolicy(enabled, hourly, minute, on, detailedCache);
  }

  /** This policy with detailed cache switched as given. */
  public StatsPolicy withDetailedCache(boolean on) {
    return new StatsPolicy(enabled, hourly, minute, model, on);
  }

  /** This policy with everything switched as given. */
  public StatsPolicy withEnabled(boolean on) {
    return new StatsPolicy(on, hourly, minute, model, detailedCache);
  }
}
