package io.usagesink.cli.compare;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The keys of a Redis database as values, in the {@code state} format of the golden reference
 * files: key -> {@code {"type": "hash", "fields": {...}, "ttl": N}} or {@code {"type": "set",
 * "members": [...], "ttl": N}} ({@code ttl} -1 means no expiry). Keys, fields and members are
 * sorted. Strings, lists and sorted sets (which the statistics never use) appear as {@code value}
 * or {@code members}.
 *
 * <p>Immutable and thread-safe.
 */
public final class RedisState {

  /** One key. {@code fields} for hashes, {@code members} for sets/lists/sorted sets, {@code value} for strings. */
  public record Entry(String type, SortedMap<String, String> fields, List<String> members, String value, long ttl) {
    public Entry {
      Objects.requireNonNull(type, "type");
      fields = fields == null ? null : Collections.unmodifiableSortedMap(new TreeMap<>(fields));
      members = members == null ? null : List.copyOf(members);
    }

    public static Entry hash(Map<String, String> fields, long ttl) {
      return new Entry("hash", new TreeMap<>(fields), null, null, ttl);
    }

    public static Entry set(Set<String> members, long ttl) {
      return new Entry("set", null, new ArrayList<>(new TreeSet<>(members)), null, ttl);
    }

    /** The JSON shape: {@code type}, then {@code fields}/{@code members}/{@code value}, then {@code ttl}. */
    public Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("type", type);
      if (fields != null) {
        m.put("fields", fields);
      }
      if (members != null) {
        m.put("members", members);
      }
      if (value != null) {
        m.put("value", value);
      }
      m.put("ttl", ttl);
      return m;
    }

    /** Same type and content; TTLs equal, or both expiring and within {@code ttlToleranceSeconds}. */
    boolean sameAs(Entry o, long ttlToleranceSeconds) {
      if (!type.equals(o.type) || !Objects.equals(fields, o.fields) || !Objects.equals(members, o.members)
          || !Objects.equals(value, o.value)) {
        return false;
      }
      if (ttl < 0 || o.ttl < 0) {
        return ttl == o.ttl;
      }
      return Math.abs(ttl - o.ttl) <= ttlToleranceSeconds;
    }
  }

  private final SortedMap<String, Entry> keys;

  public RedisState(Map<String, Entry> keys) {
    this.keys = Collections.unmodifiableSortedMap(new TreeMap<>(keys));
  }

  /** Key -> entry, sorted by key. */
  public SortedMap<String, Entry> keys() {
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
    Map<String, Entry> out = new TreeMap<>();
    keys.forEach((k, e) -> {
      if (e.fields == null) {
        out.put(k, e);
        return;
      }
      Map<String, String> kept = new TreeMap<>(e.fields);
      kept.values().removeIf("0"::equals);
      if (!kept.isEmpty()) {
        out.put(k, new Entry(e.type, new TreeMap<>(kept), e.members, e.value, e.ttl));
      }
    });
    return new RedisState(out);
  }

  /** The golden {@code state} JSON shape, sorted. */
  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    keys.forEach((k, e) -> m.put(k, e.toJson()));
    return m;
  }

  /**
   * The differences to {@code other} (at most {@code limit}, as sentences); empty when both hold the
   * same keys with the same content and TTLs within the tolerance.
   */
  public List<String> differences(RedisState other, long ttlToleranceSeconds, int limit) {
    List<String> out = new ArrayList<>();
    TreeSet<String> all = new TreeSet<>(keys.keySet());
    all.addAll(other.keys.keySet());
    for (String k : all) {
      if (out.size() >= limit) {
        break;
      }
      Entry a = keys.get(k);
      Entry b = other.keys.get(k);
      if (a == null) {
        out.add(k + ": only in the other state");
      } else if (b == null) {
        out.add(k + ": missing in the other state");
      } else if (!a.sameAs(b, ttlToleranceSeconds)) {
        out.add(k + ": " + describe(a, b));
      }
    }
    return out;
  }

  private static String describe(Entry a, Entry b) {
    if (!a.type.equals(b.type)) {
      return "type " + a.type + " vs " + b.type;
    }
    if (a.fields != null && !a.fields.equals(b.fields)) {
      TreeSet<String> names = new TreeSet<>(a.fields.keySet());
      names.addAll(b.fields.keySet());
      for (String f : names) {
        if (!Objects.equals(a.fields.get(f), b.fields.get(f))) {
          return "field " + f + " " + a.fields.get(f) + " vs " + b.fields.get(f);
        }
      }
    }
    if (!Objects.equals(a.members, b.members)) {
      return "members " + a.members + " vs " + b.members;
    }
    if (!Objects.equals(a.value, b.value)) {
      return "value " + a.value + " vs " + b.value;
    }
    return "ttl " + a.ttl + " vs " + b.ttl;
  }
}
