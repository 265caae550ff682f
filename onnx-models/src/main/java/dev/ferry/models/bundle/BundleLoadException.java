package dev.ferry.models.bundle;

/** A model bundle that cannot be read or fails its checks; the message says what and where. */
public class BundleLoadException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** With a message naming the bundle, what was expected and what was found. */
  public BundleLoadException(String message) {
    super(message);
  }

  /** With a cause. */
  public BundleLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
