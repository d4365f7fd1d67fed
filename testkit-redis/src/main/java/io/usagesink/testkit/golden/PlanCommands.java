package io.usagesink.testkit.golden;

import io.usagesink.plan.CounterDelta;
import io.usagesink.plan.Expiry;
import io.usagesink.plan.IndexAdd;
import io.usagesink.plan.UsagePlan;
import java.util.ArrayList;
import java.util.List;

/**
 * A plan as the Redis commands a pipeline writer sends, each as its argument strings, in the order
 * the plan guarantees: one {@code HINCRBY key field delta} per counter, then one {@code EXPIRE key
 * ttl} per expiry, then per index addition {@code SADD set member} followed by {@code EXPIRE set
 * ttl} when its TTL is positive. Comparable with the golden files' {@code commandsPerEvent}.
 * Stateless.
 */
public final class PlanCommands {

  private PlanCommands() {}

  /** The commands of {@code plan}; see the class documentation. */
  public static List<List<String>> of(UsagePlan plan) {
    List<List<String>> out = new ArrayList<>(plan.size());
    for (CounterDelta c : plan.counters()) {
      out.add(List.of("HINCRBY", c.key(), c.field(), Long.toString(c.delta())));
    }
    for (Expiry e : plan.expiries()) {
      out.add(List.of("EXPIRE", e.key(), Long.toString(e.ttlSeconds())));
    }
    for (IndexAdd a : plan.indexAdds()) {
      out.add(List.of("SADD", a.setKey(), a.member()));
      if (a.ttlSeconds() > 0) {
        out.add(List.of("EXPIRE", a.setKey(), Long.toString(a.ttlSeconds())));
      }
    }
    return out;
  }

  /**
   * {@code commands} with every {@code HINCRBY} moved ahead of the other commands, both groups
   * keeping their relative order (a stable partition). Applied to a CRS recording it gives the
   * order a plan sends; it changes the Redis end state only if a moved counter's key is deleted or
   * re-typed by a command it jumps over, which the CRS layouts never do.
   */
  public static List<List<String>> countersFirst(List<List<String>> commands) {
    List<List<String>> counters = new ArrayList<>();
    List<List<String>> others = new ArrayList<>();
    for (List<String> c : commands) {
      (c.get(0).equalsIgnoreCase("HINCRBY") ? counters : others).add(c);
    }
    counters.addAll(others);
    return counters;
  }
}
