/**
 * The usagesink API: {@link io.usagesink.UsageEvent}, the {@link io.usagesink.UsageSink} SPI, its
 * discovery ({@link io.usagesink.UsageSinks}), configuration, and the statistics layout and
 * planner. JDK only. Backends {@code provides io.usagesink.UsageSinkProvider with ...}.
 */
module io.usagesink {
  exports io.usagesink;
  exports io.usagesink.layout;
  exports io.usagesink.plan;

  uses io.usagesink.UsageSinkProvider;
}
