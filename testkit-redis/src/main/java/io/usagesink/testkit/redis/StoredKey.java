package io.usagesink.testkit.redis;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One key of a Redis database as the test kit models it everywhere (golden files, the plan
 * interpreter, state dumps read from a fixture, strategy comparisons): its type, its content and
 * its TTL. Immutable; hash fields are sorted by name and set members sorted, so equal content
 * compares equal.
 *
 * @param type {@value #HASH}, {@value #SET} or {@value #STRING} (another Redis type is kept by
 *     name, content empty)
 * @param fields the hash fields and their values as Redis returns them (empty unless a hash)
 * @param members the set members, sorted and distinct (empty unless a set)
 * @param value the string value ({@code null} unless a string)
 * @param ttl seconds to live, or {@code -1} when the key never expires ({@code 0}: expires within
 *     the second, or a TTL left out of a comparison with {@link #withTtl})
 */
public record StoredKey(
    String type, SortedMap<String, String> fields, List<String> members, String value, long ttl) {

  /** Type name of a hash. */
  public static final String HASH = "hash";

  /** Type name of a set. */
  public static final String SET = "set";

  /** Type name of a string. */
  public static final String STRING = "string";

  /** Validates and copies the content into sorted, unmodifiable collections. */
  public StoredKey {
    Objects.requireNonNull(type, "type");
    if (ttl < -1) {
      throw new IllegalArgumentException("ttl must be -1 (none) or >= 0 but was " + ttl);
    }
    fields = Collections.unmodifiableSortedMap(new TreeMap<>(fields));
    members = members.stream().sorted().distinct().toList();
    if (!fields.isEmpty() && !type.equals(HASH)
        || !members.isEmpty() && !type.equals(SET)
        || value != null && !type.equals(STRING)) {
      throw new IllegalArgumentException(
          "a "
              + type
              + " has no "
              + (!fields.isEmpty() ? "fields" : !members.isEmpty() ? "members" : "string value"));
    }
  }

  /** A hash with the given fields. */
  public static StoredKey hash(Map<String, String> fields, long ttl) {
    return new StoredKey(HASH, new TreeMap<>(fields), List.of(), null, ttl);
  }

  /** A set with the given members. */
  public static StoredKey set(Collection<String> members, long ttl) {
    return new StoredKey(SET, new TreeMap<>(), List.copyOf(members), null, ttl);
  }

  /** A string. */
  public static StoredKey string(String value, long ttl) {
    return new StoredKey(
        STRING, new TreeMap<>(), List.of(), Objects.requireNonNull(value, "value"), ttl);
  }

  /** This key with the TTL replaced (e.g. 0 to compare content only). */
  public StoredKey withTtl(long newTtl) {
    return new StoredKey(type, fields, members, value, newTtl);
  }

  /** Whether the key expires ({@code ttl > 0}). */
  public boolean expires() {
    return ttl > 0;
  }

  /**
   * The content in one short line: {@code hash 9 fields}, {@code set 3 members}, {@code string
   * "x"}.
   */
  String summary() {
    return switch (type) {
          case HASH -> "hash, " + fields.size() + " fields";
          case SET -> "set, " + members.size() + " members";
          case STRING -> "string \"" + value + "\"";
          default -> type;
        }
        + ", ttl "
        + ttl;
  }
}
