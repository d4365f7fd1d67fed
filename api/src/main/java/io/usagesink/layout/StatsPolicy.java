package io.usagesink.layout;

/**
 * Which statistics dimensions a layout writes: the originating note's configuration switches.
 * Immutable. Every switch is on by default ({@link #ALL}).
 *
 * <p>What each switch removes from the reference layout ({@link UsageLayouts#crs()}):
 * <ul>
 *   <li>{@code enabled=false} ({@code ENABLE_USAGE_STATISTICS}): everything; plans are empty.
 *   <li>{@code hourly=false} ({@code ENABLE_HOURLY_STATS}): every {@code ...hourly...} key
 *       ({@code usage:hourly:*}, {@code usage:model:hourly:*}, {@code usage:*:model:hourly:*},
 *       {@code account_usage:hourly:*}, {@code account_usage:model:hourly:*}).
 *   <li>{@code minute=false} ({@code ENABLE_MINUTE_STATS}): {@code system:metrics:minute:*}.
 *   <li>{@code model=false} ({@code ENABLE_MODEL_STATS}): every per-model key
 *       ({@code usage:model:*}, {@code usage:*:model:*}, {@code account_usage:model:*}) and the
 *       {@code model:{model}:*} fields of the account hourly hash.
 *   <li>{@code detailedCache=false} ({@code ENABLE_DETAILED_CACHE_STATS}): the cache-create,
 *       cache-read and ephemeral 5m/1h fields everywhere ({@code allTokens} still counts cache
 *       tokens).
 * </ul>
 *
 * @param enabled whether any statistics are written
 * @param hourly whether hourly keys are written
 * @param minute whether the system minute metrics are written
 * @param model whether per-model keys and fields are written
 * @param detailedCache whether cache and ephemeral detail fields are written
 */
public record StatsPolicy(boolean enabled, boolean hourly, boolean minute, boolean model, boolean detailedCache) {

  /** Every statistic of the layout (the default). */
  public static final StatsPolicy ALL = new StatsPolicy(true, true, true, true, true);

  /** No statistics at all. */
  public static final StatsPolicy OFF = new StatsPolicy(false, false, false, false, false);

  /** The note's "core" set: totals, daily and monthly only. */
  public static final StatsPolicy CORE = new StatsPolicy(true, false, false, false, false);

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
