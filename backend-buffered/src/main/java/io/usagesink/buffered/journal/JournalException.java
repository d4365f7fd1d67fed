package io.usagesink.buffered.journal;

/**
 * The journal cannot do what was asked: its directory cannot be created, written or locked (at
 * open), or a segment cannot be created or written (at run time, for example on a full disk). The
 * message names the directory and the cause.
 */
public final class JournalException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** An exception with {@code message} and an optional {@code cause}. */
  public JournalException(String message, Throwable cause) {
    super(message, cause);
  }
}
