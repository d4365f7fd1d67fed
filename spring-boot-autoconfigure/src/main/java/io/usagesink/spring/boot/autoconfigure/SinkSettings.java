package io.usagesink.spring.boot.autoconfigure;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.core.env.Environment;

/**
 * Turns the bound {@link UsageSinkProperties} and the other {@code usagesink.*} keys of Spring's
 * {@link Environment} into the flat property map {@code SinkConfig.from(Map, Map)} reads, so the
 * api parses and checks every value. Stateless.
 */
final class SinkSettings {

  /** The property of the sink's own JVM shutdown hook (all backends that have one). */
  static final String SHUTDOWN_HOOK = "usagesink.shutdown-hook";

  /** The property of the buffered backend's JVM shutdown hook. */
  static final String BUFFERED_SHUTDOWN_HOOK = "usagesink.buffered.shutdown-hook";

  /** The originating system's statistics switches, read under their own names as the api does. */
  static final List<String> STATS_SWITCHES =
      List.of(
          "ENABLE_USAGE_STATISTICS",
          "ENABLE_HOURLY_STATS",
          "ENABLE_MINUTE_STATS",
          "ENABLE_MODEL_STATS",
          "ENABLE_DETAILED_CACHE_STATS");

  private static final String PREFIX = "usagesink";

  /** Every bound setting, by its property name as the api spells it. */
  private static final List<Setting> SETTINGS =
      List.of(
          new Setting("usagesink.backend", UsageSinkProperties::getBackend),
          new Setting("usagesink.redis.uri", p -> p.getRedis().getUri()),
          new Setting("usagesink.redis.cluster", p -> p.getRedis().getCluster()),
          new Setting("usagesink.redis.connect", p -> p.getRedis().getConnect()),
          new Setting("usagesink.zone", UsageSinkProperties::getZone),
          new Setting("usagesink.metrics-window", UsageSinkProperties::getMetricsWindow),
          new Setting("usagesink.key-prefix", UsageSinkProperties::getKeyPrefix),
          new Setting("usagesink.close-timeout", UsageSinkProperties::getCloseTimeout),
          new Setting("usagesink.command-timeout", UsageSinkProperties::getCommandTimeout),
          new Setting("usagesink.guard-ttl", UsageSinkProperties::getGuardTtl),
          new Setting("usagesink.layout", UsageSinkProperties::getLayout),
          new Setting(SHUTDOWN_HOOK, UsageSinkProperties::getShutdownHook),
          new Setting("usagesink.buffered.flush-interval", p -> p.getBuffered().getFlushInterval()),
          new Setting(
              "usagesink.buffered.max-pending-counters",
              p -> p.getBuffered().getMaxPendingCounters()),
          new Setting("usagesink.buffered.writer", p -> p.getBuffered().getWriter()),
          new Setting("usagesink.buffered.journal-dir", p -> p.getBuffered().getJournalDir()),
          new Setting("usagesink.buffered.journal-fsync", p -> p.getBuffered().getJournalFsync()),
          new Setting(
              "usagesink.buffered.journal-fsync-interval",
              p -> p.getBuffered().getJournalFsyncInterval()),
          new Setting(BUFFERED_SHUTDOWN_HOOK, p -> p.getBuffered().getShutdownHook()));

  private static final Set<ConfigurationPropertyName> BOUND =
      SETTINGS.stream()
          .map(s -> ConfigurationPropertyName.of(s.name))
          .collect(Collectors.toUnmodifiableSet());

  /** Settings of this module that are not the sink's. */
  private static final ConfigurationPropertyName HEALTH =
      ConfigurationPropertyName.of("usagesink.health");

  private SinkSettings() {}

  /**
   * The property map for {@code SinkConfig.from(map, Map.of())}: the bound settings that are set,
   * every other {@code usagesink.*} key of the environment as written (custom backends' settings),
   * the {@code ENABLE_*} switches found in the environment, and both shutdown-hook properties
   * {@code false} unless the user set one of them (the application context closes the sink).
   */
  static Map<String, String> of(UsageSinkProperties properties, Environment environment) {
    Map<String, String> map = new TreeMap<>();
    for (Setting s : SETTINGS) {
      String value = s.getter.apply(properties);
      if (value != null) {
        map.put(s.name, value);
      }
    }
    Map<String, String> all =
        Binder.get(environment)
            .bind(PREFIX, Bindable.mapOf(String.class, String.class))
            .orElse(Map.of());
    all.forEach(
        (key, value) -> {
          String name = PREFIX + "." + key;
          ConfigurationPropertyName uniform = ConfigurationPropertyName.adapt(name, '.');
          if (value != null && !BOUND.contains(uniform) && !HEALTH.isAncestorOf(uniform)) {
            map.putIfAbsent(name, value);
          }
        });
    for (String name : STATS_SWITCHES) {
      String value = environment.getProperty(name);
      if (value != null) {
        map.put(name, value);
      }
    }
    if (!map.containsKey(SHUTDOWN_HOOK) && !map.containsKey(BUFFERED_SHUTDOWN_HOOK)) {
      map.put(SHUTDOWN_HOOK, "false");
      map.put(BUFFERED_SHUTDOWN_HOOK, "false");
    }
    return map;
  }

  /** One bound setting: its property name and how to read it from the properties. */
  private record Setting(String name, Function<UsageSinkProperties, String> getter) {}
}
