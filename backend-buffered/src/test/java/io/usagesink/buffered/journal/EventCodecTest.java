package io.usagesink.buffered.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.usagesink.UsageEvent;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every record type's payload reads back equal, at the edges of its encoding: string lengths at the
 * varint boundaries (127/128, 16383/16384 bytes) and beyond, non-ASCII text, instants before 1970
 * and with nanos that are not whole millis, counts up to {@code Long.MAX_VALUE} and zero, absent
 * ids; and a damaged payload is refused with its reason.
 */
class EventCodecTest {

  private static final Instant AT = Instant.parse("2025-08-15T03:10:00.123Z");

  private final EventCodec codec = new EventCodec();

  /** Decodes what {@code codec} just encoded at {@code offset}, {@code len} bytes. */
  private EventCodec.Decoded decode(int offset, int len, EventCodec.Strings strings) {
    ByteBuffer b = ByteBuffer.wrap(codec.buf);
    b.position(offset);
    EventCodec.Decoded d = EventCodec.decode(b, len, strings);
    assertThat(b.position()).isEqualTo(offset + len);
    return d;
  }

  private static UsageEvent full(Instant at, String id, long base) {
    return new UsageEvent(
        id,
        at,
        "key-1",
        "acct-1",
        "claude-sonnet-4",
        base + 1,
        base + 2,
        base + 3,
        base + 4,
        base + 5,
        base + 6,
        true,
        base + 7,
        base + 8);
  }

  /** Defines key, account and model as ids 0, 1, 2 and round-trips {@code e} by reference. */
  private UsageEvent refsRoundTrip(UsageEvent e, int offset) {
    EventCodec.Strings strings = new EventCodec.Strings();
    strings.put(0, e.keyId() == null ? "unused" : e.keyId());
    strings.put(1, e.accountId() == null ? "unused" : e.accountId());
    strings.put(2, e.model());
    int len =
        codec.encodeEventRefs(
            e, e.keyId() == null ? -1 : 0, e.accountId() == null ? -1 : 1, 2, offset);
    EventCodec.Decoded d = decode(offset, len, strings);
    assertThat(d.cancelled()).isEqualTo(-1);
    return d.event();
  }

  private UsageEvent fullRoundTrip(UsageEvent e, int offset) {
    int len = codec.encodeEvent(e, offset);
    EventCodec.Decoded d = decode(offset, len, new EventCodec.Strings());
    assertThat(d.cancelled()).isEqualTo(-1);
    return d.event();
  }

  private static List<UsageEvent> edgeEvents() {
    return List.of(
        full(AT, "id-1", 0),
        full(AT, null, 1_000_000),
        full(Instant.parse("1969-07-20T20:17:40.000000001Z"), "before-1970", 0),
        full(Instant.ofEpochSecond(-1, 999_999_999), "just-before-1970", 0),
        new UsageEvent(
            "whole-second",
            Instant.parse("2025-08-15T03:10:00Z"),
            "k",
            "a",
            "m",
            Long.MAX_VALUE,
            0,
            0,
            0,
            0,
            0,
            false,
            Long.MAX_VALUE,
            Long.MAX_VALUE - 1),
        full(AT.plusNanos(1), "odd-nanos", 127),
        new UsageEvent(null, AT, "k", null, "m", 0, 0, 0, 0, 0, 0, false, 0, 0),
        new UsageEvent("x", AT, "k", null, "m", 0, 5, 0, 0, 0, 0, false, 0, 9),
        new UsageEvent(null, AT, null, "a", "m", 1, 0, 0, 0, 0, 1, false, 0, 0));
  }

  @Test
  void eventsByReferenceReadBackEqualAtAnyOffset() {
    for (UsageEvent e : edgeEvents()) {
      assertThat(refsRoundTrip(e, 0)).as("%s", e).isEqualTo(e);
      assertThat(refsRoundTrip(e, Records.HEADER)).as("%s at the header", e).isEqualTo(e);
    }
  }

