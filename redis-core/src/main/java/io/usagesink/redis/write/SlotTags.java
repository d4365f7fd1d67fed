package io.usagesink.redis.write;

import io.lettuce.core.cluster.SlotHash;

/**
 * For every cluster slot a short hash tag that maps to it: a key containing {@code {tag}} lives in
 * that slot. Computed once; immutable.
 */
final class SlotTags {
  private static final String ALPHABET =
      "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  private static final String[] TAGS = compute();

  private SlotTags() {}

  /** The tag of {@code slot} (0..16383). */
  static String tag(int slot) {
    return TAGS[slot];
  }

  private static String[] compute() {
    String[] tags = new String[SlotHash.SLOT_COUNT];
    int found = 0;
    int n = ALPHABET.length();
    for (int len = 1; len <= 4 && found < tags.length; len++) {
      int combinations = (int) Math.pow(n, len);
      char[] c = new char[len];
      for (int i = 0; i < combinations && found < tags.length; i++) {
        int v = i;
        for (int p = len - 1; p >= 0; p--) {
          c[p] = ALPHABET.charAt(v % n);
          v /= n;
        }
        String s = new String(c);
        int slot = SlotHash.getSlot(s);
        if (tags[slot] == null) {
          tags[slot] = s;
          found++;
        }
      }
    }
    if (found < tags.length) {
      throw new IllegalStateException(
          "could not find a hash tag for every slot (" + found + " found)");
    }
    return tags;
  }
}
