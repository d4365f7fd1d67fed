package io.usagesink.redis.read;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The counters of one stored statistics hash, under uniform names whatever the hash calls them
 * ({@code totalInputTokens} in the totals hashes, {@code inputTokens} elsewhere). A field absent
 * from the hash counts as 0; an absent hash gives {@link #isEmpty() all zeros}. Immutable.
 *
 * @param key the Redis key read
 * @param requests requests
 * @param inputTokens input tokens
 * @param outputTokens output tokens
 * @param cacheCreateTokens cache-create tokens
 * @param cacheReadTokens cache-read tokens
 * @param allTokens input + output + cache tokens as stored
 * @param ephemeral5mTokens 5-minute ephemeral cache tokens
 * @param ephemeral1hTokens 1-hour ephemeral cache tokens
 * @param longContextRequests long-context requests
 * @param longContextInputTokens input tokens of long-context requests
 * @param longContextOutputTokens output tokens of long-context requests
 * @param fields every field of the hash as stored (sorted by name; includes fields not mapped
 *     above, such as the per-model fields of the account hourly hash)
 */
public record UsageCounts(
    String key,
    long requests,
    long inputTokens,
    long outputTokens,
    long cacheCreateTokens,
    long cacheReadTokens,
    long allTokens,
    long ephemeral5mTokens,
    long ephemeral1hTokens,
    long longContextRequests,
    long longContextInputTokens,
    long longContextOutputTokens,
    SortedMap<String, Long> fields) {

  /** Makes {@code fields} an unmodifiable sorted copy. */
  public UsageCounts {
    fields = Collections.unmodifiableSortedMap(new TreeMap<>(fields));
  }

  /**
   * Input + output tokens (the layout's {@code tokens} / {@code totalTokens} of API-key hashes).
   */
  public long coreTokens() {
    return inputTokens + outputTokens;
  }

  /** Whether the hash was absent or empty. */
  public boolean isEmpty() {
    return fields.isEmpty();
  }

  /**
   * Maps a hash's fields to counts. {@code prefixed} strips a leading {@code total} ({@code
   * totalInputTokens} -> {@code inputTokens}); {@code minute} reads {@code totalTokens} as all
   * tokens (the system minute hash).
   */
  static UsageCounts of(String key, Map<String, String> raw, boolean prefixed, boolean minute) {
    TreeMap<String, Long> fields = new TreeMap<>();
    raw.forEach((f, v) -> fields.put(f, parse(key, f, v)));
    long[] c = new long[11];
    fields.forEach(
        (f, v) -> {
          String name = f;
          if (minute && name.equals("totalTokens")) {
            name = "allTokens";
          } else if (prefixed && name.startsWith("total") && name.length() > 5) {
            name = Character.toLowerCase(name.charAt(5)) + name.substring(6);
          }
          int i =
              switch (name) {
                case "requests" -> 0;
                case "inputTokens" -> 1;
                case "outputTokens" -> 2;
                case "cacheCreateTokens" -> 3;
                case "cacheReadTokens" -> 4;
                case "allTokens" -> 5;
                case "ephemeral5mTokens" -> 6;
                case "ephemeral1hTokens" -> 7;
                case "longContextRequests" -> 8;
                case "longContextInputTokens" -> 9;
                case "longContextOutputTokens" -> 10;
                default -> -1;
              };
          if (i >= 0) {
            c[i] = v;
          }
        });
    return new UsageCounts(
        key, c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], fields);
  }

  private static long parse(String key, String field, String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalStateException(
          "field " + field + " of " + key + " is not an integer: \"" + value + "\"", e);
    }
  }
}