  @Test
  void eventsOfTheFirstFormatReadBackEqual() {
    for (UsageEvent e : edgeEvents()) {
      assertThat(fullRoundTrip(e, Records.HEADER)).as("%s", e).isEqualTo(e);
    }
    UsageEvent named = full(AT, "é-" + "x".repeat(300), 0).toBuilder().model("模型").build();
    assertThat(fullRoundTrip(named, 3)).isEqualTo(named);
  }

  @Test
  void stringsOfEveryLengthClassAndNonAsciiTextReadBackEqual() {
    for (String s :
        List.of(
            "",
            "a",
            "x".repeat(127),
            "x".repeat(128),
            "x".repeat(16_383),
            "x".repeat(16_384),
            "x".repeat(70_000),
            "é",
            "ü".repeat(70),
            "日本語のモデル名".repeat(20),
            "emoji \uD83D\uDE00 " + "y".repeat(200))) {
      EventCodec.Strings strings = new EventCodec.Strings();
      int len = codec.encodeString(5, s, Records.HEADER);
      assertThat(decode(Records.HEADER, len, strings).event()).isNull();
      assertThat(strings.get(5)).as("length %d", s.length()).isEqualTo(s);
    }
  }

  @Test
  void anEventIdOfAnyLengthReadsBackEqual() {
    for (int n : new int[] {1, 127, 128, 5_000, 16_384}) {
      UsageEvent e = full(AT, "i".repeat(n), 0);
      assertThat(refsRoundTrip(e, 0)).as("id of %d chars", n).isEqualTo(e);
    }
  }

  @Test
  void aCancelRecordCarriesThePosition() {
    for (long p : new long[] {0, 64, 1L << 40, Long.MAX_VALUE}) {
      int len = codec.encodeCancel(p, Records.HEADER);
      EventCodec.Decoded d = decode(Records.HEADER, len, new EventCodec.Strings());
      assertThat(d.event()).isNull();
      assertThat(d.cancelled()).isEqualTo(p);
    }
  }

