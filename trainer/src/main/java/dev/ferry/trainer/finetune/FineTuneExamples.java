package dev.ferry.trainer.finetune;

import dev.ferry.models.encoder.Chunking;
import dev.ferry.models.encoder.Encoder;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Labeled texts to fine-tune on: usually the chunks of whole documents ({@link #chunks}).
 *
 * @param texts the texts
 * @param labels per text, its class in {@code 0..classes-1}
 * @param documents per text, the document it is a chunk of: 0, 1, 2, … in order, a document's
 *     chunks next to each other and labeled alike
 */
public record FineTuneExamples(List<String> texts, int[] labels, int[] documents) {
  /**
   * Checks that there is one label and document per text, and that documents are runs of one label.
   */
  public FineTuneExamples {
    texts = List.copyOf(texts);
    if (texts.size() != labels.length || texts.size() != documents.length) {
      throw new IllegalArgumentException(
          "need one label and one document per text, got "
              + texts.size()
              + " texts, "
              + labels.length
              + " labels and "
              + documents.length
              + " documents");
    }
    for (int i = 0; i < documents.length; i++) {
      int previous = i == 0 ? -1 : documents[i - 1];
      boolean sameDocument = i > 0 && documents[i] == previous;
      if (documents[i] != previous + 1 && !sameDocument
          || sameDocument && labels[i] != labels[i - 1]) {
        throw new IllegalArgumentException(
            "text "
                + i
                + ": documents must number 0, 1, 2, … in order, each"
                + " with one label; got document "
                + documents[i]
                + " after "
                + previous);
      }
    }
  }

  /** Each text a document of its own. */
  public FineTuneExamples(List<String> texts, int[] labels) {
    this(texts, labels, IntStream.range(0, texts.size()).toArray());
  }

  /** How many. */
  public int size() {
    return texts.size();
  }

  /**
   * Every chunk of every text ({@link Encoder#chunkTexts}), each labeled with its text's class:
   * what fine-tuning trains on, so that it reads documents as the tuned bundle will.
   */
  public static FineTuneExamples chunks(
      Encoder encoder, Chunking chunking, List<String> texts, int[] labels) {
    if (texts.size() != labels.length) {
      throw new IllegalArgumentException(
          "need one label per text, got "
              + texts.size()
              + " texts and "
              + labels.length
              + " labels");
    }
    List<String> pieces = new ArrayList<>();
    IntStream.Builder pieceLabels = IntStream.builder();
    IntStream.Builder pieceDocuments = IntStream.builder();
    for (int i = 0; i < texts.size(); i++) {
      for (String piece : encoder.chunkTexts(texts.get(i), chunking)) {
        pieces.add(piece);
        pieceLabels.add(labels[i]);
        pieceDocuments.add(i);
      }
    }
    return new FineTuneExamples(
        pieces, pieceLabels.build().toArray(), pieceDocuments.build().toArray());
  }
}
