/**
 * The {@code noop} backend of usagesink: accepts every event and drops it. Choose it on purpose, to
 * switch usage statistics off.
 */
module io.usagesink.noop {
  requires transitive io.usagesink;

  exports io.usagesink.noop;

  provides io.usagesink.UsageSinkProvider with
      io.usagesink.noop.internal.NoopUsageSinkProvider;
}
