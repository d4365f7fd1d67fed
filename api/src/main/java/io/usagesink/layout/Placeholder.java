package io.usagesink.layout;

/** A variable part of a key or field name in a {@link Template}. */
enum Placeholder {
  /** The API key id, as given (no escaping). */
  KEY_ID("keyId"),
  /** The account id, as given (no escaping). */
  ACCOUNT_ID("accountId"),
  /** The normalised model name ({@link ModelNames#normalize(String)}). */
  MODEL("model"),
  /** The local day in the layout's zone, {@code YYYY-MM-DD}. */
  DAY("day"),
  /** The local month in the layout's zone, {@code YYYY-MM}. */
  MONTH("month"),
  /** The local hour in the layout's zone, {@code YYYY-MM-DD:HH}. */
  HOUR("hour"),
  /** The UTC epoch minute, a decimal integer (no zone shift). */
  MINUTE("minute");

  static final int COUNT = values().length;

  private final String token;

  Placeholder(String name) {
    this.token = "{" + name + "}";
  }

  /** The text that stands for this placeholder in a template, e.g. {@code {keyId}}. */
  String token() {
    return token;
  }
}
