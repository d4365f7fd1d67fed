package io.usagesink.redis;

import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.usagesink.layout.CompactLayout;
import io.usagesink.layout.CompactLayout.KeyKind;
import io.usagesink.plan.CounterDelta;
import io.usagesink.plan.UsagePlan;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
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
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * Writes plans of the {@linkplain CompactLayout compact layout} as absolute values of this writer's
 * own cells (see {@link CompactLayout} for keys, fields and costs). A plan's counters are deltas of
 * bucket cells; the writer adds them to the cells it holds in memory and sends the new absolute
 * values: one {@code HSET} per changed hash (normally the current bucket only), an {@code EXPIRE}
 * the first time it writes a hash, and the folded day cells and totals when its watermark advances or
 * a late event lands before it.
 *
 * <p><b>Exactly once without guards.</b> A write with the same non-null guard id as the previous
 * one (a retry) adds nothing: it re-sends the values still unconfirmed. Values whose write failed
 * stay pending and go with the next write, so a failed write returns {@link
 * IncompleteWriteException} whose {@code remaining()} is the whole plan, to be retried under the same
 * guard id. (A batch its sink gives up on is therefore not lost: its values go with the next write.)
 * Writes are sent one after the other, never overlapping, so an older value never lands after a newer.
 *
 * <p><b>Bounded memory.</b> The writer keeps the cells of its newest {@value #MAX_BUCKETS} buckets,
 * the folded day cells of their months and its totals per key and account. An event for a bucket it
 * dropped, more than {@value #MAX_SUBJECTS} keys and accounts, or an id older than a day make it
 * <em>rotate</em>: it folds everything under its id (watermark {@code ~}, final) and continues under
 * a new id from zero, so no value it wrote is ever overwritten by a smaller one. {@link #close()}
 * folds the same way. A writer killed before its final fold leaves its newest bucket unfolded;
 * readers add it from the bucket hash while that lives (8 days). Folding such writers' buckets for
 * good (a live writer adopting them) is not done yet.
 *
 * <p>Thread-safe; {@link #write} never blocks. Does not own the connection.
 */
public final class CompactWriter implements PlanWriter, AutoCloseable {

  /** Buckets whose cells the writer keeps in memory. */
  static final int MAX_BUCKETS = 48;
  /** Keys and accounts of one writer id before it rotates. */
  static final int MAX_SUBJECTS = 100_000;
  /** Age of a writer id after which it rotates. */
  static final Duration MAX_ID_AGE = Duration.ofDays(1);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz".toCharArray();

  private final RedisConnection connection;
  private final RedisClusterAsyncCommands<String, String> redis;
  private final CompactLayout layout;
  private final InstantSource wallClock;

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

  CompactWriter(RedisConnection connection, CompactLayout layout, InstantSource wallClock) {
    this.connection = Objects.requireNonNull(connection, "connection");
    this.redis = connection.async();
    this.layout = Objects.requireNonNull(layout, "layout");
    this.wallClock = Objects.requireNonNull(wallClock, "wallClock");
  }

  @Override
  public CompletableFuture<WriteResult> write(UsagePlan plan, String guardId) {
    Objects.requireNonNull(plan, "plan");
    if (guardId != null && guardId.isBlank()) {
      throw new IllegalArgumentException("guardId must be null or non-blank but was \"" + guardId + "\"");
    }
    CompletableFuture<WriteResult> result = new CompletableFuture<>();
    synchronized (this) {
      if (guardId == null || !guardId.equals(lastGuard)) {
        apply(plan);
        lastGuard = guardId;
      }
      tail = tail.handle((r, e) -> null).thenCompose(x -> send(plan)).whenComplete((r, e) -> {
        if (e != null) {
          result.completeExceptionally(unwrap(e));
        } else {
          result.complete(r);
        }
      });
    }
    return result;
  }

  /**
   * Folds everything under the current id (final watermark) and sends every pending value, waiting
   * at most the command timeout. Later writes continue under a new id. Never throws for Redis errors
   * (values not stored stay pending; readers still add the newest bucket from its bucket hash).
   */
  @Override
  public void close() {
    CompletableFuture<?> done;
    synchronized (this) {
      rotate();
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
        throw new IllegalArgumentException("key " + c.key() + " is not a bucket of the compact layout " + layout.prefix()
            + "h:*; plan with the compact layout");
      }
      int hash = c.field().lastIndexOf('#');
      String cell = c.field().substring(0, hash);
      int index = Integer.parseInt(c.field().substring(hash + 1));
      deltas.computeIfAbsent(layout.label(c.key()), k -> new LinkedHashMap<>())
          .computeIfAbsent(cell, k -> new long[CompactLayout.MEASURES])[index] += c.delta();
    }
    if (deltas.isEmpty()) {
      return;
    }
    long now = wallClock.instant().getEpochSecond();
    if (id != null && ((droppedThrough != null && deltas.firstKey().compareTo(droppedThrough) <= 0)
        || foldedTotals.size() > MAX_SUBJECTS || now - idBornSeconds > MAX_ID_AGE.toSeconds())) {
      rotate();
    }
    if (id == null) {
      id = newId();
      idBornSeconds = now;
    }
    String oldWm = wm;
    String newWm = oldWm == null || deltas.lastKey().compareTo(oldWm) > 0 ? deltas.lastKey() : oldWm;
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
    long[] day = foldedDays.computeIfAbsent(month, k -> new HashMap<>())
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
    put(layout.totalsKey(), id + "|@", value);
    for (String m : months) {
      put(layout.monthKey(m), id + "|@", value);
    }
  }

  /** Folds everything under the current id for good and forgets it; the next write starts a new id. */
  private void rotate() {
    if (id != null && wm != null) {
      Set<String> months = new TreeSet<>();
      foldBucket(wm, months);
      months.add(CompactLayout.monthOf(wm));
      watermark(CompactLayout.FINAL, months, wallClock.instant().getEpochSecond());
      rotations++;
    }
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
    synchronized (this) {
      if (pending.isEmpty()) {
        return CompletableFuture.completedFuture(WriteResult.NOTHING);
      }
      batch = pending;
      pending = new LinkedHashMap<>();
      for (String key : batch.keySet()) {
        if (ttl(key) > 0 && !expiring.contains(key)) {
          toExpire.add(key);
        }
      }
    }
    List<CompletableFuture<?>> replies = new ArrayList<>();
    try {
      for (Map.Entry<String, LinkedHashMap<String, String>> e : batch.entrySet()) {
        replies.add(Timeouts.bound(connection, redis.hset(e.getKey(), e.getValue()).toCompletableFuture(), "HSET"));
      }
      for (String key : toExpire) {
        replies.add(Timeouts.bound(connection, redis.expire(key, ttl(key)).toCompletableFuture(), "EXPIRE"));
      }
    } catch (RuntimeException e) {
      replies.add(CompletableFuture.failedFuture(e));
    }
    int commands = replies.size();
    return CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).handle((r, e) -> {
      synchronized (this) {
        if (e == null) {
          expiring.addAll(toExpire);
          return new WriteResult(commands, 1, 0, 1, 0, true);
        }
        // newer values (already in pending) win; the rest goes again with the next write
        batch.forEach((key, fields) -> {
          LinkedHashMap<String, String> now = pending.computeIfAbsent(key, k -> new LinkedHashMap<>());
          fields.forEach(now::putIfAbsent);
        });
      }
      throw new IncompleteWriteException(plan, List.of(), new WriteResult(commands, 1, 0, 1, 0, true), unwrap(e));
    });
  }

  private static Throwable unwrap(Throwable e) {
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
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
