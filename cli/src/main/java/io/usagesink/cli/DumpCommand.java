package io.usagesink.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.usagesink.SinkConfig;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
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
        "Print the statistics stored in Redis as JSON: {\"<key>\": {\"type\": \"hash\", \"fields\": {...}, \"ttl\": N}}.",
        "Keys, fields and set members are sorted; ttl -1 means no expiry."
    })
final class DumpCommand implements Callable<Integer>, Main.SecretAware {

  @ParentCommand
  private Main main;

  @Spec
  private CommandSpec spec;

  @Option(names = "--redis", paramLabel = "URI", converter = Converters.RedisUri.class,
      description = "Redis URI; default: REDIS_URL / usagesink.redis.uri.")
  private String redis;

  private Secrets secrets = Secrets.of();

  @Override
  public Secrets secrets() {
    return secrets;
  }

  @Override
  public Integer call() throws JsonProcessingException {
    CliContext ctx = main.context();
    secrets = Secrets.of(redis, ctx.env("REDIS_URL"), ctx.properties().getProperty("usagesink.redis.uri"));
    SinkConfig.Builder b = Configs.fromEnvironment(ctx).toBuilder();
    if (redis != null) {
      b.redisUri(redis);
    }
    SinkConfig config = b.build();
    if (config.redisUri().isEmpty()) {
      throw new Main.UsageException("no Redis given; use --redis URI or set REDIS_URL");
    }
    RedisState state;
    try (RedisAdmin admin = RedisAdmin.open(config)) {
      state = admin.dump();
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println(Json.PRETTY.writeValueAsString(state.toJson()));
    out.flush();
    return Main.OK;
  }
}
