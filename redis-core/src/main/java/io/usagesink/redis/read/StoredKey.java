package io.usagesink.redis.read;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One stored key as {@link UsageReader#dump()} reports it, in the shape of the golden files' {@code
 * state}: its type ({@code hash}, {@code set}, {@code string}, ...), the hash fields or the set
 * members (sorted), the string value, and the TTL in seconds ({@code -1}: none). Immutable.
 *
 * @param type the Redis type
 * @param fields hash fields (empty unless a hash)
 * @param members set members, sorted (empty unless a set)
 * @param value string value ({@code null} unless a string)
 * @param ttl seconds to live, or -1 when the key does not expire
 */
public record StoredKey(
    String type, SortedMap<String, String> fields, List<String> members, String value, long ttl) {

  /** Makes unmodifiable sorted copies. */
  public StoredKey {
    fields = Collections.unmodifiableSortedMap(new TreeMap<>(fields));
    members = members.stream().sorted().toList();
  }

  /** A hash. */
  public static StoredKey hash(Map<String, String> fields, long ttl) {
    return new StoredKey("hash", new TreeMap<>(fields), List.of(), null, ttl);
  }

  /** A set. */
  public static StoredKey set(Collection<String> members, long ttl) {
    return new StoredKey("set", new TreeMap<>(), List.copyOf(members), null, ttl);
  }

  /** This key with the TTL replaced (for comparisons that tolerate TTL drift). */
  public StoredKey withTtl(long newTtl) {
    return new StoredKey(type, fields, members, value, newTtl);
  }
}
