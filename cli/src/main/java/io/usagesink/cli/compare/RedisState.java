package io.usagesink.cli.compare;

import io.usagesink.redis.read.StoredKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The keys of a Redis database as values, in the {@code state} format of the golden reference
 * files: key -> {@code {"type": "hash", "fields": {...}, "ttl": N}} or {@code {"type": "set",
 * "members": [...], "ttl": N}} ({@code ttl} -1 means no expiry). Keys, fields and members are
 * sorted. Strings (which the statistics never use) appear with their {@code value}, other types
 * with their type and TTL only. Each key is redis-core's {@link StoredKey}.
 *
 * <p>Immutable and thread-safe.
 */
public final class RedisState {

  /**
   * The JSON shape of one key: {@code type}, then {@code fields} (hashes), {@code members} (sets)
   * or {@code value} (strings), then {@code ttl}.
   */
  private static Map<String, Object> toJson(StoredKey key) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", key.type());
    if (key.type().equals("hash")) {
      m.put("fields", key.fields());
    }
    if (key.type().equals("set")) {
      m.put("members", key.members());
    }
    if (key.value() != null) {
      m.put("value", key.value());
    }
    m.put("ttl", key.ttl());
    return m;
  }

  /** Same type and content; TTLs equal, or both expiring and within {@code ttlToleranceSeconds}. */
  private static boolean same(StoredKey a, StoredKey b, long ttlToleranceSeconds) {
    if (!a.withTtl(0).equals(b.withTtl(0))) {
      return false;
    }
    if (a.ttl() < 0 || b.ttl() < 0) {
      return a.ttl() == b.ttl();
    }
    return Math.abs(a.ttl() - b.ttl()) <= ttlToleranceSeconds;
  }

  private final SortedMap<String, StoredKey> keys;

  /** The state of {@code keys} (copied, sorted by key). */
  public RedisState(Map<String, StoredKey> keys) {
    this.keys = Collections.unmodifiableSortedMap(new TreeMap<>(keys));
  }

  /** Key -> stored key, sorted by key. */
  public SortedMap<String, StoredKey> keys() {
    return keys;
  }

  public int size() {
    return keys.size();
  }

  /**
   * This state without hash fields holding {@code 0}, and without hashes left empty by that: what a
   * writer that skips zero increments stores (readers treat an absent field as 0).
   */
  RedisState withoutZeroFields() {
    Map<String, StoredKey> out = new TreeMap<>();
    keys.forEach(
        (k, e) -> {
          if (!e.type().equals("hash")) {
            out.put(k, e);
            return;
          }
          Map<String, String> kept = new TreeMap<>(e.fields());
          kept.values().removeIf("0"::equals);
          if (!kept.isEmpty()) {
            out.put(k, StoredKey.hash(kept, e.ttl()));
          }
        });
    return new RedisState(out);
  }

  /** The golden {@code state} JSON shape, sorted. */
  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    keys.forEach((k, e) -> m.put(k, toJson(e)));
    return m;
  }

  /**
   * The differences to {@code other} (at most {@code limit}, as sentences); empty when both hold
   * the same keys with the same content and TTLs within the tolerance.
   */
  public List<String> differences(RedisState other, long ttlToleranceSeconds, int limit) {
    List<String> out = new ArrayList<>();
    TreeSet<String> all = new TreeSet<>(keys.keySet());
    all.addAll(other.keys.keySet());
    for (String k : all) {
      if (out.size() >= limit) {
        break;
      }
      StoredKey a = keys.get(k);
      StoredKey b = other.keys.get(k);
      if (a == null) {
        out.add(k + ": only in the other state");
      } else if (b == null) {
        out.add(k + ": missing in the other state");
      } else if (!same(a, b, ttlToleranceSeconds)) {
        out.add(k + ": " + describe(a, b));
      }
    }
    return out;
  }

  private static String describe(StoredKey a, StoredKey b) {
    if (!a.type().equals(b.type())) {
      return "type " + a.type() + " vs " + b.type();
    }
    if (!a.fields().equals(b.fields())) {
      TreeSet<String> names = new TreeSet<>(a.fields().keySet());
      names.addAll(b.fields().keySet());
      for (String f : names) {
        if (!Objects.equals(a.fields().get(f), b.fields().get(f))) {
          return "field " + f + " " + a.fields().get(f) + " vs " + b.fields().get(f);
        }
      }
    }
    if (!a.members().equals(b.members())) {
      return "members " + a.members() + " vs " + b.members();
    }
    if (!Objects.equals(a.value(), b.value())) {
      return "value " + a.value() + " vs " + b.value();
    }
    return "ttl " + a.ttl() + " vs " + b.ttl();
  }
}
