package io.usagesink.testkit.contract;

import io.usagesink.UsageEvent;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

/**
 * The complete totals hash the reference (CRS) layout keeps for one API key ({@code usage:{keyId}})
 * or one account ({@code account_usage:{accountId}}): every field with its value. Immutable.
 *
 * <p>{@link #ofKey} and {@link #ofAccount} compute the expectation by plain arithmetic over the
 * events' numbers, written down here from {@code crs-usage-layout.md} sections 5 and 6, without the
 * library's layout or planner, so a planner defect cannot hide in its own expectation:
 *
 * <ul>
 *   <li>key: {@code totalTokens} = sum of input + output, {@code totalInputTokens}, {@code
 *       totalOutputTokens}, {@code totalCacheCreateTokens}, {@code totalCacheReadTokens}, {@code
 *       totalAllTokens} = sum of all four kinds, {@code totalEphemeral5mTokens}, {@code
 *       totalEphemeral1hTokens}, {@code totalRequests} = number of events;
 *   <li>account: the same without the two ephemeral fields;
 *   <li>both: when at least one event is long-context, also {@code totalLongContextInputTokens},
 *       {@code totalLongContextOutputTokens} (sums over the long-context events) and {@code
 *       totalLongContextRequests}.
 * </ul>
 *
 * No events give no hash at all ({@link #isAbsent()}), as Redis keeps no empty hash.
 *
 * @param hashKey the Redis key, e.g. {@code usage:k1}
 * @param fields every field of the hash with its decimal value, sorted by field name
 */
public record StoredTotals(String hashKey, SortedMap<String, Long> fields) {

  /** Copies the fields. */
  public StoredTotals {
    Objects.requireNonNull(hashKey, "hashKey");
    fields = Collections.unmodifiableSortedMap(new TreeMap<>(fields));
  }

  /** The key of the totals hash of {@code keyId}: {@code usage:{keyId}}. */
  public static String keyHash(String keyId) {
    return "usage:" + Objects.requireNonNull(keyId, "keyId");
  }

  /** The key of the totals hash of {@code accountId}: {@code account_usage:{accountId}}. */
  public static String accountHash(String accountId) {
    return "account_usage:" + Objects.requireNonNull(accountId, "accountId");
  }

  /** What {@code usage:{keyId}} holds after {@code events} (only those with this key id count). */
  public static StoredTotals ofKey(String keyId, Collection<UsageEvent> events) {
    return sum(keyHash(keyId), events.stream().filter(e -> keyId.equals(e.keyId())).toList(), true);
  }

  /**
   * What {@code account_usage:{accountId}} holds after {@code events} (only this account's count).
   */
  public static StoredTotals ofAccount(String accountId, Collection<UsageEvent> events) {
    return sum(
        accountHash(accountId),
        events.stream().filter(e -> accountId.equals(e.accountId())).toList(),
        false);
  }

  /**
   * Reads {@code hashKey} through {@code state}.
   *
   * @throws IllegalStateException if a field's value is not a decimal integer (names the key, field
   *     and value)
   */
  public static StoredTotals read(StoredState state, String hashKey) {
    SortedMap<String, Long> fields = new TreeMap<>();
    for (Map.Entry<String, String> f : state.hash(hashKey).entrySet()) {
      try {
        fields.put(f.getKey(), Long.parseLong(f.getValue()));
      } catch (NumberFormatException e) {
        throw new IllegalStateException(
            hashKey
                + " field "
                + f.getKey()
                + " holds \""
                + f.getValue()
                + "\"; only decimal integers are allowed",
            e);
      }
    }
    return new StoredTotals(hashKey, fields);
  }

  /** Whether the hash does not exist (no fields). */
  public boolean isAbsent() {
    return fields.isEmpty();
  }

  private static StoredTotals sum(
      String hashKey, Collection<UsageEvent> events, boolean ephemeral) {
    SortedMap<String, Long> f = new TreeMap<>();
    if (events.isEmpty()) {
      return new StoredTotals(hashKey, f);
    }
    f.put("totalTokens", total(events, e -> e.inputTokens() + e.outputTokens()));
    f.put("totalInputTokens", total(events, UsageEvent::inputTokens));
    f.put("totalOutputTokens", total(events, UsageEvent::outputTokens));
    f.put("totalCacheCreateTokens", total(events, UsageEvent::cacheCreateTokens));
    f.put("totalCacheReadTokens", total(events, UsageEvent::cacheReadTokens));
    f.put(
        "totalAllTokens",
        total(
            events,
            e -> e.inputTokens() + e.outputTokens() + e.cacheCreateTokens() + e.cacheReadTokens()));
    if (ephemeral) {
      f.put("totalEphemeral5mTokens", total(events, UsageEvent::ephemeral5mTokens));
      f.put("totalEphemeral1hTokens", total(events, UsageEvent::ephemeral1hTokens));
    }
    f.put("totalRequests", (long) events.size());
    if (events.stream().anyMatch(UsageEvent::longContext)) {
      f.put(
          "totalLongContextInputTokens", total(events, e -> e.longContext() ? e.inputTokens() : 0));
      f.put(
          "totalLongContextOutputTokens",
          total(events, e -> e.longContext() ? e.outputTokens() : 0));
      f.put("totalLongContextRequests", total(events, e -> e.longContext() ? 1 : 0));
    }
    return new StoredTotals(hashKey, f);
  }

  private static long total(Collection<UsageEvent> events, ToLongFunction<UsageEvent> field) {
    long sum = 0;
    for (UsageEvent e : events) {
      sum = Math.addExact(sum, field.applyAsLong(e));
    }
    return sum;
  }
}
