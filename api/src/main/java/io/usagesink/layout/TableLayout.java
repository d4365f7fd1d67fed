package io.usagesink.layout;

import io.usagesink.Measure;
import io.usagesink.UsageEvent;
import io.usagesink.layout.LayoutTable.FieldDef;
import io.usagesink.layout.LayoutTable.Group;
import io.usagesink.layout.LayoutTable.KeyDef;
import io.usagesink.layout.LayoutTable.Presence;
import io.usagesink.layout.LayoutTable.Section;
import io.usagesink.layout.LayoutTable.Subject;
import io.usagesink.plan.UsagePlan;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A {@link UsageLayout} that executes a {@link LayoutTable} for one zone, metrics window and {@link
 * StatsPolicy}. The table is compiled once, in the constructor: switched-off keys and fields are
 * dropped, constant names are resolved, and every key gets a slot so that its name is rendered once
 * per tally and shared by its counters and its expiry. Immutable and thread-safe.
 */
final class TableLayout implements UsageLayout {

  private final LayoutTable table;
  private final ZoneBuckets buckets;
  private final Duration metricsWindow;
  private final StatsPolicy policy;

  private final CompiledGroup[] groups;
  private final int[] expirySlots;
  private final Subject[] expirySubjects;
  private final long[] expiryTtls;
  private final Template[] keyNames; // by slot
  private final int maxCounters;
  private final boolean usesModel;
  private final boolean usesCalendar;
  private final boolean usesHour;
  private final boolean usesMinute;

  private record CompiledField(
      String constantName, Template name, Measure measure, boolean longContextOnly) {
    String name(String[] vars) {
      return constantName != null ? constantName : name.render(vars);
    }
  }

  private record CompiledGroup(Subject subject, int keySlot, CompiledField[] fields) {}

  TableLayout(LayoutTable table, ZoneBuckets buckets, Duration metricsWindow, StatsPolicy policy) {
    this.table = Objects.requireNonNull(table, "table");
    this.buckets = Objects.requireNonNull(buckets, "buckets");
    this.metricsWindow = Objects.requireNonNull(metricsWindow, "metricsWindow");
    this.policy = Objects.requireNonNull(policy, "policy");
    long windowMinutes = metricsWindow.toMinutes();

    Map<KeyDef, Integer> slots = new IdentityHashMap<>();
    List<Template> names = new ArrayList<>();
    List<CompiledGroup> compiledGroups = new ArrayList<>();
    List<Integer> expSlots = new ArrayList<>();
    List<Subject> expSubjects = new ArrayList<>();
    List<Long> expTtls = new ArrayList<>();
    int counters = 0;
    boolean model = false;
    boolean calendar = false;
    boolean hour = false;
    boolean minute = false;
    if (policy.enabled()) {
      for (Section section : table.sections()) {
        for (Group g : section.groups()) {
          if (!keyActive(g.key())) {
            continue;
          }
          List<CompiledField> fields = new ArrayList<>();
          for (FieldDef f : g.fields()) {
            if (fieldActive(f)) {
              fields.add(
                  new CompiledField(
                      f.name().constant(),
                      f.name(),
                      f.measure(),
                      f.presence() == Presence.LONG_CONTEXT));
              model |= f.name().uses(Placeholder.MODEL);
            }
          }
          if (fields.isEmpty()) {
            continue;
          }
          int slot =
              slots.computeIfAbsent(
                  g.key(),
                  k -> {
                    names.add(k.name());
                    return names.size() - 1;
                  });
          Template key = g.key().name();
          model |= key.uses(Placeholder.MODEL);
          calendar |=
              key.uses(Placeholder.DAY)
                  || key.uses(Placeholder.MONTH)
                  || key.uses(Placeholder.HOUR);
          hour |= key.uses(Placeholder.HOUR);
          minute |= key.uses(Placeholder.MINUTE);
          counters += fields.size();
          compiledGroups.add(
              new CompiledGroup(section.subject(), slot, fields.toArray(CompiledField[]::new)));
        }
      }
      for (Section section : table.sections()) {
        for (KeyDef k : section.expiryOrder()) {
          Integer slot = slots.get(k);
          if (slot != null) { // a switched-off key has no slot
            expSlots.add(slot);
            expSubjects.add(section.subject());
            expTtls.add(k.ttl().seconds(windowMinutes));
          }
        }
      }
    }
    this.groups = compiledGroups.toArray(CompiledGroup[]::new);
    this.keyNames = names.toArray(Template[]::new);
    this.expirySlots = expSlots.stream().mapToInt(Integer::intValue).toArray();
    this.expirySubjects = expSubjects.toArray(Subject[]::new);
    this.expiryTtls = expTtls.stream().mapToLong(Long::longValue).toArray();
    this.maxCounters = counters;
    this.usesModel = model;
    this.usesCalendar = calendar;
    this.usesHour = hour;
    this.usesMinute = minute;
  }

  private boolean keyActive(KeyDef k) {
    Template name = k.name();
    return (policy.hourly() || !name.uses(Placeholder.HOUR))
        && (policy.minute() || !name.uses(Placeholder.MINUTE))
        && (policy.model() || !name.uses(Placeholder.MODEL));
  }

  private boolean fieldActive(FieldDef f) {
    return (policy.model() || !f.name().uses(Placeholder.MODEL))
        && (policy.detailedCache() || !f.measure().isCacheDetail());
  }

  @Override
  public UsagePlan plan(UsageEvent event) {
    UsagePlan.Builder b = UsagePlan.builder(maxCounters);
    plan(UsageTally.of(event), b);
    return b.build();
  }

  @Override
  public void plan(UsageTally tally, UsagePlan.Builder into) {
    Objects.requireNonNull(tally, "tally");
    Objects.requireNonNull(into, "into");
    if (groups.length == 0) {
      return;
    }
    String[] vars = new String[Placeholder.COUNT];
    vars[Placeholder.KEY_ID.ordinal()] = tally.keyId();
    vars[Placeholder.ACCOUNT_ID.ordinal()] = tally.accountId();
    if (usesModel) {
      vars[Placeholder.MODEL.ordinal()] = ModelNames.normalize(tally.model());
    }
    buckets.names(tally.at(), vars, usesCalendar, usesMinute);
    boolean longContext = tally.get(Measure.LONG_CONTEXT_REQUESTS) > 0;
    String[] keys = new String[keyNames.length];
    for (CompiledGroup g : groups) {
      if (vars[g.subject.id().ordinal()] == null) {
        continue;
      }
      String key = keys[g.keySlot];
      if (key == null) {
        key = keyNames[g.keySlot].render(vars);
        keys[g.keySlot] = key;
      }
      for (CompiledField f : g.fields) {
        if (f.longContextOnly && !longContext) {
          continue;
        }
        into.increment(key, f.name(vars), tally.get(f.measure));
      }
    }
    for (int i = 0; i < expirySlots.length; i++) {
      if (vars[expirySubjects[i].id().ordinal()] != null) {
        String key = keys[expirySlots[i]];
        into.expire(key != null ? key : keyNames[expirySlots[i]].render(vars), expiryTtls[i]);
      }
    }
  }

  @Override
  public Instant bucketStart(Instant at) {
    return buckets.bucketStart(Objects.requireNonNull(at, "at"), usesHour, usesMinute);
  }

  @Override
  public StatsPolicy policy() {
    return policy;
  }

  @Override
  public String toString() {
    return table.name()
        + "[zone="
        + buckets.zone()
        + ", metricsWindow="
        + metricsWindow
        + ", policy="
        + policy
        + "]";
  }
}
