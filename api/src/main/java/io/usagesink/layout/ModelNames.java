package io.usagesink.layout;

import io.usagesink.UsageEvent;

/**
 * The reference layout's model-name normalisation (spec section 7), used for the {@code {model}}
 * segment of key names and of the account hourly {@code model:{model}:*} fields. Stateless and
 * thread-safe; allocation-free when the name needs no change.
 *
 * <p>Rules, in order:
 *
 * <ol>
 *   <li>{@code null}, an empty or a blank name, and any name that the rules below reduce to an
 *       empty or blank one, become {@value UsageEvent#UNKNOWN_MODEL}. <b>Deviation from CRS</b>,
 *       which writes an empty segment for {@code ""} and the text {@code null} for {@code null} (a
 *       {@code null} model and an empty one then book to different keys, and neither can be read
 *       back as a model). {@code unknown} itself is kept.
 *   <li>A name containing {@code .anthropic.} or {@code .claude} (Bedrock): (a) drop a leading run
 *       of one or more {@code [a-z0-9-]} characters followed by {@code .} (the region, or {@code
 *       anthropic.}); (b) drop the first remaining occurrence of {@code anthropic.}; (c) drop a
 *       trailing {@code -v<digits>:<digits>}. {@code :latest} is kept in this branch.
 *   <li>Any other name: drop a trailing {@code -v<digits>:<digits>}, or else a trailing {@code
 *       :latest} (at most one of the two).
 * </ol>
 *
 * Digits are ASCII {@code 0-9}; matching is case-sensitive, as in CRS.
 *
 * <p>Examples: {@code us.anthropic.claude-3-5-sonnet-20241022-v2:0} -> {@code
 * claude-3-5-sonnet-20241022}; {@code anthropic.claude-3-haiku-20240307-v1:0} -> {@code
 * claude-3-haiku-20240307}; {@code eu-west-1.anthropic.claude-x} -> {@code claude-x}; {@code
 * claude-3-opus:latest} -> {@code claude-3-opus}; {@code some-model-v2:1} -> {@code some-model}.
 */
public final class ModelNames {

  private static final String LATEST = ":latest";
  private static final String ANTHROPIC = "anthropic.";

  private ModelNames() {}

  /**
   * Normalises {@code model} as described in the class documentation.
   *
   * @param model a model name as recorded, or {@code null}
   * @return the normalised name, never {@code null}, empty or blank
   */
  public static String normalize(String model) {
    if (model == null || model.isBlank()) {
      return UsageEvent.UNKNOWN_MODEL;
    }
    String result;
    if (model.contains(".anthropic.") || model.contains(".claude")) {
      result = dropVersionSuffix(dropFirst(dropRegionPrefix(model), ANTHROPIC));
    } else {
      int end = versionSuffixStart(model);
      if (end < 0 && model.endsWith(LATEST)) {
        end = model.length() - LATEST.length();
      }
      result = end < 0 ? model : model.substring(0, end);
    }
    return result.isBlank() ? UsageEvent.UNKNOWN_MODEL : result;
  }

  /** Drops {@code ^[a-z0-9-]+\.}. */
  private static String dropRegionPrefix(String s) {
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') {
        i++;
      } else {
        break;
      }
    }
    return i > 0 && i < s.length() && s.charAt(i) == '.' ? s.substring(i + 1) : s;
  }

  private static String dropFirst(String s, String part) {
    int at = s.indexOf(part);
    return at < 0 ? s : s.substring(0, at) + s.substring(at + part.length());
  }

  private static String dropVersionSuffix(String s) {
    int end = versionSuffixStart(s);
    return end < 0 ? s : s.substring(0, end);
  }

  /** The index where a trailing {@code -v\d+:\d+} starts, or -1. */
  private static int versionSuffixStart(String s) {
    int i = s.length() - 1;
    int digitsEnd = i;
    while (i >= 0 && isDigit(s.charAt(i))) {
      i--;
    }
    if (i == digitsEnd || i < 0 || s.charAt(i) != ':') {
      return -1;
    }
    i--; // skip ':'
    int majorEnd = i;
    while (i >= 0 && isDigit(s.charAt(i))) {
      i--;
    }
    if (i == majorEnd || i < 1 || s.charAt(i) != 'v' || s.charAt(i - 1) != '-') {
      return -1;
    }
    return i - 1;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
