package io.usagesink.testkit.golden;

import io.usagesink.testkit.redis.StoredKey;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The state a golden case must leave in <em>this</em> library: CRS's recorded state, and for a case
 * where the library deliberately deviates ({@link GoldenCase#DEVIATIONS}) that recorded state with
 * the documented deviation applied by a small transformation written here, from the deviation's
 * description, not from the layout or planner. So a backend's golden test never takes its
 * expectation from the code under test. Stateless; thread-safe.
 */
public final class GoldenExpectations {

  private GoldenExpectations() {}

  /**
   * Model names CRS books for an empty and a null model, which this library books as {@code
   * unknown}.
   */
  private static final Map<String, String> UNKNOWN_MODELS =
      Map.of("", "unknown", "null", "unknown");

  /** The key segments after which a token-usage key holds the model name. */
  private static final String[] MODEL_SEGMENTS = {
    ":model:daily:", ":model:monthly:", ":model:hourly:"
  };

  /**
   * The state {@code c} must leave: {@link GoldenCase#state()} for a conforming case; for {@code
   * token-model-empty-and-null}, the recorded state with the model segments {@code ""} and {@code
   * null} of every token-usage key renamed to {@code unknown} and the hashes that then share a key
   * merged (fields summed; the TTLs are equal, as both were set by the same events).
   *
   * @throws IllegalStateException for a deviating case this transformation does not know, or one
   *     whose keys it cannot transform (an account key), naming the case
   */
  public static SortedMap<String, StoredKey> expectedState(GoldenCase c) {
    if (c.deviation().isEmpty()) {
      return c.state();
    }
    if (!c.name().equals("token-model-empty-and-null")) {
      throw new IllegalStateException(
          "no transformation for the deviation of golden case "
              + c.name()
              + "; known: token-model-empty-and-null");
    }
    return unknownModels(c);
  }

  private static SortedMap<String, StoredKey> unknownModels(GoldenCase c) {
    Map<String, Map<String, Long>> hashes = new HashMap<>();
    Map<String, Long> ttls = new HashMap<>();
    c.state()
        .forEach(
            (key, value) -> {
              if (!value.type().equals(StoredKey.HASH) || key.startsWith("account_usage")) {
                throw new IllegalStateException(
                    "golden case "
                        + c.name()
                        + ": cannot transform key "
                        + key
                        + " (only token-usage hashes are allowed)");
              }
              String target = renamed(key);
              Long ttl = ttls.put(target, value.ttl());
              if (ttl != null && ttl != value.ttl()) {
                throw new IllegalStateException(
                    "golden case "
                        + c.name()
                        + ": keys merged into "
                        + target
                        + " have TTLs "
                        + ttl
                        + " and "
                        + value.ttl());
              }
              Map<String, Long> fields = hashes.computeIfAbsent(target, k -> new HashMap<>());
              value.fields().forEach((f, v) -> fields.merge(f, Long.parseLong(v), Math::addExact));
            });
    SortedMap<String, StoredKey> out = new TreeMap<>();
    hashes.forEach(
        (key, fields) -> {
          Map<String, String> text = new HashMap<>();
          fields.forEach((f, v) -> text.put(f, Long.toString(v)));
          out.put(key, StoredKey.hash(text, ttls.get(key)));
        });
    return out;
  }

  /** {@code key} with a model segment of {@link #UNKNOWN_MODELS} renamed. */
  private static String renamed(String key) {
    for (String segment : MODEL_SEGMENTS) {
      int at = key.indexOf(segment);
      if (at < 0) {
        continue;
      }
      int start = at + segment.length();
      int end = key.indexOf(':', start);
      String model = end < 0 ? key.substring(start) : key.substring(start, end);
      String replacement = UNKNOWN_MODELS.get(model);
      if (replacement != null) {
        return key.substring(0, start) + replacement + (end < 0 ? "" : key.substring(end));
      }
    }
    return key;
  }
}
