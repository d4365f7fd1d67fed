package io.usagesink.buffered;

import java.time.Instant;
import java.util.Objects;

/**
 * What an {@link Accumulator} sums over: API key, account, model (as recorded) and the start of the
 * layout's finest time bucket of the event. Two events with equal keys land in exactly the same
 * Redis counters, so their usage may be summed before planning. Immutable; the hash is computed
 * once, because the hot path hashes every key once and the map may compare it several times.
 */
final class AccumulatorKey {
  private final String keyId;
  private final String accountId;
  private final String model;
  private final Instant bucketStart;
  private final int hash;

  AccumulatorKey(String keyId, String accountId, String model, Instant bucketStart) {
    this.keyId = keyId;
    this.accountId = accountId;
    this.model = model;
    this.bucketStart = bucketStart;
    this.hash = 31 * (31 * (31 * Objects.hashCode(keyId) + Objects.hashCode(accountId)) + model.hashCode())
        + bucketStart.hashCode();
  }

  String keyId() {
    return keyId;
  }

  String accountId() {
    return accountId;
  }

  String model() {
    return model;
  }

  Instant bucketStart() {
    return bucketStart;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AccumulatorKey k
        && hash == k.hash
        && bucketStart.equals(k.bucketStart)
        && model.equals(k.model)
        && Objects.equals(keyId, k.keyId)
        && Objects.equals(accountId, k.accountId);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return "(" + keyId + ", " + accountId + ", " + model + ", " + bucketStart + ")";
  }
}
