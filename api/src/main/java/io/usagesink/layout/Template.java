package io.usagesink.layout;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;

/**
 * A key or field name with {@link Placeholder}s, e.g. {@code usage:daily:{keyId}:{day}}. Parsed
 * once when a layout is built; rendering is a single pass over precomputed parts. Immutable.
 */
final class Template {

  private final String text;
  private final String[]
      literals; // literals[i] precedes placeholders[i]; one more literal at the end
  private final Placeholder[] placeholders;
  private final EnumSet<Placeholder> uses;
  private final int literalLength;

  private Template(String text, String[] literals, Placeholder[] placeholders) {
    this.text = text;
    this.literals = literals;
    this.placeholders = placeholders;
    this.uses =
        placeholders.length == 0
            ? EnumSet.noneOf(Placeholder.class)
            : EnumSet.copyOf(List.of(placeholders));
    int n = 0;
    for (String l : literals) {
      n += l.length();
    }
    this.literalLength = n;
  }

  /**
   * Parses {@code text}; every {@code {...}} must be a known placeholder.
   *
   * @throws IllegalArgumentException naming the unknown or unclosed placeholder
   */
  static Template parse(String text) {
    Objects.requireNonNull(text, "text");
    List<String> literals = new ArrayList<>();
    List<Placeholder> placeholders = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c != '{') {
        literal.append(c);
        i++;
        continue;
      }
      int close = text.indexOf('}', i);
      if (close < 0) {
        throw new IllegalArgumentException(
            "unclosed placeholder at index " + i + " in template \"" + text + "\"");
      }
      String token = text.substring(i, close + 1);
      Placeholder p = null;
      for (Placeholder candidate : Placeholder.values()) {
        if (candidate.token().equals(token)) {
          p = candidate;
        }
      }
      if (p == null) {
        throw new IllegalArgumentException(
            "unknown placeholder " + token + " in template \"" + text + "\"");
      }
      literals.add(literal.toString());
      literal.setLength(0);
      placeholders.add(p);
      i = close + 1;
    }
    literals.add(literal.toString());
    return new Template(
        text, literals.toArray(String[]::new), placeholders.toArray(Placeholder[]::new));
  }

  /** Whether the template contains {@code p}. */
  boolean uses(Placeholder p) {
    return uses.contains(p);
  }

  /** The text when the template has no placeholder, else {@code null}. */
  String constant() {
    return placeholders.length == 0 ? text : null;
  }

  /**
   * Renders the template; {@code values} is indexed by {@link Placeholder#ordinal()} and holds a
   * non-null value for every placeholder the template uses.
   */
  String render(String[] values) {
    if (placeholders.length == 0) {
      return text;
    }
    int length = literalLength;
    for (Placeholder p : placeholders) {
      length += values[p.ordinal()].length();
    }
    StringBuilder b = new StringBuilder(length);
    for (int i = 0; i < placeholders.length; i++) {
      b.append(literals[i]).append(values[placeholders[i].ordinal()]);
    }
    return b.append(literals[placeholders.length]).toString();
  }

  @Override
  public String toString() {
    return text;
  }
}
