package io.usagesink.redis.write;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.usagesink.layout.CompactLayout;
import io.usagesink.layout.CompactLayout.KeyKind;
import io.usagesink.plan.CounterDelta;
import io.usagesink.plan.UsagePlan;
import io.usagesink.redis.IncompleteWriteException;
import io.usagesink.redis.WriteResult;
import io.usagesink.redis.connect.RedisConnection;
import io.usagesink.redis.internal.failure.FailurePolicy;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Writes plans of the {@linkplain CompactLayout compact layout} as absolute values of this writer's
 * own cells (see {@link CompactLayout} for keys, fields and costs). A plan's counters are deltas of
 * bucket cells; the writer adds them to the cells it holds in memory and sends the new absolute
 * values: one {@code HSET} per changed hash (normally the current bucket only), an {@code EXPIRE}
 * the first time it writes a hash, and the folded day cells and totals when its watermark advances
 * or a late event lands before it.
 *
 * <p><b>Exactly once without guards.</b> A write with the same non-null guard id as the previous
 * one (a retry) adds nothing: it re-sends the values still unconfirmed. A failed write returns
 * {@link IncompleteWriteException} whose {@code remaining()} is the whole plan, to be retried under
 * the same guard id, for as long as the sink likes: the retry rewrites absolute values, so no guard
 * window limits it ({@link #idempotentRetries()}). Writes are sent one after the other, never
 * overlapping, so an older value never lands after a newer.
 *
 * <p><b>Bounded memory.</b> The writer keeps the cells of its newest {@value #MAX_BUCKETS} buckets,
 * the folded day cells of their months and its totals per key and account. An event for a bucket it
 * dropped, more than {@value #MAX_SUBJECTS} keys and accounts, or an id older than a day make it
 * <em>rotate</em>: it folds everything under its id (watermark {@code ~}, final) and continues
 * under a new id from zero, so no value it wrote is ever overwritten by a smaller one. {@link
 * #close()} folds the same way.
 *
 * <p><b>Dead writers are folded</b> ({@link CompactFold}). Every watermark carries a heartbeat (the
 * seconds of its write), refreshed with a write at least every hour. A writer takes no new values
 * under an id more than {@link CompactFold#ABANDON_AFTER} (6 h) after the id's newest confirmed
 * heartbeat, and sends none more than an hour later still: after such a silence it drops the id
 * without writing (an idle writer simply continues under a new id; unsent values of a batch still
 * failing are dropped and the write fails for good, so its sink counts the batch failed). Once an
 * hour (and on its first write) a writer reads the totals hash and folds every id whose heartbeat
 * is older than {@link CompactFold#FOLD_AFTER} (12 h: killed, idle and dropped, or closed): one
 * compare-and-set script per hash moves the id's cells, plus the cells it left unfolded in its
 * watermark bucket, into the shared {@code folded} cells and deletes its fields. The totals hash
 * therefore holds the live ids and one {@code folded} cell per key and account, and no figure
 * depends on a bucket hash once its writer is folded.
 *
 * <p><b>Giving up.</b> Values whose write failed stay pending and are sent again with the next
 * write for as long as the id is leased, so a retried batch is stored exactly once whenever Redis
 * comes back. A sink that gives up a batch calls {@link #abandon}: the writer then drops every
 * unsent value and continues under a new id, so a batch given up is really not stored (except what
 * an attempt whose reply was lost had already stored), and its books stay true.
 *
 * <p><b>Surviving a crash of the process</b> (with an {@link Outbox}, as the buffered sink's
 * journal gives). Before each send the writer saves what it is about to send and has not seen
 * confirmed ({@link Unsent}: the absolute values, the ids' leases and the guard id of the batch
 * they carry) through the outbox. A writer of a later process {@linkplain #adopt adopts} that
 * record: it sends the values again, under the dead writer's ids (absolute values, so a value that
 * had landed is rewritten unchanged and one that had not lands now, hash by hash), and treats the
 * adopted guard id as its last one, so a write under it is a retry that adds nothing. Other plans
 * go to its own new id. It adopts only while the dead ids' leases would still let their own writer
 * resend (until {@link CompactFold#RESEND_GRACE} after {@link CompactFold#ABANDON_AFTER} from the
 * newest confirmed heartbeat: 7 h), so nothing lands after a live writer may have folded the ids;
 * later a write under the adopted guard fails for good ({@link IllegalStateException}).
 *
 * <p>Thread-safe; {@link #write} never blocks (except to save the outbox). Does not own the
 * connection.
 */
public final class CompactWriter implements PlanWriter, AutoCloseable {

  /** Buckets whose cells the writer keeps in memory. */
  static final int MAX_BUCKETS = 48;

  /** Keys and accounts of one writer id before it rotates. */
  static final int MAX_SUBJECTS = 100_000;

  /** Commands a fold script runs inside Redis (HGETALL, HSET, HDEL). */
  private static final int SCRIPT_COMMANDS = 3;

  /** Age of a writer id after which it rotates. */
  static final Duration MAX_ID_AGE = Duration.ofDays(1);

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz".toCharArray();

  private final RedisConnection connection;
  private final RedisClusterAsyncCommands<String, String> redis;
  private final CompactLayout layout;
  private final InstantSource wallClock;

  /** Saves what each send carries before it goes out, or {@code null}. */
  private final Outbox outbox;

  // guarded by this
  private String id;
  private long idBornSeconds;
  private String wm;
  private String droppedThrough;
  private final TreeMap<String, Map<String, long[]>> buckets = new TreeMap<>();
  private final TreeMap<String, Map<String, long[]>> foldedDays = new TreeMap<>();
  private final Map<String, long[]> foldedTotals = new HashMap<>();
  private LinkedHashMap<String, LinkedHashMap<String, String>> pending = new LinkedHashMap<>();
  private final Set<String> expiring = new HashSet<>();
  private String lastGuard;
  private CompletableFuture<?> tail = CompletableFuture.completedFuture(null);
  private int rotations;

  /** Leases of the current id and of retired ids that still have values to send. */
  private final Map<String, Lease> leases = new LinkedHashMap<>();

  /** Wall-clock seconds of the next look for ids to fold (0: at the first write). */
  private long nextFoldCheck;

  private int foldedIds;

  /** The guard id of an outbox {@link #adopt} refused (too old): writes under it fail. */
  private String refusedGuard;

  /**
   * Where a writer saves what it is about to send ({@link Unsent}) before the commands go out, so a
   * writer of a later process can {@linkplain #adopt adopt} it after a crash. Called with the
   * writer's lock held, at most once per send; an exception fails that send (nothing is sent; the
   * values stay pending and the write is retried).
   */
  @FunctionalInterface
  public interface Outbox {
    /** Persists {@code unsent}, replacing what was saved before. */
    void save(Unsent unsent) throws java.io.IOException;
  }

  /**
   * The lease of a writer id: when it was born and its newest confirmed heartbeat (epoch seconds).
   *
   * @param bornSeconds when the id was born
   * @param confirmedSeconds the newest heartbeat Redis confirmed
   */
  public record IdLease(long bornSeconds, long confirmedSeconds) {
    /**
     * The last second at which the id's own writer would still resend values taken before its
     * deadline.
     */
    public long resendUntilSeconds() {
      return Math.max(bornSeconds, confirmedSeconds)
          + CompactFold.ABANDON_AFTER.toSeconds()
          + CompactFold.RESEND_GRACE.toSeconds();
    }
  }

  /**
   * What a send carries and Redis has not confirmed: every pending absolute value (hash key to
   * field to value), the leases of the ids they belong to, and the guard id of the last write (the
   * batch whose values they are; {@code null} when writes carried none). Immutable.
   *
   * @param guardId the guard id of the last write before the send, or {@code null}
   * @param leases the lease of each writer id that has a field in {@code hashes}
   * @param hashes hash key to field to value, as {@code HSET} sends them
   */
  public record Unsent(
      String guardId, Map<String, IdLease> leases, Map<String, Map<String, String>> hashes) {
    /** Copies the maps. */
    public Unsent {
      leases = Map.copyOf(leases);
      Map<String, Map<String, String>> copy = new LinkedHashMap<>();
      hashes.forEach((k, v) -> copy.put(k, Collections.unmodifiableMap(new LinkedHashMap<>(v))));
      hashes = Collections.unmodifiableMap(copy);
    }
  }

  /** When an id was born, and its heartbeats issued and confirmed (wall-clock seconds). */
  private static final class Lease {
    final long born;
    long lastIssued;
    long confirmed;

    Lease(long born) {
      this.born = born;
      this.lastIssued = born;
      this.confirmed = born;
    }

    /** The last second at which the id may still be written. */
    long deadline() {
      return Math.max(born, confirmed) + CompactFold.ABANDON_AFTER.toSeconds();
    }
  }

  CompactWriter(
      RedisConnection connection, CompactLayout layout, InstantSource wallClock, Outbox outbox) {
    this.connection = Objects.requireNonNull(connection, "connection");
    this.redis = connection.async();
    this.layout = Objects.requireNonNull(layout, "layout");
    this.wallClock = Objects.requireNonNull(wallClock, "wallClock");
    this.outbox = outbox;
  }

  /**
   * Takes over what a writer of an earlier process saved in its outbox and Redis may not have
   * confirmed: the values are sent again with the next write, under their own ids, and {@code
   * unsent.guardId()} becomes this writer's last guard id, so a write under it adds nothing (it is
   * the retry of the batch those values carry). Call before the first write. Refused, adopting
   * nothing, when a lease is past {@link IdLease#resendUntilSeconds()} on this writer's clock (a
   * live writer may fold those ids from {@link CompactFold#FOLD_AFTER} on); a write under that
   * guard id then fails with {@link IllegalStateException}, since whether its batch landed cannot
   * be known.
   *
   * @return whether the values were adopted
   */
  public synchronized boolean adopt(Unsent unsent) {
    Objects.requireNonNull(unsent, "unsent");
    long now = wallClock.instant().getEpochSecond();
    for (IdLease l : unsent.leases().values()) {
      if (now > l.resendUntilSeconds()) {
        refusedGuard = unsent.guardId();
        return false;
      }
    }
    unsent
        .leases()
        .forEach(
            (leased, l) -> {
              Lease lease = new Lease(l.bornSeconds());
              lease.confirmed = l.confirmedSeconds();
              lease.lastIssued = Math.max(l.bornSeconds(), l.confirmedSeconds());
              leases.putIfAbsent(leased, lease);
            });
    unsent
        .hashes()
        .forEach(
            (key, fields) ->
                fields.forEach(
                    (field, value) -> {
                      if (leases.containsKey(idOf(field))) {
                        pending
                            .computeIfAbsent(key, k -> new LinkedHashMap<>())
                            .putIfAbsent(field, value);
                      }
                    }));
    lastGuard = unsent.guardId();
    return true;
  }

  @Override
  public CompletableFuture<WriteResult> write(UsagePlan plan, String guardId) {
    Objects.requireNonNull(plan, "plan");
    if (guardId != null && guardId.isBlank()) {
      throw new IllegalArgumentException(
          "guardId must be null or non-blank but was \"" + guardId + "\"");
    }
    CompletableFuture<WriteResult> result = new CompletableFuture<>();
    synchronized (this) {
      if (guardId != null && guardId.equals(refusedGuard)) {
        return CompletableFuture.failedFuture(
            new IllegalStateException(
                "batch "
                    + guardId
                    + " was in flight when an"
                    + " earlier process stopped, and its writer ids' leases have lapsed (more than "
                    + CompactFold.ABANDON_AFTER.plus(CompactFold.RESEND_GRACE).toHours()
                    + " h since their last confirmed heartbeat): whether it landed cannot be known"
                    + " and it may no longer be resent"));
      }
      if (guardId == null || !guardId.equals(lastGuard)) {
        apply(plan);
        lastGuard = guardId;
      }
      tail =
          tail.handle((r, e) -> null)
              .thenCompose(x -> send(plan))
              .whenComplete(
                  (r, e) -> {
                    if (e != null) {
                      result.completeExceptionally(FailurePolicy.unwrap(e));
                    } else {
                      result.complete(r);
                    }
                  });
    }
    return result;
  }

  /**
   * Folds everything under the current id (final watermark) and sends every pending value, waiting
   * at most the command timeout. Later writes continue under a new id. Never throws for Redis
   * errors (values not stored stay pending; readers still add the newest bucket from its bucket
   * hash).
   */
  @Override
  public void close() {
    CompletableFuture<?> done;
    synchronized (this) {
      if (id != null && wallClock.instant().getEpochSecond() > leases.get(id).deadline()) {
        retire(); // silent for too long: a live writer folds the id, this writer must not write it
      } else {
        rotate();
      }
      done = tail = tail.handle((r, e) -> null).thenCompose(x -> send(UsagePlan.empty()));
    }
    try {
      done.get(connection.commandTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // the values stay pending; readers add the newest bucket from its bucket hash
    }
  }

  /**
   * Retries rewrite absolute values, so a batch may be retried for as long as its sink likes (no
   * guard window): {@code true}.
   */
  @Override
  public boolean idempotentRetries() {
    return true;
  }

  /**
   * The sink gives up the batch {@code guardId} (or the batch in flight when {@code null}): drops
   * every value not yet sent or confirmed and continues under a new id, without a final fold (the
   * id is folded by a live writer once its heartbeat is {@link CompactFold#FOLD_AFTER} old), so
   * nothing of the batch is stored later.
   */
  @Override
  public synchronized void abandon(String guardId) {
    if (guardId != null && !guardId.equals(lastGuard)) {
      return;
    }
    pending.clear();
    retire();
    leases.clear();
  }

  /** How many dead or closed ids this writer folded. */
  synchronized int foldedIds() {
    return foldedIds;
  }

  /** Whether values are waiting to be sent (a write failed and nothing succeeded since). */
  synchronized boolean hasPending() {
    return !pending.isEmpty();
  }

  /** The current writer id (for tests), or null before the first write. */
  synchronized String id() {
    return id;
  }

  /** How many times this writer rotated its id. */
  synchronized int rotations() {
    return rotations;
  }

  /** Buckets held in memory (for tests). */
  synchronized int bucketsInMemory() {
    return buckets.size();
  }

  // ---- state (under the lock) ----

  private void apply(UsagePlan plan) {
    TreeMap<String, Map<String, long[]>> deltas = new TreeMap<>();
    for (CounterDelta c : plan.counters()) {
      if (layout.kind(c.key()) != KeyKind.BUCKET) {
        throw new IllegalArgumentException(
            "key "
                + c.key()
                + " is not a bucket of the compact layout "
                + layout.prefix()
                + "h:*; plan with the compact layout");
      }
      int hash = c.field().lastIndexOf('#');
      String cell = c.field().substring(0, hash);
      int index = Integer.parseInt(c.field().substring(hash + 1));
      deltas.computeIfAbsent(layout.label(c.key()), k -> new LinkedHashMap<>())
              .computeIfAbsent(cell, k -> new long[CompactLayout.MEASURES])[index] +=
          c.delta();
    }
    if (deltas.isEmpty()) {
      return;
    }
    long now = wallClock.instant().getEpochSecond();
    if (id != null && now > leases.get(id).deadline()) {
      retire(); // silent for too long: the id may be folded by now; never write it again
    }
    if (id != null
        && ((droppedThrough != null && deltas.firstKey().compareTo(droppedThrough) <= 0)
            || foldedTotals.size() > MAX_SUBJECTS
            || now - idBornSeconds > MAX_ID_AGE.toSeconds())) {
      rotate();
    }
    if (id == null) {
      id = newId();
      idBornSeconds = now;
      leases.put(id, new Lease(now));
    }
    String oldWm = wm;
    String newWm =
        oldWm == null || deltas.lastKey().compareTo(oldWm) > 0 ? deltas.lastKey() : oldWm;
    Set<String> months = new TreeSet<>();
    for (Map.Entry<String, Map<String, long[]>> d : deltas.entrySet()) {
      Map<String, long[]> bucket = buckets.computeIfAbsent(d.getKey(), k -> new HashMap<>());
      String key = layout.bucketKey(d.getKey());
      for (Map.Entry<String, long[]> c : d.getValue().entrySet()) {
        long[] v = bucket.computeIfAbsent(c.getKey(), k -> new long[CompactLayout.MEASURES]);
        CompactLayout.addInto(v, c.getValue());
        put(key, id + "|" + c.getKey(), CompactLayout.encode(v));
      }
    }
    boolean advanced = oldWm != null && newWm.compareTo(oldWm) > 0;
    if (advanced) {
      foldBucket(oldWm, months);
    }
    for (Map.Entry<String, Map<String, long[]>> d : deltas.entrySet()) {
      String label = d.getKey();
      if (label.compareTo(newWm) >= 0 || (advanced && label.equals(oldWm))) {
        continue;
      }
      d.getValue().forEach((cell, v) -> foldAdd(label, cell, v, months));
    }
    if (oldWm == null || !months.isEmpty() || advanced) {
      if (oldWm != null) {
        months.add(CompactLayout.monthOf(oldWm));
      }
      months.add(CompactLayout.monthOf(newWm));
      watermark(newWm, months, now);
    } else if (now - leases.get(id).lastIssued >= CompactFold.HEARTBEAT.toSeconds()) {
      put(layout.totalsKey(), id + "|@", newWm + " " + now); // the heartbeat, refreshed
      leases.get(id).lastIssued = now;
    }
    wm = newWm;
    trim();
  }

  /** Adds every (non-minute) cell of bucket {@code label} to the folded cells. */
  private void foldBucket(String label, Set<String> months) {
    Map<String, long[]> bucket = buckets.get(label);
    if (bucket != null) {
      bucket.forEach((cell, v) -> foldAdd(label, cell, v, months));
    }
  }

  private void foldAdd(String label, String cell, long[] v, Set<String> months) {
    if (cell.startsWith("m|")) {
      return; // minute metrics live in their bucket only
    }
    String month = CompactLayout.monthOf(label);
    months.add(month);
    String dayField = cell + "|" + CompactLayout.dayOfMonth(label);
    long[] day =
        foldedDays
            .computeIfAbsent(month, k -> new HashMap<>())
            .computeIfAbsent(dayField, k -> new long[CompactLayout.MEASURES]);
    CompactLayout.addInto(day, v);
    put(layout.monthKey(month), id + "|" + dayField, CompactLayout.encode(day));
    String subject = cell.substring(0, cell.indexOf('|', 2));
    long[] total = foldedTotals.computeIfAbsent(subject, k -> new long[CompactLayout.MEASURES]);
    CompactLayout.addInto(total, v);
    put(layout.totalsKey(), id + "|" + subject, CompactLayout.encode(total));
  }

  private void watermark(String bucket, Set<String> months, long now) {
    String value = bucket + " " + now;
    leases.get(id).lastIssued = now;
    put(layout.totalsKey(), id + "|@", value);
    for (String m : months) {
      put(layout.monthKey(m), id + "|@", value);
    }
  }

  /**
   * Folds everything under the current id for good and forgets it; the next write starts a new id.
   */
  private void rotate() {
    if (id != null && wm != null) {
      Set<String> months = new TreeSet<>();
      foldBucket(wm, months);
      months.add(CompactLayout.monthOf(wm));
      watermark(CompactLayout.FINAL, months, wallClock.instant().getEpochSecond());
      rotations++;
    }
    forget();
  }

  /** Drops the current id without writing anything more under it (its unsent values included). */
  private void retire() {
    if (id != null) {
      dropPendingOf(Set.of(id));
      leases.remove(id);
      rotations++;
    }
    forget();
  }

  private void forget() {
    id = null;
    wm = null;
    droppedThrough = null;
    buckets.clear();
    foldedDays.clear();
    foldedTotals.clear();
    expiring.clear();
  }

  private void trim() {
    while (buckets.size() > MAX_BUCKETS && !buckets.firstKey().equals(wm)) {
      String oldest = buckets.pollFirstEntry().getKey();
      if (droppedThrough == null || oldest.compareTo(droppedThrough) > 0) {
        droppedThrough = oldest;
      }
    }
    if (droppedThrough != null) {
      String month = CompactLayout.monthOf(droppedThrough);
      foldedDays.headMap(month, false).clear();
    }
    if (expiring.size() > 4 * MAX_BUCKETS) {
      expiring.clear(); // costs one EXPIRE per hash written again; keeps the set bounded
    }
  }

  private void put(String key, String field, String value) {
    pending.computeIfAbsent(key, k -> new LinkedHashMap<>()).put(field, value);
  }

  private static String newId() {
    char[] c = new char[10];
    for (int i = 0; i < c.length; i++) {
      c[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
    }
    return new String(c);
  }

  private long ttl(String key) {
    return switch (layout.kind(key)) {
      case BUCKET -> layout.bucketTtl();
      case MONTH -> CompactLayout.MONTH_TTL;
      default -> 0;
    };
  }

  // ---- sending (one send at a time, chained on tail) ----

  private CompletableFuture<WriteResult> send(UsagePlan plan) {
    LinkedHashMap<String, LinkedHashMap<String, String>> batch;
    List<String> toExpire = new ArrayList<>();
    boolean foldDue;
    long now;
    synchronized (this) {
      now = wallClock.instant().getEpochSecond();
      Set<String> expired = new HashSet<>();
      leases.forEach(
          (leased, lease) -> {
            if (now > lease.deadline() + CompactFold.RESEND_GRACE.toSeconds()) {
              expired.add(leased);
            }
          });
      if (!expired.isEmpty()) {
        int dropped = dropPendingOf(expired);
        if (expired.contains(id)) {
          retire();
        }
        expired.forEach(leases::remove);
        if (dropped > 0) {
          return CompletableFuture.failedFuture(
              new IllegalStateException(
                  "compact writer ids "
                      + expired
                      + " stored no heartbeat for "
                      + CompactFold.ABANDON_AFTER.plus(CompactFold.RESEND_GRACE)
                      + " (Redis unreachable): their "
                      + dropped
                      + " unsent values are dropped, not stored, so that a live writer can fold the"
                      + " ids"));
        }
      }
      foldDue = id != null && now >= nextFoldCheck;
      if (pending.isEmpty() && !foldDue) {
        return CompletableFuture.completedFuture(WriteResult.NOTHING);
      }
      batch = pending;
      pending = new LinkedHashMap<>();
      if (outbox != null && !batch.isEmpty()) {
        try {
          outbox.save(unsent(batch));
        } catch (java.io.IOException | RuntimeException e) {
          pending =
              batch; // nothing was sent; nothing newer is pending (sends and writes are serialised)
          return CompletableFuture.failedFuture(
              new IncompleteWriteException(
                  plan,
                  List.of(),
                  new WriteResult(0, 0, 0, 1, 0, true),
                  e instanceof java.io.IOException
                      ? e
                      : new java.io.IOException("saving the outbox failed: " + e, e)));
        }
      }
      for (String key : batch.keySet()) {
        if (ttl(key) > 0 && !expiring.contains(key)) {
          toExpire.add(key);
        }
      }
    }
    List<CompletableFuture<?>> replies = new ArrayList<>();
    try {
      for (Map.Entry<String, LinkedHashMap<String, String>> e : batch.entrySet()) {
        replies.add(
            Timeouts.bound(
                connection, redis.hset(e.getKey(), e.getValue()).toCompletableFuture(), "HSET"));
      }
      for (String key : toExpire) {
        replies.add(
            Timeouts.bound(
                connection, redis.expire(key, ttl(key)).toCompletableFuture(), "EXPIRE"));
      }
    } catch (RuntimeException e) {
      replies.add(CompletableFuture.failedFuture(e));
    }
    int commands = replies.size();
    CompletableFuture<WriteResult> written =
        CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new))
            .handle(
                (r, e) -> {
                  synchronized (this) {
                    if (e == null) {
                      expiring.addAll(toExpire);
                      confirm(batch.get(layout.totalsKey()));
                      return new WriteResult(commands, commands == 0 ? 0 : 1, 0, 1, 0, true);
                    }
                    // newer values (already in pending) win; the rest goes again with the next
                    // write, unless
                    // its id was dropped meanwhile
                    batch.forEach(
                        (key, fields) ->
                            fields.forEach(
                                (field, value) -> {
                                  if (leases.containsKey(idOf(field))) {
                                    pending
                                        .computeIfAbsent(key, k -> new LinkedHashMap<>())
                                        .putIfAbsent(field, value);
                                  }
                                }));
                  }
                  throw new IncompleteWriteException(
                      plan,
                      List.of(),
                      new WriteResult(commands, 1, 0, 1, 0, true),
                      FailurePolicy.unwrap(e));
                });
    if (!foldDue) {
      return written;
    }
    return written.thenCompose(
        w ->
            foldDead(now)
                .handle(
                    (folded, e) -> {
                      synchronized (this) {
                        nextFoldCheck = now + CompactFold.CHECK_EVERY.toSeconds();
                      }
                      if (e != null) {
                        return w; // a failed fold is tried again at the next check
                      }
                      return new WriteResult(
                          w.clientCommands() + folded[0],
                          w.roundTrips() + 1,
                          folded[1],
                          1,
                          0,
                          true);
                    }));
  }

  private Unsent unsent(Map<String, LinkedHashMap<String, String>> batch) {
    Map<String, IdLease> held = new HashMap<>();
    batch
        .values()
        .forEach(
            fields ->
                fields
                    .keySet()
                    .forEach(
                        f -> {
                          String leased = idOf(f);
                          Lease l = leases.get(leased);
                          if (l != null) {
                            held.putIfAbsent(leased, new IdLease(l.born, l.confirmed));
                          }
                        }));
    return new Unsent(lastGuard, held, Collections.unmodifiableMap(batch));
  }

  /** Notes the heartbeats of a confirmed write of the totals hash. */
  private void confirm(Map<String, String> totals) {
    if (totals != null) {
      totals.forEach(
          (field, value) -> {
            Lease lease = field.endsWith("|@") ? leases.get(idOf(field)) : null;
            int sp = value.indexOf(' ');
            if (lease != null && sp > 0) {
              lease.confirmed = Math.max(lease.confirmed, Long.parseLong(value.substring(sp + 1)));
            }
          });
    }
    Set<String> waiting = new HashSet<>();
    pending.values().forEach(fields -> fields.keySet().forEach(f -> waiting.add(idOf(f))));
    leases.keySet().removeIf(leased -> !leased.equals(id) && !waiting.contains(leased));
  }

  private static String idOf(String field) {
    int bar = field.indexOf('|');
    return bar < 0 ? field : field.substring(0, bar);
  }

  /** Drops pending fields of {@code ids}; returns how many. */
  private int dropPendingOf(Set<String> ids) {
    int[] dropped = {0};
    pending
        .values()
        .forEach(
            fields ->
                fields
                    .keySet()
                    .removeIf(
                        f -> {
                          boolean drop = ids.contains(idOf(f));
                          dropped[0] += drop ? 1 : 0;
                          return drop;
                        }));
    pending.values().removeIf(Map::isEmpty);
    return dropped[0];
  }

  // ---- folding dead and closed ids (see CompactFold) ----

  /**
   * Reads the totals hash and folds the ids whose heartbeat is older than {@link
   * CompactFold#FOLD_AFTER}: their month hashes first, then the totals hash, each by one
   * compare-and-set. Completes with the commands sent (reads and scripts) and run inside scripts.
   */
  private CompletableFuture<int[]> foldDead(long now) {
    String totalsKey = layout.totalsKey();
    return bound(redis.hgetall(totalsKey), "HGETALL")
        .thenCompose(
            totals -> {
              Set<String> own;
              synchronized (this) {
                own = new HashSet<>(leases.keySet());
              }
              Map<String, String> dead = CompactFold.deadIds(totals, now, own);
              if (dead.isEmpty()) {
                return CompletableFuture.completedFuture(new int[] {1, 0});
              }
              Set<String> buckets = new TreeSet<>();
              dead.values()
                  .forEach(
                      b -> {
                        if (!b.equals(CompactLayout.FINAL)) {
                          buckets.add(b);
                        }
                      });
              Map<String, CompletableFuture<Map<String, String>>> reads = new LinkedHashMap<>();
              for (String b : buckets) {
                reads.put(
                    layout.bucketKey(b), bound(redis.hgetall(layout.bucketKey(b)), "HGETALL"));
                String month = layout.monthKey(CompactLayout.monthOf(b));
                reads.computeIfAbsent(month, m -> bound(redis.hgetall(m), "HGETALL"));
              }
              return CompletableFuture.allOf(reads.values().toArray(CompletableFuture[]::new))
                  .thenCompose(
                      x -> {
                        Map<String, Map<String, String>> read = new HashMap<>();
                        reads.forEach((k, f) -> read.put(k, f.join()));
                        List<CompactFold.Cas> cas = new ArrayList<>();
                        // month hashes: the ids whose watermark there is their
                        // (totals) watermark bucket
                        Map<String, Set<String>> idsByMonth = new TreeMap<>();
                        Map<String, Map<String, long[]>> unfoldedByMonth = new TreeMap<>();
                        Map<String, long[]> unfoldedTotals = new TreeMap<>();
                        dead.forEach(
                            (deadId, b) -> {
                              if (b.equals(CompactLayout.FINAL)) {
                                return;
                              }
                              Map<String, String> bucket = read.get(layout.bucketKey(b));
                              CompactFold.addUnfolded(
                                  bucket,
                                  deadId,
                                  CompactLayout.dayOfMonth(b),
                                  true,
                                  unfoldedTotals);
                              String month = layout.monthKey(CompactLayout.monthOf(b));
                              String inMonth = read.get(month).get(deadId + "|@");
                              if (inMonth != null
                                  && CompactLayout.watermarkBucket(inMonth).equals(b)) {
                                idsByMonth.computeIfAbsent(month, k -> new HashSet<>()).add(deadId);
                                CompactFold.addUnfolded(
                                    bucket,
                                    deadId,
                                    CompactLayout.dayOfMonth(b),
                                    false,
                                    unfoldedByMonth.computeIfAbsent(month, k -> new TreeMap<>()));
                              }
                            });
                        idsByMonth.forEach(
                            (month, ids) ->
                                cas.add(
                                    CompactFold.merge(
                                        month,
                                        read.get(month),
                                        ids,
                                        unfoldedByMonth.getOrDefault(month, Map.of()))));
                        cas.add(
                            CompactFold.merge(totalsKey, totals, dead.keySet(), unfoldedTotals));
                        return runAll(cas, 0)
                            .thenApply(
                                ran -> {
                                  boolean applied = ran >= 0;
                                  synchronized (this) {
                                    foldedIds += applied ? dead.size() : 0;
                                  }
                                  int scripts =
                                      applied
                                          ? ran
                                          : cas.size(); // an upper bound when stopped early
                                  return new int[] {
                                    1 + reads.size() + scripts, SCRIPT_COMMANDS * scripts
                                  };
                                });
                      });
            });
  }

  /**
   * Runs the compare-and-sets one after the other (month hashes before the totals hash) and stops
   * at the first that finds a changed field: the totals hash keeps an id's watermark until every
   * month hash of it is folded, so the next check finds the id again. Completes with the scripts
   * run.
   */
  private CompletableFuture<Integer> runAll(List<CompactFold.Cas> cas, int from) {
    if (from == cas.size()) {
      return CompletableFuture.completedFuture(0);
    }
    CompactFold.Cas c = cas.get(from);
    if (c.isEmpty()) {
      return runAll(cas, from + 1);
    }
    return bound(
            redis.<Long>eval(
                CompactFold.SCRIPT, ScriptOutputType.INTEGER, new String[] {c.key()}, c.argv()),
            "EVAL")
        .thenCompose(
            r ->
                r != null && r == 1L
                    ? runAll(cas, from + 1).thenApply(n -> n + 1)
                    : CompletableFuture.completedFuture(-cas.size() - 1)); // negative: stopped
  }

  private <T> CompletableFuture<T> bound(io.lettuce.core.RedisFuture<T> command, String what) {
    return Timeouts.bound(connection, command.toCompletableFuture(), what);
  }

  @Override
  public String name() {
    return "compact";
  }

  @Override
  public String toString() {
    return "CompactWriter{" + layout.prefix() + ", id=" + id() + "}";
  }
}
