package io.usagesink.redis.write;

import io.usagesink.layout.CompactLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The fold of dead and closed writer ids of the {@linkplain CompactLayout compact layout} into the
 * shared {@value #FOLDED} cells: pure computation of the compare-and-set that one hash needs, and
 * the script that applies it atomically. Used by {@link CompactWriter}; immutable and thread-safe.
 *
 * <p><b>Leases.</b> A writer id is <em>dead</em> when the heartbeat in its totals watermark ({@code
 * <bucket> <seconds>}) is older than {@link #FOLD_AFTER}. Its writer takes no new values under the
 * id later than {@link #ABANDON_AFTER} after its newest confirmed heartbeat, and sends none (not
 * even a retry) later than {@link #RESEND_GRACE} after that (it drops the id's unsent values and
 * continues under a new id), so once {@code FOLD_AFTER} passed nothing of the id can still land:
 * the margin ({@code FOLD_AFTER - ABANDON_AFTER - RESEND_GRACE}, 5 hours) covers commands still on
 * the wire and clocks of the writers differing by up to a few hours.
 *
 * <p><b>The fold</b> of a hash (the totals hash, or the month hash of a dead id's watermark bucket)
 * moves the ids' cells into the {@value #FOLDED} cells, adds the cells the dead ids left unfolded
 * in their watermark bucket, and deletes the ids' fields with their watermark, as one
 * compare-and-set ({@link #SCRIPT}: every field it changes must still hold the value read). So a
 * fold is applied at most once per hash whoever runs it, a lost reply or a rival folder is harmless
 * (the condition fails and the next check starts over), and each hash stays consistent on its own:
 * a hash whose fold did not happen yet still carries the id's watermark, so readers still add the
 * open bucket. One script per hash because the bucket, month and totals hashes lie in different
 * cluster slots; values are compared and computed as exact 64-bit integers by the client, never as
 * Lua numbers (doubles).
 */
final class CompactFold {

  /** The id of the shared cells that folded ids are merged into; writer ids have 10 characters. */
  static final String FOLDED = "folded";

  /** A writer writes a heartbeat with its next write when its last one is older than this. */
  static final Duration HEARTBEAT = Duration.ofHours(1);

  /**
   * A writer never writes under an id longer than this after the id's newest confirmed heartbeat.
   */
  static final Duration ABANDON_AFTER = Duration.ofHours(6);

  /** How long after {@link #ABANDON_AFTER} values taken before it may still be sent (retried). */
  static final Duration RESEND_GRACE = Duration.ofHours(1);

  /** An id whose heartbeat is older than this is dead (or closed for good) and is folded. */
  static final Duration FOLD_AFTER = Duration.ofHours(12);

  /** How often a writer looks for ids to fold (on a write; the first write looks at once). */
  static final Duration CHECK_EVERY = Duration.ofHours(1);

  /** Ids folded per check at most (the rest waits for the next check). */
  static final int MAX_IDS_PER_CHECK = 32;

  /**
   * Compare-and-set of hash fields. ARGV: n, then n pairs (field, expected value, {@code ""} when
   * absent), then s, then s pairs (field, value) to set, then the fields to delete. Returns 1 when
   * applied, 0 when a field no longer holds what was read (nothing changed).
   */
  static final String SCRIPT =
      String.join(
          "\n",
          "local all = redis.call('HGETALL', KEYS[1])",
          "local cur = {}",
          "for i = 1, #all, 2 do cur[all[i]] = all[i + 1] end",
          "local i = 2",
          "for k = 1, tonumber(ARGV[1]) do",
          "  if (cur[ARGV[i]] or '') ~= ARGV[i + 1] then return 0 end",
          "  i = i + 2",
          "end",
          "local s = tonumber(ARGV[i])",
          "i = i + 1",
          "local args = {}",
          "for k = 1, s do",
          "  args[#args + 1] = ARGV[i]",
          "  args[#args + 1] = ARGV[i + 1]",
          "  i = i + 2",
          "  if #args >= 1000 then redis.call('HSET', KEYS[1], unpack(args)); args = {} end",
          "end",
          "if #args > 0 then redis.call('HSET', KEYS[1], unpack(args)) end",
          "args = {}",
          "for k = i, #ARGV do",
          "  args[#args + 1] = ARGV[k]",
          "  if #args >= 1000 then redis.call('HDEL', KEYS[1], unpack(args)); args = {} end",
          "end",
          "if #args > 0 then redis.call('HDEL', KEYS[1], unpack(args)) end",
          "return 1");

  private CompactFold() {}

  /**
   * A compare-and-set of one hash: fields' expected values ({@code ""}: absent), new values,
   * deletions.
   */
  record Cas(
      String key, Map<String, String> expected, Map<String, String> set, List<String> delete) {

    /** The script's ARGV. */
    String[] argv() {
      List<String> a =
          new ArrayList<>(1 + 2 * expected.size() + 1 + 2 * set.size() + delete.size());
      a.add(Integer.toString(expected.size()));
      expected.forEach(
          (f, v) -> {
            a.add(f);
            a.add(v);
          });
      a.add(Integer.toString(set.size()));
      set.forEach(
          (f, v) -> {
            a.add(f);
            a.add(v);
          });
      a.addAll(delete);
      return a.toArray(String[]::new);
    }

    boolean isEmpty() {
      return set.isEmpty() && delete.isEmpty();
    }
  }

  /**
   * The ids of {@code totals} (the totals hash as read) to fold at {@code nowSeconds}: id to the
   * bucket of its watermark ({@link CompactLayout#FINAL} for a closed id), heartbeat older than
   * {@link #FOLD_AFTER}, oldest first, at most {@link #MAX_IDS_PER_CHECK}; ids in {@code own} (the
   * caller's) are never folded.
   */
  static Map<String, String> deadIds(Map<String, String> totals, long nowSeconds, Set<String> own) {
    TreeMap<Long, List<String[]>> byAge = new TreeMap<>();
    totals.forEach(
        (field, value) -> {
          if (!field.endsWith("|@")) {
            return;
          }
          String id = field.substring(0, field.length() - 2);
          if (id.equals(FOLDED) || own.contains(id)) {
            return;
          }
          int sp = value.indexOf(' ');
          long beat;
          try {
            beat = sp < 0 ? Long.MIN_VALUE : Long.parseLong(value.substring(sp + 1).trim());
          } catch (NumberFormatException e) {
            return; // not a watermark this version wrote: leave it alone
          }
          if (beat == Long.MIN_VALUE || nowSeconds - beat <= FOLD_AFTER.toSeconds()) {
            return;
          }
          byAge
              .computeIfAbsent(beat, k -> new ArrayList<>())
              .add(new String[] {id, CompactLayout.watermarkBucket(value)});
        });
    Map<String, String> out = new LinkedHashMap<>();
    for (List<String[]> ids : byAge.values()) {
      for (String[] e : ids) {
        if (out.size() < MAX_IDS_PER_CHECK) {
          out.put(e[0], e[1]);
        }
      }
    }
    return out;
  }

  /**
   * The cells {@code id} left unfolded in the bucket hash {@code bucket} (as read), named as in the
   * hash {@code kind}: {@code k|K|M|DD} for a month hash (day {@code dd}), {@code k|K} for the
   * totals hash; minute cells are left out (they live in their bucket only). Summed into {@code
   * into}.
   */
  static void addUnfolded(
      Map<String, String> bucket, String id, String dd, boolean totals, Map<String, long[]> into) {
    String prefix = id + "|";
    bucket.forEach(
        (field, value) -> {
          if (!field.startsWith(prefix) || field.startsWith(prefix + "m|")) {
            return;
          }
          String cell = field.substring(prefix.length());
          int second = cell.indexOf('|', 2);
          if (second < 0) {
            return;
          }
          String name = totals ? cell.substring(0, second) : cell + "|" + dd;
          CompactLayout.addInto(
              into.computeIfAbsent(name, k -> new long[CompactLayout.MEASURES]),
              CompactLayout.decode(value));
        });
  }

  /**
   * The compare-and-set that folds {@code ids} in the hash {@code key} (as read: {@code hash}):
   * each id's cells and {@code unfolded} are added to the {@value #FOLDED} cells, each id's fields
   * (watermark included) are deleted.
   *
   * @throws ArithmeticException when a folded cell would pass {@code Long.MAX_VALUE}
   */
  static Cas merge(
      String key, Map<String, String> hash, Set<String> ids, Map<String, long[]> unfolded) {
    Map<String, String> expected = new TreeMap<>();
    List<String> delete = new ArrayList<>();
    Map<String, long[]> add = new TreeMap<>();
    unfolded.forEach(
        (name, v) ->
            CompactLayout.addInto(
                add.computeIfAbsent(name, k -> new long[CompactLayout.MEASURES]), v));
    hash.forEach(
        (field, value) -> {
          int bar = field.indexOf('|');
          if (bar < 0 || !ids.contains(field.substring(0, bar))) {
            return;
          }
          expected.put(field, value);
          delete.add(field);
          String rest = field.substring(bar + 1);
          if (!rest.equals("@")) {
            CompactLayout.addInto(
                add.computeIfAbsent(rest, k -> new long[CompactLayout.MEASURES]),
                CompactLayout.decode(value));
          }
        });
    Map<String, String> set = new TreeMap<>();
    add.forEach(
        (rest, v) -> {
          String field = FOLDED + "|" + rest;
          String old = hash.get(field);
          expected.put(field, old == null ? "" : old);
          long[] sum = old == null ? new long[CompactLayout.MEASURES] : CompactLayout.decode(old);
          CompactLayout.addInto(sum, v);
          set.put(field, CompactLayout.encode(sum));
        });
    return new Cas(key, expected, set, delete);
  }
}
