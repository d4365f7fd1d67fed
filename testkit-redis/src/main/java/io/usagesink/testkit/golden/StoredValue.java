package io.usagesink.testkit.golden;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One key of a Redis database as the golden files record it: its type, its content and its TTL.
 * Immutable; hash fields are sorted by name, set members sorted, so equal content compares equal.
 *
 * @param type {@code hash} or {@code set}
 * @param fields the hash fields and their values as Redis returns them (empty for a set)
 * @param members the set members, sorted (empty for a hash)
 * @param ttl seconds to live, or {@code -1} when the key never expires
 */
public record StoredValue(String type, SortedMap<String, String> fields, List<String> members, long ttl) {

  /** Type name of a hash. */
  public static final String HASH = "hash";
  /** Type name of a set. */
  public static final String SET = "set";

  /** Validates the type and copies the content into sorted, unmodifiable collections. */
  public StoredValue {
    Objects.requireNonNull(type, "type");
    if (!type.equals(HASH) && !type.equals(SET)) {
      throw new IllegalArgumentException("type must be hash or set but was " + type);
    }
    if (ttl < -1 || ttl == 0) {
      throw new IllegalArgumentException("ttl must be -1 (none) or > 0 but was " + ttl);
    }
    fields = Collections.unmodifiableSortedMap(new TreeMap<>(fields));
    members = members.stream().sorted().distinct().toList();
    if (type.equals(HASH) && !members.isEmpty() || type.equals(SET) && !fields.isEmpty()) {
      throw new IllegalArgumentException("a " + type + " has only " + (type.equals(HASH) ? "fields" : "members"));
    }
  }

  /** A hash with the given fields. */
  public static StoredValue hash(Map<String, String> fields, long ttl) {
    return new StoredValue(HASH, new TreeMap<>(fields), List.of(), ttl);
  }

  /** A set with the given members. */
  public static StoredValue set(List<String> members, long ttl) {
    return new StoredValue(SET, new TreeMap<>(), members, ttl);
  }
}
