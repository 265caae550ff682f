package dev.ferry.models.bundle;

import dev.ferry.models.encoder.Encoder;
import java.util.List;

/**
 * A bundle's encoder and head together: texts in, predictions out. Thread-safe, like its parts;
 * close it to free both.
 *
 * <pre>{@code
 * try (Classifier classifier = ModelBundle.open(Path.of("bundle")).classifier(EncoderOptions.defaults())) {
 *   Prediction p = classifier.classify("Wheat exports rose 5 pct");
 *   System.out.println(p.label() + " " + p.confidence());
 * }
 * }</pre>
 */
public final class Classifier implements AutoCloseable {
  private final Encoder encoder;
  private final ClassifierHead head;

  Classifier(Encoder encoder, ClassifierHead head) {
    this.encoder = encoder;
    this.head = head;
  }

  /** The encoder, for embedding without classifying. */
  public Encoder encoder() {
    return encoder;
  }

  /** The head, for classifying stored embeddings. */
  public ClassifierHead head() {
    return head;
  }

  /** Labels in the order of {@link Prediction#probabilities()}. */
  public List<String> labels() {
    return head.labels();
  }

  /** Classifies one text. */
  public Prediction classify(String text) {
    return classify(List.of(text)).get(0);
  }

  /** Classifies texts in batches (the encoder batches by length). */
  public List<Prediction> classify(List<String> texts) {
    return head.predict(encoder.embed(texts));
  }

  @Override
  public void close() {
    try {
      head.close();
    } finally {
      encoder.close();
    }
  }
}
