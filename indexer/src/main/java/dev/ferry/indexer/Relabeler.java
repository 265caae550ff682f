package dev.ferry.indexer;

import dev.ferry.models.bundle.ClassifierHead;
import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.models.bundle.Prediction;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;

/**
 * Relabels a whole index with a new bundle <em>without running the encoder</em>: it reads every
 * document's stored vector, runs only the new head on it ({@link ClassifierHead}), and rewrites the
 * label, confidence, probabilities and bundle in place with Lucene's doc-values updates. The text,
 * its postings and the HNSW graph of chunk vectors stay as they are.
 *
 * <p>This is sound only if the new head was trained on the same vectors: the same encoder file,
 * pooling, length and chunking. Any other bundle is refused with an {@link IndexException}.
 *
 * <p>The new bundle may have other labels than the documents carry: a relabel rewrites every
 * document and commits once, so it never leaves two label sets in the index. It is how an index
 * changes its labels, and how one that an ingest was allowed to mix ({@link
 * IngestOptions#allowLabelChange()}) gets one label set again.
 *
 * <pre>{@code
 * try (FerryIndex index = FerryIndex.openExisting(Path.of("news-index"))) {
 *   RelabelResult r = Relabeler.relabel(index, ModelBundle.open(Path.of("news-bundle-v2")), n -> {});
 * }
 * }</pre>
 */
public final class Relabeler {
  /** Vectors sent to the head at once. */
  static final int BATCH = 4096;

  private Relabeler() {}

  /**
   * Relabels every document and commits once at the end.
   *
   * @param progress hears the number of documents relabeled so far
   * @throws IndexException if the bundle's encoder or chunking differs from the index's
   */
  public static RelabelResult relabel(FerryIndex index, ModelBundle bundle, LongConsumer progress)
      throws IOException {
    long started = System.nanoTime();
    if (index.metadata() == null) {
      throw new IndexException(
          index.folder()
              + ": holds no Ferry index yet (create one by ingesting documents into it)");
    }
    index.requireSameEncoder(bundle);
    BundleRef ref = index.adopt(bundle);
    IndexMetadata metadata = index.metadata();
    DocumentBlocks.Labeling labeling = new DocumentBlocks.Labeling(metadata, ref);
    IndexWriter writer = index.writer();
    long documents = 0;
    long changed = 0;
    Map<String, Long> counts = new HashMap<>();
    Map<String, Map<String, Long>> changes = new HashMap<>();
    try (DirectoryReader reader = index.openReader();
        ClassifierHead head = bundle.openHead()) {
      List<String> ids = new ArrayList<>(BATCH);
      List<float[]> vectors = new ArrayList<>(BATCH);
      List<Long> oldLabels = new ArrayList<>(BATCH);
      for (LeafReaderContext leaf : reader.leaves()) {
        Bits live = leaf.reader().getLiveDocs();
        BinaryDocValues stored = leaf.reader().getBinaryDocValues(FerryFields.DOCUMENT_VECTOR);
        SortedDocValues idValues = leaf.reader().getSortedDocValues(FerryFields.ID);
        NumericDocValues labels = leaf.reader().getNumericDocValues(FerryFields.LABEL);
        if (stored == null) {
          continue;
        }
        for (int doc = stored.nextDoc();
            doc != DocIdSetIterator.NO_MORE_DOCS;
            doc = stored.nextDoc()) {
          if (live != null && !live.get(doc)) {
            continue;
          }
          if (idValues == null || !idValues.advanceExact(doc)) {
            throw new IndexException(
                index.folder()
                    + ": document "
                    + doc
                    + " of segment "
                    + leaf.ord
                    + " has a vector but no id doc values; the index is damaged");
          }
          ids.add(BytesRef.deepCopyOf(idValues.lookupOrd(idValues.ordValue())).utf8ToString());
          vectors.add(FerryFields.decodeVector(stored.binaryValue()));
          oldLabels.add(labels != null && labels.advanceExact(doc) ? labels.longValue() : -1L);
          if (ids.size() == BATCH) {
            changed +=
                flush(writer, head, labeling, metadata, ids, vectors, oldLabels, counts, changes);
            documents += BATCH;
            progress.accept(documents);
          }
        }
      }
      documents += ids.size();
      changed += flush(writer, head, labeling, metadata, ids, vectors, oldLabels, counts, changes);
      progress.accept(documents);
    }
    Map<String, String> keep = new HashMap<>(index.commitData());
    keep.remove(IndexMetadata.KEY);
    index.commit(keep);
    return new RelabelResult(
        ref.key(),
        documents,
        changed,
        FerryIndex.mostFirst(counts),
        (System.nanoTime() - started) / 1e9,
        changes);
  }

  private static long flush(
      IndexWriter writer,
      ClassifierHead head,
      DocumentBlocks.Labeling labeling,
      IndexMetadata metadata,
      List<String> ids,
      List<float[]> vectors,
      List<Long> oldLabels,
      Map<String, Long> counts,
      Map<String, Map<String, Long>> changes)
      throws IOException {
    if (ids.isEmpty()) {
      return 0;
    }
    List<Prediction> predictions = head.predict(vectors.toArray(float[][]::new));
    long changed = 0;
    for (int i = 0; i < ids.size(); i++) {
      Prediction p = predictions.get(i);
      writer.updateDocValues(new Term(FerryFields.ID, ids.get(i)), labeling.fields(p));
      int ordinal = metadata.labels().indexOf(p.label());
      long old = oldLabels.get(i);
      if (ordinal != old) {
        changed++;
        String from = old < 0 ? "?" : FerryFields.labelName(metadata.labels(), old);
        changes.computeIfAbsent(from, k -> new HashMap<>()).merge(p.label(), 1L, Long::sum);
      }
      counts.merge(p.label(), 1L, Long::sum);
    }
    ids.clear();
    vectors.clear();
    oldLabels.clear();
    return changed;
  }
}