  @Test
  void theDictionaryGrowsForAnyIdAndRefusesIdsNeverDefined() {
    EventCodec.Strings strings = new EventCodec.Strings();
    strings.put(0, "zero");
    strings.put(15, "fifteen");
    strings.put(16, "sixteen");
    strings.put(1_000, "thousand");
    assertThat(strings.get(0)).isEqualTo("zero");
    assertThat(strings.get(15)).isEqualTo("fifteen");
    assertThat(strings.get(16)).isEqualTo("sixteen");
    assertThat(strings.get(1_000)).isEqualTo("thousand");
    for (long id : new long[] {-1, 1, 999, 1_001, 5_000, Long.MAX_VALUE}) {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> strings.get(id))
          .withMessage("dictionary id " + id + " not defined before its use");
    }
  }

  @Test
  void anEventReferringToAnUndefinedNameIsRefused() {
    UsageEvent e = full(AT, "id", 0);
    int len = codec.encodeEventRefs(e, 7, 8, 9, 0);
    assertThatIllegalArgumentException()
        .isThrownBy(() -> decode(0, len, new EventCodec.Strings()))
        .withMessage("dictionary id 7 not defined before its use");
  }

  @Test
  void everyRecordTypeGrowsTheBufferWhenEncodedAtItsLastByte() {
    // each encoding starts at the last byte of the buffer as the one before left it
    UsageEvent e = full(AT, "id-1", 1L << 58);
    assertThat(fullRoundTrip(e, codec.buf.length - 1)).isEqualTo(e);
    assertThat(refsRoundTrip(e, codec.buf.length - 1)).isEqualTo(e);
    UsageEvent noId = full(AT.plusNanos(1), null, 1L << 58);
    assertThat(refsRoundTrip(noId, codec.buf.length - 1)).isEqualTo(noId);

    int at = codec.buf.length - 1;
    int len = codec.encodeString(300, "model", at);
    EventCodec.Strings strings = new EventCodec.Strings();
    decode(at, len, strings);
    assertThat(strings.get(300)).isEqualTo("model");

    int cancelAt = codec.buf.length - 1;
    int cancel = codec.encodeCancel(Long.MAX_VALUE, cancelAt);
    assertThat(decode(cancelAt, cancel, new EventCodec.Strings()).cancelled())
        .isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void countsFollowingANameThatFillsTheBufferStillFit() {
    // the model name leaves fewer bytes than eight maximal counts take before the buffer's end
    long big = 1L << 59; // nine bytes each, and their sums fit a long
    String model = "m".repeat(new EventCodec().buf.length - 30);
    UsageEvent e =
        new UsageEvent(null, AT, "k", null, model, big, big, big, big, big, big, false, big, big);
    assertThat(fullRoundTrip(e, 0)).isEqualTo(e);
  }

  @Test
  void textBeyondAsciiIsEncodedAsUtf8FromTheFirstCharPastSevenBits() {
    for (String text :
        new String[] {"\u0080", "a\u0080b", "\u00e9".repeat(200), "\u20ac".repeat(150)}) {
      EventCodec fresh = new EventCodec();
      int len = fresh.encodeString(1, text, 0);
      EventCodec.Strings strings = new EventCodec.Strings();
      EventCodec.decode(ByteBuffer.wrap(fresh.buf), len, strings);
      assertThat(strings.get(1)).as("%d chars", text.length()).isEqualTo(text);
    }
  }

  @Test
  void damagedPayloadsAreRefusedWithTheirReason() {
    // a dictionary id beyond what an array holds
    byte[] bigId = {EventCodec.TYPE_STRING, (byte) 0xF9, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 7};
    assertThatIllegalArgumentException()
        .isThrownBy(
            () -> EventCodec.decode(ByteBuffer.wrap(bigId), bigId.length, new EventCodec.Strings()))
        .withMessage("dictionary id " + (Integer.MAX_VALUE - 6) + " out of range");
    byte[] unknown = {9, 0};
    assertThatIllegalArgumentException()
        .isThrownBy(
            () ->
                EventCodec.decode(
                    ByteBuffer.wrap(unknown), unknown.length, new EventCodec.Strings()))
        .withMessage("unknown record type 9");
    int len = codec.encodeCancel(1234, 0);
    assertThatIllegalArgumentException()
        .isThrownBy(() -> decode(0, len + 1, new EventCodec.Strings()))
        .withMessage("record length " + (len + 1) + " but its payload ends at " + len);
    byte[] longString = {EventCodec.TYPE_STRING, 1, 50, 'a', 'b'};
    assertThatIllegalArgumentException()
        .isThrownBy(
            () ->
                EventCodec.decode(
                    ByteBuffer.wrap(longString), longString.length, new EventCodec.Strings()))
        .withMessage("string length 50 beyond the record");
    byte[] endless = new byte[12];
    endless[0] = EventCodec.TYPE_CANCEL;
    for (int i = 1; i < endless.length; i++) {
      endless[i] = (byte) 0x80;
    }
    assertThatIllegalArgumentException()
        .isThrownBy(
            () ->
                EventCodec.decode(
                    ByteBuffer.wrap(endless), endless.length, new EventCodec.Strings()))
        .withMessage("varint longer than 10 bytes");
  }

  @Test
  void anEventByReferenceTakesAboutThirtyBytesWithMillisAndFewCounts() {
    UsageEvent e = new UsageEvent(null, AT, "k", "a", "m", 1200, 300, 0, 0, 0, 0, false, 0, 0);
    // type, flags, second (5), millis (1), three ids, mask, two counts (2 each)
    assertThat(codec.encodeEventRefs(e, 1, 2, 3, 0)).isEqualTo(1 + 1 + 5 + 1 + 3 + 1 + 2 + 2);
  }
}
