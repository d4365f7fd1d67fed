package io.usagesink.cli.report;

import io.usagesink.cli.compare.RunResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything one {@code compare} run found: where it ran and what each backend measured. Immutable;
 * rendered as a table ({@link TableFormat}), JSON ({@link JsonFormat}) and HTML ({@link
 * HtmlReport}).
 *
 * @param redis the Redis the comparison ran against
 * @param statistics which statistics the layout wrote (the {@code ENABLE_*} switches), in words
 * @param workloads name -> description of each workload, in run order
 * @param results one entry per backend per workload
 * @param startedAt when the comparison started
 * @param machine short facts about the machine (Java version, processors, OS)
 */
public record CompareReport(
    RedisInfo redis,
    String statistics,
    Map<String, String> workloads,
    List<RunResult> results,
    Instant startedAt,
    Map<String, String> machine) {

  public CompareReport {
    Objects.requireNonNull(redis, "redis");
    Objects.requireNonNull(statistics, "statistics");
    workloads = Collections.unmodifiableMap(new LinkedHashMap<>(workloads));
    results = List.copyOf(results);
    machine = Collections.unmodifiableMap(new LinkedHashMap<>(machine));
  }

  /**
   * The Redis a comparison ran against.
   *
   * @param mode {@code embedded} (started by compare) or {@code external}
   * @param version {@code redis_version}
   * @param cluster whether it is a Redis Cluster
   * @param where a short, password-free description (masked URI, or how it was started)
   */
  public record RedisInfo(String mode, String version, boolean cluster, String where) {}

  /** The results of one workload, in run order. */
  List<RunResult> resultsOf(String workload) {
    return results.stream().filter(r -> r.workload().equals(workload)).toList();
  }

  /**
   * What went wrong, one line per problem or state difference of a run: {@code workload<separator>
   * backend: what}, in run order; empty when every run is clean.
   */
  List<String> problems(String separator) {
    List<String> notes = new ArrayList<>();
    for (RunResult r : results) {
      String run = r.workload() + separator + r.backend().label();
      for (String p : r.problems()) {
        notes.add(run + ": " + p);
      }
      for (String d : r.stateDifferences()) {
        notes.add(run + " differs from the expected state: " + d);
      }
    }
    return notes;
  }

  /**
   * The policy in words: "full layout", "statistics off", or "full layout without hourly, model".
   */
  public static String describe(io.usagesink.layout.StatsPolicy p) {
    if (!p.enabled()) {
      return "statistics off (ENABLE_USAGE_STATISTICS=false)";
    }
    List<String> off = new ArrayList<>();
    if (!p.hourly()) {
      off.add("hourly");
    }
    if (!p.minute()) {
      off.add("minute");
    }
    if (!p.model()) {
      off.add("per-model");
    }
    if (!p.detailedCache()) {
      off.add("detailed cache");
    }
    return off.isEmpty()
        ? "full layout (every ENABLE_* switch on)"
        : "layout without " + String.join(", ", off) + " statistics (ENABLE_* switches)";
  }

  /** Facts about this JVM and machine. */
  public static Map<String, String> thisMachine() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("java", System.getProperty("java.vm.name", "Java") + " " + Runtime.version());
    m.put("os", System.getProperty("os.name", "?") + " " + System.getProperty("os.arch", ""));
    m.put("processors", String.valueOf(Runtime.getRuntime().availableProcessors()));
    return m;
  }
}
