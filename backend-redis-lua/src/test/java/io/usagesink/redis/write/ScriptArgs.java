package io.usagesink.redis.write;

import io.usagesink.SinkConfig;
import io.usagesink.launcher.RedisServer;
import io.usagesink.layout.LayoutSettings;
import io.usagesink.plan.UsagePlan;
import io.usagesink.redis.RedisOptions;
import java.util.ArrayList;
import java.util.List;

/** The EVALSHA arguments the Lua writer sends for a plan (for redis-benchmark); test helper. */
public final class ScriptArgs {
  private ScriptArgs() {}

  /**
   * Loads the script into {@code redis} and returns {@code EVALSHA sha numkeys keys... argv...} for
   * {@code plan} on one server, guarded with a guard id of {@code __rand_int__} (redis-benchmark
   * replaces it per call with {@code -r}).
   */
  public static List<String> evalshaArgs(RedisServer redis, SinkConfig config, UsagePlan plan) {
    redis.command("SCRIPT", "LOAD", PlanScript.SOURCE);
    PlanEncoding.Group g = PlanEncoding.encode(plan, false).get(0);
    List<String> out =
        new ArrayList<>(List.of("evalsha", PlanScript.SHA, Integer.toString(g.keys().size() + 1)));
    out.add(
        LayoutSettings.from(config).keyPrefix()
            + "guard:{"
            + SlotTags.tag(g.slot())
            + "}:__rand_int__");
    out.addAll(g.keys());
    out.add(Long.toString(RedisOptions.from(config).guardTtl().toSeconds()));
    out.addAll(g.argv());
    return out;
  }
}
