package io.usagesink.buffered;

import java.time.Instant;
import java.util.Objects;

/**
 * What an {@link Accumulator} sums over: API key, account, model (as recorded) and the start of the
 * layout's finest time bucket of the event. Two events with equal keys land in exactly the same
 * Redis counters, so their usage may be summed before planning. Immutable.
 *
 * <p>{@code record()} builds one as the probe of its map lookup; the map stores the {@link
 * Accumulator} itself as the key (it extends this class), so a lookup touches one object, not a key
 * and a value. The bucket start is kept as epoch second and nano rather than an {@link Instant},
 * and the hash is computed once: both spare a memory access per comparison.
 */
class AccumulatorKey {
  final String keyId;
  final String accountId;
  final String model;
  final long bucketSecond;
  final int bucketNano;
  private final int hash;

  AccumulatorKey(String keyId, String accountId, String model, Instant bucketStart) {
    this(keyId, accountId, model, bucketStart.getEpochSecond(), bucketStart.getNano());
  }

  AccumulatorKey(AccumulatorKey key) {
    this(key.keyId, key.accountId, key.model, key.bucketSecond, key.bucketNano);
  }

  private AccumulatorKey(
      String keyId, String accountId, String model, long bucketSecond, int bucketNano) {
    this.keyId = keyId;
    this.accountId = accountId;
    this.model = model;
    this.bucketSecond = bucketSecond;
    this.bucketNano = bucketNano;
    int h =
        31 * (31 * Objects.hashCode(keyId) + Objects.hashCode(accountId)) + Objects.hashCode(model);
    this.hash = 31 * (31 * h + Long.hashCode(bucketSecond)) + bucketNano;
  }

  Instant bucketStart() {
    return Instant.ofEpochSecond(bucketSecond, bucketNano);
  }

  @Override
  public final boolean equals(Object o) {
    return o instanceof AccumulatorKey k
        && hash == k.hash
        && bucketSecond == k.bucketSecond
        && bucketNano == k.bucketNano
        && Objects.equals(model, k.model)
        && Objects.equals(keyId, k.keyId)
        && Objects.equals(accountId, k.accountId);
  }

  @Override
  public final int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return "(" + keyId + ", " + accountId + ", " + model + ", " + bucketStart() + ")";
  }
}
