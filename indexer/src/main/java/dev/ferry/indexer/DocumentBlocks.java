package dev.ferry.indexer;

import dev.ferry.indexer.input.InputDocument;
import dev.ferry.models.bundle.ClassifiedDocument;
import dev.ferry.models.bundle.Prediction;
import dev.ferry.models.encoder.ChunkEmbedding;
import dev.ferry.models.encoder.DocumentEmbedding;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.LongField;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.util.BytesRef;

/**
 * Builds the Lucene block of one document ({@link FerryFields}): chunks first, the document last.
 */
final class DocumentBlocks {
  private DocumentBlocks() {}

  /** DOT_PRODUCT for unit vectors (the same ranking as cosine, cheaper), COSINE otherwise. */
  static VectorSimilarityFunction similarity(IndexMetadata metadata) {
    return metadata.encoder().normalize()
        ? VectorSimilarityFunction.DOT_PRODUCT
        : VectorSimilarityFunction.COSINE;
  }

  static List<Document> block(
      InputDocument input,
      ClassifiedDocument classified,
      Labeling labeling,
      VectorSimilarityFunction similarity,
      long now) {
    DocumentEmbedding embedding = classified.embedding();
    List<Document> block = new ArrayList<>(embedding.chunks().size() + 1);
    for (ChunkEmbedding c : embedding.chunks()) {
      Document chunk = new Document();
      chunk.add(new StringField(FerryFields.CHUNK_OF, input.id(), Field.Store.NO));
      chunk.add(new KnnFloatVectorField(FerryFields.CHUNK_VECTOR, c.vector(), similarity));
      chunk.add(new StoredField(FerryFields.CHUNK_INDEX, c.index()));
      chunk.add(new StoredField(FerryFields.CHUNK_START, c.start()));
      chunk.add(new StoredField(FerryFields.CHUNK_END, c.end()));
      chunk.add(new StoredField(FerryFields.CHUNK_TOKENS, c.tokens()));
      block.add(chunk);
    }
    Document doc = new Document();
    doc.add(new StringField(FerryFields.ID, input.id(), Field.Store.YES));
    doc.add(new SortedDocValuesField(FerryFields.ID, new BytesRef(input.id())));
    doc.add(new StringField(FerryFields.KIND, FerryFields.DOCUMENT_KIND, Field.Store.NO));
    doc.add(new TextField(FerryFields.TEXT, input.text(), Field.Store.YES));
    if (input.fields() != null) {
      doc.add(new StoredField(FerryFields.FIELDS, input.fields()));
    }
    doc.add(new StoredField(FerryFields.SOURCE, input.origin()));
    doc.add(new LongField(FerryFields.INGESTED_AT, now, Field.Store.YES));
    doc.add(new StoredField(FerryFields.CHUNK_COUNT, embedding.chunks().size()));
    doc.add(new StoredField(FerryFields.COMPLETE, embedding.complete() ? 1 : 0));
    doc.add(
        new BinaryDocValuesField(
            FerryFields.DOCUMENT_VECTOR, FerryFields.encodeVector(classified.features())));
    for (Field f : labeling.fields(classified.prediction())) {
      doc.add(f);
    }
    block.add(doc);
    return block;
  }

  /**
   * The updatable fields of a prediction, for one bundle: label ordinal, confidence, probabilities
   * and bundle key, all doc values so that relabeling can rewrite them in place.
   */
  static final class Labeling {
    private final int[] ordinals;
    private final List<String> labels;
    private final BytesRef bundleKey;

    Labeling(IndexMetadata metadata, BundleRef bundle) {
      this.labels = bundle.labels();
      this.ordinals = new int[labels.size()];
      for (int i = 0; i < ordinals.length; i++) {
        ordinals[i] = metadata.labels().indexOf(labels.get(i));
        if (ordinals[i] < 0) {
          throw new IllegalStateException(
              "label '" + labels.get(i) + "' missing from the index's dictionary");
        }
      }
      this.bundleKey = new BytesRef(bundle.key().getBytes(StandardCharsets.UTF_8));
    }

    Field[] fields(Prediction p) {
      int best = p.labelIndex();
      return new Field[] {
        new NumericDocValuesField(FerryFields.LABEL, ordinals[best]),
        new NumericDocValuesField(
            FerryFields.CONFIDENCE, FerryFields.encodeConfidence(p.confidence())),
        new BinaryDocValuesField(
            FerryFields.PROBABILITIES,
            FerryFields.encodeProbabilities(ordinals, p.probabilities())),
        new BinaryDocValuesField(FerryFields.BUNDLE, bundleKey)
      };
    }
  }
}
