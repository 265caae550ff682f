package dev.ferry.models.bundle;

import dev.ferry.models.encoder.Chunking;
import dev.ferry.models.encoder.DocumentEmbedding;
import dev.ferry.models.encoder.Encoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

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
 *
 * <p>A document is read the way the bundle's training data was ({@link ModelBundle#chunking()}): a
 * long one is split into token windows, and the head classifies what the chunking's {@link
 * dev.ferry.models.encoder.ChunkPooling pooling} makes of its chunks' vectors: the document's
 * vector (their token-weighted mean), or the first chunk's vector beside it. So a document gets one
 * label, from all of its text that the chunking reads, and the label is the same however the
 * document's chunks are searched.
 */
public final class Classifier implements AutoCloseable {
  private final Encoder encoder;
  private final ClassifierHead head;
  private final Chunking chunking;

  Classifier(Encoder encoder, ClassifierHead head, Chunking chunking) {
    this.encoder = encoder;
    this.head = head;
    this.chunking = chunking;
  }

  /** How this classifier reads a document: the chunking its bundle was trained with. */
  public Chunking chunking() {
    return chunking;
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

  /**
   * Classifies texts in batches (the encoder batches by length), reading them as {@link
   * #chunking()}.
   */
  public List<Prediction> classify(List<String> texts) {
    return classifyDocuments(texts).stream().map(ClassifiedDocument::prediction).toList();
  }

  /** Embeds and classifies documents, keeping their vectors and chunks; see {@link #chunking()}. */
  public List<ClassifiedDocument> classifyDocuments(List<String> texts) {
    return classifyDocuments(texts, chunking);
  }

  /**
   * Embeds and classifies documents split into windows as {@code readAs} says rather than as the
   * bundle's chunking does: for example {@link Chunking#FIRST_WINDOW} to trade accuracy on long
   * texts for speed. The head always reads the pooling it was trained on (the bundle's), so only
   * the windows change.
   */
  public List<ClassifiedDocument> classifyDocuments(List<String> texts, Chunking readAs) {
    Objects.requireNonNull(readAs, "chunking");
    List<DocumentEmbedding> embeddings = encoder.embedDocuments(texts, readAs);
    float[][] vectors = new float[embeddings.size()][];
    for (int i = 0; i < vectors.length; i++) {
      vectors[i] = chunking.pooling().features(embeddings.get(i));
    }
    List<Prediction> predictions = head.predict(vectors);
    List<ClassifiedDocument> out = new ArrayList<>(vectors.length);
    for (int i = 0; i < vectors.length; i++) {
      out.add(new ClassifiedDocument(embeddings.get(i), vectors[i], predictions.get(i)));
    }
    return out;
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
