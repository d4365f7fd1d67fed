package io.usagesink.buffered.journal;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;

/**
 * Unmaps a mapped buffer at once (so a deleted segment frees its disk space now, not whenever the
 * garbage collector finds its buffer) through {@code sun.misc.Unsafe.invokeCleaner} of the {@code
 * jdk.unsupported} module, looked up reflectively. When it is not available the buffer is left to
 * the garbage collector. The caller guarantees nobody touches the buffer afterwards.
 */
final class Unmapper {

  private static final Object UNSAFE;
  private static final Method INVOKE_CLEANER;

  static {
    Object unsafe = null;
    Method cleaner = null;
    try {
      Class<?> c = Class.forName("sun.misc.Unsafe");
      Field f = c.getDeclaredField("theUnsafe");
      f.setAccessible(true);
      unsafe = f.get(null);
      cleaner = c.getMethod("invokeCleaner", ByteBuffer.class);
    } catch (ReflectiveOperationException | RuntimeException e) {
      unsafe = null;
      cleaner = null;
    }
    UNSAFE = unsafe;
    INVOKE_CLEANER = cleaner;
  }

  private Unmapper() {}

  /** Whether buffers are unmapped at once (otherwise by the garbage collector). */
  static boolean available() {
    return INVOKE_CLEANER != null;
  }

  static void unmap(ByteBuffer mapped) {
    if (INVOKE_CLEANER == null) {
      return;
    }
    try {
      INVOKE_CLEANER.invoke(UNSAFE, mapped);
    } catch (ReflectiveOperationException | RuntimeException e) {
      // left to the garbage collector
    }
  }
}
