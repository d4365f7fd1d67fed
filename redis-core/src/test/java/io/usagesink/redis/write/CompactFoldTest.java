package io.usagesink.redis.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class CompactFoldTest {

  private static final long NOW = 1_000_000;
  private static final long OLD = NOW - CompactFold.FOLD_AFTER.toSeconds() - 1;
  private static final long FRESH = NOW - CompactFold.FOLD_AFTER.toSeconds() + 60;

  @Test
  void deadIdsAreThoseWithAnOldHeartbeatThatAreNotTheCallersOrTheFoldedCells() {
    Map<String, String> totals =
        Map.of(
            "aaaaaaaaaa|@",
            "2025-12-30:10 " + OLD,
            "aaaaaaaaaa|k|K",
            "1,2",
            "bbbbbbbbbb|@",
            "~ " + OLD,
            "cccccccccc|@",
            "2025-12-30:11 " + FRESH,
            "dddddddddd|@",
            "2025-12-30:09 " + OLD,
            "folded|k|K",
            "5",
            "eeeeeeeeee|@",
            "garbage");
    assertThat(CompactFold.deadIds(totals, NOW, Set.of("dddddddddd")))
        .isEqualTo(Map.of("aaaaaaaaaa", "2025-12-30:10", "bbbbbbbbbb", "~"));
  }

  @Test
  void unfoldedCellsAreSummedPerSubjectForTotalsAndPerDayForMonthsWithoutMinuteCells() {
    Map<String, String> bucket =
        Map.of(
            "aaaaaaaaaa|k|K|m1",
            "1,10,20",
            "aaaaaaaaaa|k|K|m2",
            "2,5",
            "aaaaaaaaaa|a|A|m1",
            "1,10,20",
            "aaaaaaaaaa|m|29000000",
            "3,30",
            "bbbbbbbbbb|k|K|m1",
            "7,7,7");
    Map<String, long[]> totals = new TreeMap<>();
    CompactFold.addUnfolded(bucket, "aaaaaaaaaa", "30", true, totals);
    assertThat(totals).containsOnlyKeys("k|K", "a|A");
    assertThat(totals.get("k|K")).startsWith(3, 15, 20);
    Map<String, long[]> days = new TreeMap<>();
    CompactFold.addUnfolded(bucket, "aaaaaaaaaa", "30", false, days);
    assertThat(days).containsOnlyKeys("k|K|m1|30", "k|K|m2|30", "a|A|m1|30");
  }

  @Test
  void theMergeMovesTheIdsCellsAndTheUnfoldedOnesIntoTheFoldedCellsComparingEveryFieldItChanges() {
    Map<String, String> hash =
        Map.of(
            "aaaaaaaaaa|@",
            "2025-12-30:10 " + OLD,
            "aaaaaaaaaa|k|K",
            "1,2",
            "bbbbbbbbbb|@",
            "~ " + OLD,
            "bbbbbbbbbb|k|K",
            "4",
            "bbbbbbbbbb|a|A",
            "1,1",
            "cccccccccc|k|K",
            "100",
            "folded|k|K",
            "10,10");
    Map<String, long[]> unfolded = Map.of("k|K", new long[] {1, 1, 0, 0, 0, 0, 0, 0, 0, 0});
    CompactFold.Cas cas =
        CompactFold.merge("t", hash, Set.of("aaaaaaaaaa", "bbbbbbbbbb"), unfolded);
    assertThat(cas.set()).isEqualTo(Map.of("folded|k|K", "16,13", "folded|a|A", "1,1"));
    assertThat(cas.delete())
        .containsExactlyInAnyOrder(
            "aaaaaaaaaa|@", "aaaaaaaaaa|k|K", "bbbbbbbbbb|@", "bbbbbbbbbb|k|K", "bbbbbbbbbb|a|A");
    assertThat(cas.expected())
        .containsEntry("folded|k|K", "10,10")
        .containsEntry("folded|a|A", "")
        .containsEntry("aaaaaaaaaa|@", "2025-12-30:10 " + OLD)
        .doesNotContainKey("cccccccccc|k|K");
    List<String> argv = List.of(cas.argv());
    assertThat(argv.get(0)).isEqualTo(Integer.toString(cas.expected().size()));
    assertThat(argv)
        .hasSize(1 + 2 * cas.expected().size() + 1 + 2 * cas.set().size() + cas.delete().size());
  }

  @Test
  void aFoldedCellBeyondTheLargestCounterIsRefused() {
    Map<String, String> hash =
        Map.of("aaaaaaaaaa|k|K", Long.toString(Long.MAX_VALUE), "folded|k|K", "1");
    assertThatThrownBy(() -> CompactFold.merge("t", hash, Set.of("aaaaaaaaaa"), Map.of()))
        .isInstanceOf(ArithmeticException.class);
  }
}
