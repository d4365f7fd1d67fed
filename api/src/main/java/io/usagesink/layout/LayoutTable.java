package io.usagesink.layout;

import io.usagesink.Measure;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A statistics layout as data: which hashes get which counters, in which order, and which keys get
 * which TTL, in which order. {@link TableLayout} executes a table for a zone, a metrics window and
 * a {@link StatsPolicy}; a new layout (such as CRS HEAD) is a new table, not new logic.
 *
 * <p>Policy switches are derived from the table's structure, not tagged by hand: a key whose name
 * has an {@code {hour}} is hourly, {@code {minute}} is minute, {@code {model}} is per-model; a
 * field whose name has {@code {model}} is per-model; a field of a {@linkplain
 * Measure#isCacheDetail() cache-detail measure} is detailed cache.
 *
 * @param name a short name for messages, e.g. {@code crs-2025}
 * @param sections the sections, planned in this order (all counters first, then all expiries)
 */
record LayoutTable(String name, List<Section> sections) {

  LayoutTable {
    Objects.requireNonNull(name, "name");
    sections = List.copyOf(sections);
  }

  /** Whose usage a section books; the section is planned only when the tally has that id. */
  enum Subject {
    /** API-key usage (CRS {@code incrementTokenUsage}); needs {@link UsageTally#keyId()}. */
    API_KEY(Placeholder.KEY_ID),
    /** Account usage (CRS {@code incrementAccountUsage}); needs {@link UsageTally#accountId()}. */
    ACCOUNT(Placeholder.ACCOUNT_ID);

    private final Placeholder id;

    Subject(Placeholder id) {
      this.id = id;
    }

    /** The placeholder of this subject's id. */
    Placeholder id() {
      return id;
    }
  }

  /** When a field is written. */
  enum Presence {
    /** Always (zero increments included, as CRS sends them). */
    ALWAYS,
    /** Only when the tally contains a long-context request. */
    LONG_CONTEXT
  }

  /**
   * How long a key lives: {@code fixedSeconds + metricsWindowMinutes * secondsPerWindowMinute}; 0
   * means the key never expires (no {@code EXPIRE} is planned).
   */
  record Ttl(long fixedSeconds, long secondsPerWindowMinute) {
    static final Ttl NONE = new Ttl(0, 0);

    static Ttl days(long days) {
      return new Ttl(days * 86_400, 0);
    }

    static Ttl perMetricsWindowMinute(long seconds) {
      return new Ttl(0, seconds);
    }

    long seconds(long metricsWindowMinutes) {
      return Math.addExact(
          fixedSeconds, Math.multiplyExact(metricsWindowMinutes, secondsPerWindowMinute));
    }
  }

  /** A hash key: its name template and TTL. Compared by identity within a table. */
  record KeyDef(Template name, Ttl ttl) {
    KeyDef {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(ttl, "ttl");
    }
  }

  /** One counter field of a hash. */
  record FieldDef(Template name, Measure measure, Presence presence) {
    FieldDef {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(measure, "measure");
      Objects.requireNonNull(presence, "presence");
      if (name.uses(Placeholder.KEY_ID) || name.uses(Placeholder.ACCOUNT_ID)) {
        throw new IllegalArgumentException("field name " + name + " must not contain an id");
      }
    }
  }

  /** Counters of one key, sent in field order. A key may appear in several groups. */
  record Group(KeyDef key, List<FieldDef> fields) {
    Group {
      Objects.requireNonNull(key, "key");
      fields = List.copyOf(fields);
    }
  }

  /**
   * The usage of one subject: its counter groups in send order, then the keys to expire in send
   * order. Every key of the section may use only its own subject's id.
   */
  record Section(Subject subject, List<Group> groups, List<KeyDef> expiryOrder) {
    Section {
      Objects.requireNonNull(subject, "subject");
      groups = List.copyOf(groups);
      expiryOrder = List.copyOf(expiryOrder);
      Set<KeyDef> keys = Collections.newSetFromMap(new IdentityHashMap<>());
      for (Group g : groups) {
        keys.add(g.key());
      }
      for (KeyDef k : keys) {
        for (Subject other : Subject.values()) {
          if (other != subject && k.name().uses(other.id())) {
            throw new IllegalArgumentException(
                "key " + k.name() + " of the " + subject + " section uses " + other.id().token());
          }
        }
        boolean expired = expiryOrder.contains(k);
        if (expired == (k.ttl().equals(Ttl.NONE))) {
          throw new IllegalArgumentException(
              "key "
                  + k.name()
                  + (expired
                      ? " has no TTL but is in the expiry order"
                      : " has a TTL but is missing from the expiry order"));
        }
      }
      for (KeyDef e : expiryOrder) {
        if (!keys.contains(e)) {
          throw new IllegalArgumentException(
              "expired key " + e.name() + " has no counters in the section");
        }
      }
    }
  }

  /** Builds a {@link Section} in the order a reader expects: counters, then expiries. */
  static final class SectionBuilder {
    private final Subject subject;
    private final List<Group> groups = new ArrayList<>();
    private final Map<String, KeyDef> byName = new HashMap<>();

    SectionBuilder(Subject subject) {
      this.subject = subject;
    }

    /** Declares a key (name template and TTL) for use in groups and the expiry order. */
    KeyDef key(String name, Ttl ttl) {
      KeyDef k = new KeyDef(Template.parse(name), ttl);
      if (byName.putIfAbsent(name, k) != null) {
        throw new IllegalArgumentException("key " + name + " declared twice");
      }
      return k;
    }

    /** Appends counters of {@code key}. */
    SectionBuilder counters(KeyDef key, FieldDef... fields) {
      groups.add(new Group(key, List.of(fields)));
      return this;
    }

    /** Finishes with the expiry order. */
    Section expireInOrder(KeyDef... keys) {
      return new Section(subject, groups, List.of(keys));
    }
  }

  /**
   * This table restricted to the keys {@code keep} accepts (their counter groups and expiries);
   * used to plan one granularity of a layout at a time (the compact layout's CRS view).
   */
  LayoutTable filter(String suffix, java.util.function.Predicate<Template> keep) {
    List<Section> out = new ArrayList<>();
    for (Section s : sections) {
      List<Group> groups = s.groups().stream().filter(g -> keep.test(g.key().name())).toList();
      List<KeyDef> expiries = s.expiryOrder().stream().filter(k -> keep.test(k.name())).toList();
      out.add(new Section(s.subject(), groups, expiries));
    }
    return new LayoutTable(name + "-" + suffix, out);
  }

  /** A field present in every tally. */
  static FieldDef field(String name, Measure measure) {
    return new FieldDef(Template.parse(name), measure, Presence.ALWAYS);
  }

  /** A field present only in tallies with a long-context request. */
  static FieldDef longContextField(String name, Measure measure) {
    return new FieldDef(Template.parse(name), measure, Presence.LONG_CONTEXT);
  }
}
