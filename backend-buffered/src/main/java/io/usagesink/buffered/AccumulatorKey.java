package io.usagesink.buffered;

import java.time.Instant;
import java.util.Objects;

/**
 * What an {@link Accumulator} sums over: API key, account, model (as recorded) and the start of the
 * layout's finest time bucket of the event. Two events with equal keys land in exactly the same
 * Redis counters, so their usage may be summed before planning. Immutable.
 *
 * <p>{@code record()} looks its accumulator up with a per-thread {@linkplain #probe() probe},
 * refilled for each event ({@link #set}), so recording allocates nothing; the map stores the {@link
 * Accumulator} itself as the key (it extends this class, and its fields are set once, in its
 * constructor, before the map publishes it), so a lookup touches one object, not a key and a value.
 * The bucket start is kept as epoch second and nano rather than an {@link Instant}, and the hash is
 * computed once: both spare a memory access per comparison.
 */
class AccumulatorKey {
  String keyId;
  String accountId;
  String model;
  long bucketSecond;
  int bucketNano;
  private int hash;

  AccumulatorKey(String keyId, String accountId, String model, Instant bucketStart) {
    this(keyId, accountId, model, bucketStart.getEpochSecond(), bucketStart.getNano());
  }

  AccumulatorKey(AccumulatorKey key) {
    this(key.keyId, key.accountId, key.model, key.bucketSecond, key.bucketNano);
  }

  private AccumulatorKey(
      String keyId, String accountId, String model, long bucketSecond, int bucketNano) {
    set(keyId, accountId, model, bucketSecond, bucketNano);
  }

  /**
   * A key to be refilled with {@link #set} for each lookup: owned by one thread, never stored (an
   * insert copies it into a new {@link Accumulator}).
   */
  static AccumulatorKey probe() {
    return new AccumulatorKey(null, null, null, 0, 0);
  }

  /** Refills this probe; returns it. Never called on an {@link Accumulator}. */
  final AccumulatorKey set(String keyId, String accountId, String model, Instant bucketStart) {
    set(keyId, accountId, model, bucketStart.getEpochSecond(), bucketStart.getNano());
    return this;
  }

  private void set(
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
