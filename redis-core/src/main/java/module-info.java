/**
 * What the Redis backends of usagesink share: the Lettuce connection ({@code connect}), the plan
 * writers ({@code write}), the reader of the stored layout ({@code read}) and the exceptions and
 * results every layer uses. The per-event engine and the failure policy ({@code internal}, {@code
 * internal.failure}) are not API: they are exported only to the backends built on them.
 */
// "module": the backends named below are built after this module;
// "requires-automatic" and "requires-transitive-automatic": Lettuce has no module descriptor,
// only an Automatic-Module-Name
@SuppressWarnings({"module", "requires-automatic", "requires-transitive-automatic"})
module io.usagesink.redis {
  requires transitive io.usagesink;
  // Lettuce is an automatic module (lettuce.core); its types are part of RedisConnection's API
  requires transitive lettuce.core;
  requires io.netty.buffer;
  // Netty's Timer is in RedisConnection's API
  requires transitive io.netty.common;
  requires io.netty.handler;
  requires io.netty.transport;
  requires org.slf4j;
  requires com.github.benmanes.caffeine;

  exports io.usagesink.redis;
  exports io.usagesink.redis.connect;
  exports io.usagesink.redis.read;
  exports io.usagesink.redis.write;
  exports io.usagesink.redis.internal to
      io.usagesink.redis.pipeline,
      io.usagesink.redis.lua,
      io.usagesink.buffered;
  exports io.usagesink.redis.internal.failure to
      io.usagesink.redis.pipeline,
      io.usagesink.redis.lua,
      io.usagesink.buffered;
}
