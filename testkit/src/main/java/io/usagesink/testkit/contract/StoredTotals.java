package io.usagesink.testkit.contract;

/**
 * What a backend stored for one API key, read back from its store by a {@link UsageSinkContract}
 * subclass (for the reference layout: the fields {@code totalRequests}, {@code totalInputTokens}
 * and {@code totalOutputTokens} of the hash {@code usage:{keyId}}; absent fields are 0).
 *
 * @param requests requests counted for the key
 * @param inputTokens input tokens counted for the key
 * @param outputTokens output tokens counted for the key
 */
public record StoredTotals(long requests, long inputTokens, long outputTokens) {

  /** Nothing stored. */
  public static final StoredTotals NONE = new StoredTotals(0, 0, 0);
}
