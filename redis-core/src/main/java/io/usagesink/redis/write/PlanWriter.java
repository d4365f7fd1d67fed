package io.usagesink.redis.write;

import io.usagesink.plan.UsagePlan;
import io.usagesink.redis.IncompleteWriteException;
import io.usagesink.redis.WriteResult;
import io.usagesink.redis.connect.RedisConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Writes a {@link UsagePlan} to Redis. Obtain one from {@link PlanWriters}.
 *
 * <p>Implementations are thread-safe and never block the caller: {@link #write} sends the commands
 * and returns at once. A writer does not own its {@link RedisConnection}; closing the connection is
 * the caller's business.
 *
 * <p><b>Outcome.</b> The future of a write completes normally when every part of the plan has a
 * definite outcome: applied, skipped as a duplicate (guard, below), or refused for good because its
 * key is poisoned ({@code WRONGTYPE}, an overflowing counter, a field that is not an integer),
 * named in {@link WriteResult#failedKeys()}; the other keys of the plan are applied all the same.
 * It completes exceptionally with {@link IncompleteWriteException} when some part failed for a
 * reason that may pass (connection lost, timeout, {@code OOM}, {@code LOADING}, ...): {@link
 * IncompleteWriteException#remaining()} is what a retry must send, under the same guard id; and
 * with the raw Redis error when Redis refuses the sink itself ({@code NOPERM}, {@code NOAUTH},
 * unknown command). See {@link io.usagesink.redis.internal.failure.FailurePolicy} for the
 * classification.
 *
 * <p><b>Idempotency.</b> With a non-null {@code guardId} the {@linkplain PlanWriters#lua Lua
 * writer} applies the plan at most once per guard id (within {@code RedisOptions.guardTtl()}): an
 * idempotency key {@code <keyPrefix>guard:{<slot tag>}:<guardId>} is set with {@code SET NX EX}
 * inside the same script that applies the counters, which never stops half-way, so a retry after an
 * ambiguous failure (the connection dropped after Redis ran the script) never counts twice and
 * reports the same failed keys. On a cluster each slot group carries its own guard key in its own
 * slot and is applied at most once independently. The {@linkplain PlanWriters#pipeline pipeline
 * writer} has no guard: it ignores {@code guardId}; its remaining plan holds only commands that got
 * no reply or a transient error reply, and re-sending one that got no reply may count it twice
 * (at-least-once). Without a guard id no writer is safe to retry after an ambiguous failure.
 */
public interface PlanWriter {

  /**
   * Writes {@code plan}; returns at once.
   *
   * @param plan the updates to apply
   * @param guardId the idempotency id of this plan, or {@code null} for none (see the class
   *     documentation); a retry of the same plan must use the same id
   * @return completes with the result when every part of the plan has a definite outcome (see the
   *     class documentation: failed keys are in the result); completes exceptionally with {@link
   *     IncompleteWriteException} (retry its remaining plan) or with a fatal Redis error
   * @throws NullPointerException if {@code plan} is null
   * @throws IllegalArgumentException if {@code guardId} is blank
   */
  CompletableFuture<WriteResult> write(UsagePlan plan, String guardId);

  /**
   * Writes several plans at once; equivalent to calling {@link #write} for each, in order, but the
   * built-in writers hand all their commands to the connection in one batch (one flush), which
   * costs far less per plan under load. Returns at once.
   *
   * @param plans the plans, in order
   * @param guardIds one guard id (or {@code null}) per plan
   * @return one future per plan, in order, with the meaning of {@link #write}
   * @throws IllegalArgumentException if the lists differ in size or a guard id is blank
   */
  default List<CompletableFuture<WriteResult>> writeAll(
      List<UsagePlan> plans, List<String> guardIds) {
    WriteArguments.requireSameSize(plans, guardIds);
    List<CompletableFuture<WriteResult>> out = new ArrayList<>(plans.size());
    for (int i = 0; i < plans.size(); i++) {
      out.add(write(plans.get(i), guardIds.get(i)));
    }
    return out;
  }

  /**
   * Whether a failed write may be retried under its guard id for any length of time without
   * counting twice: {@code true} for the {@linkplain PlanWriters#compact compact writer} (it writes
   * absolute values), {@code false} for writers whose guard lives a limited time (Lua) or that have
   * none (pipeline).
   */
  default boolean idempotentRetries() {
    return false;
  }

  /**
   * The caller gives up the write under {@code guardId} and counts it failed: a writer that would
   * otherwise still store part of it later (the compact writer keeps unsent values for its next
   * write) forgets it. Default: nothing to do.
   */
  default void abandon(String guardId) {}

  /**
   * Short name of the writing strategy for reports: {@code lua}, {@code pipeline} or {@code
   * compact}.
   */
  String name();
}
