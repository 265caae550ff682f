package dev.ferry.indexer;

/**
 * An index that cannot be used as asked: a missing or foreign folder, a bundle whose encoder
 * differs from the one the index was built with, nothing to resume. The message names the folder
 * and says what to do next.
 */
public class IndexException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** An error with a message that names the index and what was expected. */
  public IndexException(String message) {
    super(message);
  }

  /** The same, with the cause. */
  public IndexException(String message, Throwable cause) {
    super(message, cause);
  }
}
