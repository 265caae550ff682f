package dev.ferry.models.encoder;

/**
 * An encoder could not be loaded: a file is missing, the model is not a BERT-family encoder, or the
 * model and its descriptor disagree. The message says what was expected and what was found.
 */
public final class EncoderLoadException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message that tells the reader what to do next. */
  public EncoderLoadException(String message) {
    super(message);
  }

  /** Creates the exception with a message and the underlying cause. */
  public EncoderLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
