package io.usagesink.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.usagesink.SinkConfig;
import io.usagesink.cli.compare.RedisAdmin;
import io.usagesink.cli.compare.RedisState;
import io.usagesink.cli.report.Json;
import io.usagesink.layout.UsageLayouts;
import io.usagesink.redis.RedisOptions;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code dump}: the statistics stored in Redis as one JSON object, in the golden {@code state}
 * format: {@code {"<key>": {"type": "hash", "fields": {...}, "ttl": N}}} (sets: {@code "members"}),
 * keys, fields and members sorted, {@code ttl} -1 for no expiry. The library's bookkeeping keys
 * (idempotency guards under {@code usagesink.key-prefix}, {@code usagesink:} by default) are left
 * out. On a cluster every master is read.
 */
@Command(
    name = "dump",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Print the statistics stored in Redis as JSON: {\"<key>\": {\"type\": \"hash\", \"fields\":"
          + " {...}, \"ttl\": N}}.",
      "Keys, fields and set members are sorted; ttl -1 means no expiry.",
      "With --layout compact: the compact layout's own hashes; add --as crs for the same statistics"
          + " in the CRS",
      "layout's keys and fields (exactly what the CRS layout holds for the same events). In that"
          + " view ttl is the",
      "TTL the CRS layout gives a key when it writes it (e.g. 2764800 for a daily key, -1 for"
          + " totals), not a",
      "countdown: expiry is not simulated, and every bucket the compact layout still stores is"
          + " shown."
    })
final class DumpCommand implements Callable<Integer>, Main.SecretAware {

  @ParentCommand private Main main;

  @Spec private CommandSpec spec;

  @Option(
      names = "--redis",
      paramLabel = "URI",
      converter = Converters.RedisUri.class,
      description = "Redis URI; default: REDIS_URL / usagesink.redis.uri.")
  private String redis;

  @Option(
      names = "--layout",
      paramLabel = "crs|compact",
      description =
          "Layout the statistics were written in; default: usagesink.layout / USAGESINK_LAYOUT,"
              + " else crs.")
  private String layout;

  @Option(
      names = "--as",
      paramLabel = "crs",
      description = "With --layout compact: print the CRS view (see above).")
  private String as;

  private Secrets secrets = Secrets.of();

  @Override
  public Secrets secrets() {
    return secrets;
  }

  @Override
  public Integer call() throws JsonProcessingException {
    CliContext ctx = main.context();
    secrets =
        Secrets.of(
            redis, ctx.env("REDIS_URL"), ctx.properties().getProperty("usagesink.redis.uri"));
    SinkConfig.Builder b = Configs.fromEnvironment(ctx).toBuilder();
    if (redis != null) {
      b.redisUri(redis);
    }
    if (layout != null) {
      b.property(UsageLayouts.LAYOUT_PROPERTY, layout);
    }
    SinkConfig config = b.build();
    if (RedisOptions.from(config).uri().isEmpty()) {
      throw new Main.UsageException("no Redis given; use --redis URI or set REDIS_URL");
    }
    boolean compact;
    try {
      compact = UsageLayouts.layoutName(config).equals(UsageLayouts.COMPACT);
    } catch (io.usagesink.ConfigurationException e) {
      throw new Main.UsageException("Invalid value for option '--layout': " + e.getMessage());
    }
    if (as != null && !as.equals("crs")) {
      throw new Main.UsageException("Invalid value for option '--as': '" + as + "'. Must be crs.");
    }
    if (as != null && !compact) {
      throw new Main.UsageException(
          "--as crs needs --layout compact (the crs layout is already the CRS view)");
    }
    RedisState state;
    try (RedisAdmin admin = RedisAdmin.open(config)) {
      state = !compact ? admin.dump() : as != null ? admin.dumpCrsView() : admin.dumpCompact();
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println(Json.PRETTY.writeValueAsString(state.toJson()));
    out.flush();
    return ExitCode.OK;
  }
}
