package io.usagesink.layout;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The names of the reference (CRS) layout's hashes, for code that reads them: rendered from the key
 * templates the layout writes with ({@code crs-usage-layout.md} sections 5 and 6), so each key name
 * is declared once. Values are inserted as given: a model is passed as stored (already normalised),
 * a label in its bucket's format ({@code YYYY-MM}, {@code YYYY-MM-DD}, {@code YYYY-MM-DD:HH}).
 * Stateless and thread-safe; never blocks.
 */
public final class CrsKeys {

  /** The time bucket of a statistics hash. */
  public enum Bucket {
    /** The totals hash; it has no label. */
    ALL_TIME(null),
    /** A local month, {@code YYYY-MM}. */
    MONTH(Placeholder.MONTH),
    /** A local day, {@code YYYY-MM-DD}. */
    DAY(Placeholder.DAY),
    /** A local hour, {@code YYYY-MM-DD:HH}. */
    HOUR(Placeholder.HOUR);

    private final Placeholder placeholder;

    Bucket(Placeholder placeholder) {
      this.placeholder = placeholder;
    }
  }

  /**
   * Each key template of the table, by the set of placeholders it uses (unique in the CRS table).
   */
  private static final Map<EnumSet<Placeholder>, Template> BY_PLACEHOLDERS =
      index(CrsTables.REFERENCE_2025);

  private CrsKeys() {}

  /**
   * An API key's hash in {@code bucket}, e.g. {@code usage:daily:<keyId>:<label>} (no label for
   * all-time).
   */
  public static String key(String keyId, Bucket bucket, String label) {
    return name(bucket, label, Placeholder.KEY_ID, keyId, null);
  }

  /**
   * An API key's hash of one model, e.g. {@code usage:<keyId>:model:daily:<model>:<label>}.
   *
   * @throws IllegalArgumentException for {@link Bucket#ALL_TIME}: the layout keeps none
   */
  public static String keyModel(String keyId, String model, Bucket bucket, String label) {
    return name(bucket, label, Placeholder.KEY_ID, keyId, Objects.requireNonNull(model, "model"));
  }

  /** An account's hash in {@code bucket}, e.g. {@code account_usage:daily:<accountId>:<label>}. */
  public static String account(String accountId, Bucket bucket, String label) {
    return name(bucket, label, Placeholder.ACCOUNT_ID, accountId, null);
  }

  /**
   * An account's hash of one model, e.g. {@code
   * account_usage:model:daily:<accountId>:<model>:<label>}.
   *
   * @throws IllegalArgumentException for {@link Bucket#ALL_TIME}: the layout keeps none
   */
  public static String accountModel(String accountId, String model, Bucket bucket, String label) {
    return name(
        bucket, label, Placeholder.ACCOUNT_ID, accountId, Objects.requireNonNull(model, "model"));
  }

  /**
   * One model's hash over all API keys, e.g. {@code usage:model:daily:<model>:<label>}.
   *
   * @throws IllegalArgumentException for {@link Bucket#ALL_TIME}: the layout keeps none
   */
  public static String model(String model, Bucket bucket, String label) {
    return name(bucket, label, null, null, Objects.requireNonNull(model, "model"));
  }

  /** The system metrics hash of a UTC epoch minute, {@code system:metrics:minute:<epochMinute>}. */
  public static String minute(long epochMinute) {
    String[] values = new String[Placeholder.COUNT];
    values[Placeholder.MINUTE.ordinal()] = Long.toString(epochMinute);
    return template(EnumSet.of(Placeholder.MINUTE)).render(values);
  }

  private static String name(
      Bucket bucket, String label, Placeholder id, String idValue, String model) {
    Objects.requireNonNull(bucket, "bucket");
    EnumSet<Placeholder> uses = EnumSet.noneOf(Placeholder.class);
    String[] values = new String[Placeholder.COUNT];
    if (id != null) {
      uses.add(id);
      values[id.ordinal()] =
          Objects.requireNonNull(idValue, id == Placeholder.KEY_ID ? "keyId" : "accountId");
    }
    if (model != null) {
      uses.add(Placeholder.MODEL);
      values[Placeholder.MODEL.ordinal()] = model;
    }
    if (bucket.placeholder != null) {
      uses.add(bucket.placeholder);
      values[bucket.placeholder.ordinal()] = Objects.requireNonNull(label, "label");
    }
    return template(uses).render(values);
  }

  private static Template template(EnumSet<Placeholder> uses) {
    Template t = BY_PLACEHOLDERS.get(uses);
    if (t == null) {
      throw new IllegalArgumentException("the CRS layout has no key with " + uses);
    }
    return t;
  }

  private static Map<EnumSet<Placeholder>, Template> index(LayoutTable table) {
    Map<EnumSet<Placeholder>, Template> out = new HashMap<>();
    for (LayoutTable.Section s : table.sections()) {
      for (LayoutTable.Group g : s.groups()) {
        Template name = g.key().name();
        EnumSet<Placeholder> uses = EnumSet.noneOf(Placeholder.class);
        for (Placeholder p : Placeholder.values()) {
          if (name.uses(p)) {
            uses.add(p);
          }
        }
        Template known = out.putIfAbsent(uses, name);
        if (known != null && !known.toString().equals(name.toString())) {
          throw new IllegalStateException(
              "keys " + known + " and " + name + " use the same placeholders");
        }
      }
    }
    return Map.copyOf(out);
  }
}
