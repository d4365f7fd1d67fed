package io.usagesink.testkit.golden;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The arguments of one CRS call, by JS parameter name, with JS meaning: an absent argument was
 * omitted (the JS default applied), a present {@code null} is JS {@code null}. Values are {@link
 * String}, {@link Long} (integral numbers), {@link Double} (other numbers), {@link Boolean} or
 * {@code null}. Immutable.
 */
public final class CrsArgs {

  private final Map<String, Object> values;

  /**
   * Wraps {@code values} (copied; {@code null} values allowed).
   *
   * @throws IllegalArgumentException if a value has an unsupported type
   */
  public CrsArgs(Map<String, ?> values) {
    Map<String, Object> copy = new LinkedHashMap<>();
    values.forEach(
        (name, value) -> {
          Objects.requireNonNull(name, "argument name");
          if (value != null
              && !(value instanceof String)
              && !(value instanceof Long)
              && !(value instanceof Double)
              && !(value instanceof Boolean)) {
            throw new IllegalArgumentException(
                "argument " + name + " has unsupported type " + value.getClass().getName());
          }
          copy.put(name, value);
        });
    this.values = Collections.unmodifiableMap(copy);
  }

  /** Whether the argument was passed (possibly as {@code null}). */
  public boolean has(String name) {
    return values.containsKey(name);
  }

  /** The argument names in call order. */
  public Set<String> names() {
    return values.keySet();
  }

  /**
   * The raw value: {@code null} when absent or JS {@code null} (tell them apart with {@link #has}).
   */
  public Object raw(String name) {
    return values.get(name);
  }

  /**
   * A string argument, or {@code null} when absent or {@code null}.
   *
   * @throws IllegalArgumentException if the value is not a string
   */
  public String text(String name) {
    Object v = values.get(name);
    if (v == null || v instanceof String) {
      return (String) v;
    }
    throw new IllegalArgumentException("argument " + name + " is not a string: " + v);
  }

  /**
   * A count with JS {@code x || 0} semantics: absent, {@code null}, {@code 0} and {@code false}
   * give 0; an integral number gives itself.
   *
   * @throws IllegalArgumentException if the value is a string, {@code true}, or not an integer (CRS
   *     would send it to Redis as-is, which the API cannot express)
   */
  public long count(String name) {
    Object v = values.get(name);
    if (v == null || Boolean.FALSE.equals(v)) {
      return 0;
    }
    if (v instanceof Long l) {
      return l;
    }
    if (v instanceof Double d && d == 0) {
      return 0;
    }
    throw new IllegalArgumentException("argument " + name + " is not an integer count: " + v);
  }

  /**
   * JS truthiness: absent, {@code null}, {@code false}, {@code 0}, {@code NaN} and {@code ""} are
   * false.
   */
  public boolean truthy(String name) {
    Object v = values.get(name);
    if (v == null) {
      return false;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof Long l) {
      return l != 0;
    }
    if (v instanceof Double d) {
      return d != 0 && !d.isNaN();
    }
    return !((String) v).isEmpty();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CrsArgs a && values.equals(a.values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    return values.toString();
  }
}
