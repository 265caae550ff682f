package dev.ferry.indexer;

import dev.ferry.models.FileHashes;
import dev.ferry.models.bundle.BundleLoadException;
import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.models.encoder.BuiltinEncoder;
import dev.ferry.models.encoder.Encoder;
import dev.ferry.models.encoder.EncoderDescriptor;
import dev.ferry.models.encoder.EncoderOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.Bits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Ferry index: a Lucene index in a folder, plus what it knows about itself ({@link
 * IndexMetadata}, kept in the commit). Open it once per process; ingest with {@link Indexer},
 * relabel with {@link Relabeler}, search with {@link dev.ferry.indexer.search.Search}, all of which
 * take it.
 *
 * <pre>{@code
 * try (FerryIndex index = FerryIndex.open(Path.of("news-index"))) {
 *   System.out.println(index.stats().documents());
 * }
 * }</pre>
 *
 * <p>Readers see the last commit. The index's one {@link IndexWriter} is opened on the first write
 * and holds Lucene's write lock until {@link #close()}; it never commits on close, so only the
 * explicit commits of an ingest or relabel, each with its progress, become durable.
 */
public final class FerryIndex implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FerryIndex.class);

  private final Path folder;
  private final Directory directory;
  private IndexWriter writer;
  private IndexMetadata metadata;
  private Map<String, String> committed = Map.of();

  private FerryIndex(Path folder, Directory directory) {
    this.folder = folder;
    this.directory = directory;
  }

  /**
   * Opens the index in {@code folder}, creating the folder if it is absent (the index itself is
   * created by the first ingest).
   *
   * @throws IndexException if the folder holds an index that is not a Ferry index
   */
  public static FerryIndex open(Path folder) throws IOException {
    if (Files.exists(folder) && !Files.isDirectory(folder)) {
      throw new IndexException(folder + ": is a file; expected an index folder");
    }
    Files.createDirectories(folder);
    FerryIndex index = new FerryIndex(folder, FSDirectory.open(folder));
    try {
      index.readCommit();
    } catch (RuntimeException | IOException e) {
      index.close();
      throw e;
    }
    return index;
  }

  /**
   * Opens an index that must already hold documents (for search, stats and relabel).
   *
   * @throws IndexException naming the folder if there is no Ferry index in it
   */
  public static FerryIndex openExisting(Path folder) throws IOException {
    if (!Files.isDirectory(folder)) {
      throw new IndexException(
          folder + ": no such index folder (create one by ingesting documents into it)");
    }
    FerryIndex index = open(folder);
    if (index.metadata == null) {
      index.close();
      throw new IndexException(
          folder + ": holds no Ferry index (create one by ingesting documents into it)");
    }
    return index;
  }

  private void readCommit() throws IOException {
    if (!DirectoryReader.indexExists(directory)) {
      return;
    }
    Map<String, String> data = SegmentInfos.readLatestCommit(directory).getUserData();
    String json = data.get(IndexMetadata.KEY);
    if (json == null) {
      throw new IndexException(
          folder
              + ": is a Lucene index but not a Ferry index (its commit has no '"
              + IndexMetadata.KEY
              + "'); use an empty folder");
    }
    metadata = IndexMetadata.fromJson(folder.toString(), json);
    committed = Map.copyOf(data);
  }

  /** The index folder. */
  public Path folder() {
    return folder;
  }

  /**
   * The metadata as of the last commit (or this process's pending write), or null for a new index.
   */
  public synchronized IndexMetadata metadata() {
    return metadata;
  }

  /** The commit user data of the last commit: metadata and the last ingest's progress. */
  public synchronized Map<String, String> commitData() {
    return committed;
  }

  /** A reader on the last commit; the caller closes it. */
  public DirectoryReader openReader() throws IOException {
    if (!DirectoryReader.indexExists(directory)) {
      throw new IndexException(
          folder + ": holds no Ferry index yet (create one by ingesting documents into it)");
    }
    return DirectoryReader.open(directory);
  }

  /** The analyzer of {@link FerryFields#TEXT}, for queries too. */
  public static Analyzer analyzer() {
    return new StandardAnalyzer();
  }

  /**
   * Records {@code bundle} as the one labeling documents from now on, after checking that its
   * encoder and chunking are the index's (a new index takes them from the bundle).
   *
   * @throws IndexException if the bundle's vectors would not be comparable with the index's
   */
  synchronized BundleRef adopt(ModelBundle bundle) {
    EncoderDescriptor encoder = bundle.encoderDescriptor();
    if (metadata == null) {
      metadata = IndexMetadata.create(encoder, bundle.chunking());
    } else {
      requireSameEncoder(bundle);
    }
    BundleRef ref = refOf(bundle);
    metadata = metadata.using(ref);
    return ref;
  }

  /**
   * Refuses a bundle whose vectors differ from those stored (any bundle may start a new index).
   *
   * @throws IndexException naming both encoders or chunkings
   */
  synchronized void requireCompatible(ModelBundle bundle) {
    if (metadata != null) {
      requireSameEncoder(bundle);
    }
  }

  /**
   * Refuses a bundle whose labels differ from a set of labels the documents carry (as of the last
   * commit): labeling more documents with it would leave two label sets in one index.
   *
   * @throws InvalidSettingException naming both label sets and how many documents carry the other
   */
  void requireSameLabels(ModelBundle bundle) throws IOException {
    List<String> labels = bundle.labels().stream().sorted().toList();
    for (IndexStats.LabelSet set : stats().labelSets()) {
      if (!set.labels().equals(labels)) {
        throw new InvalidSettingException(
            InvalidSettingException.Setting.LABEL_CHANGE,
            String.format(
                Locale.ROOT,
                "%s labels %s, but %,d documents of %s carry the labels %s (of %s); indexing with it would leave two label"
                    + " sets in one index",
                bundle.directory(),
                labels,
                set.documents(),
                folder,
                set.labels(),
                String.join(", ", set.bundles())),
            "index with a bundle of those labels, relabel the index with this bundle first (Relabeler), or allow the"
                + " change (IngestOptions.withAllowLabelChange) to keep both label sets");
      }
    }
  }

  /** Refuses a bundle whose vectors differ from those stored: another encoder or chunking. */
  synchronized void requireSameEncoder(ModelBundle bundle) {
    IndexMetadata m = metadata;
    if (m == null) {
      throw new IndexException(
          folder + ": holds no Ferry index yet (create one by ingesting documents into it)");
    }
    EncoderDescriptor mine = m.encoder().toDescriptor();
    if (!bundle.sameEncoderAs(mine)) {
      EncoderDescriptor theirs = bundle.encoderDescriptor();
      throw new IndexException(
          bundle.directory()
              + ": its encoder is "
              + describe(theirs)
              + " but the vectors in "
              + folder
              + " come from "
              + describe(mine)
              + "; a head can only label vectors of the encoder it was trained on: train the bundle on "
              + mine.id()
              + ", or index into a new folder");
    }
    if (!bundle.chunking().equals(m.chunking().toChunking())) {
      throw new IndexException(
          bundle.directory()
              + ": reads documents as "
              + bundle.chunking()
              + " but "
              + folder
              + " was built reading them as "
              + m.chunking().toChunking()
              + "; the stored document vectors would not be what the head was trained on: train with the"
              + " index's chunking, or index into a new folder");
    }
  }

  private static String describe(EncoderDescriptor d) {
    return d.id()
        + " (SHA-256 "
        + d.modelSha256().substring(0, 12)
        + ", "
        + d.pooling().id()
        + " pooling, "
        + d.dimension()
        + " dims, max "
        + d.maxLength()
        + " tokens)";
  }

  static BundleRef refOf(ModelBundle bundle) {
    Path manifest = bundle.directory().resolve(ModelBundle.MANIFEST);
    String sha;
    try {
      sha = FileHashes.sha256(manifest);
    } catch (IOException e) {
      throw new UncheckedIOException(manifest + ": cannot read: " + e.getMessage(), e);
    }
    Path dir = bundle.directory().toAbsolutePath().normalize();
    String id = dir.getFileName() == null ? "bundle" : dir.getFileName().toString();
    return new BundleRef(id + "@" + sha.substring(0, 12), id, sha, dir.toString(), bundle.labels());
  }

  /** The writer, opened on first use. */
  synchronized IndexWriter writer() throws IOException {
    if (writer == null) {
      IndexWriterConfig config =
          new IndexWriterConfig(analyzer())
              .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
              .setParentField(FerryFields.PARENT)
              .setCommitOnClose(false)
              .setRAMBufferSizeMB(128);
      writer = new IndexWriter(directory, config);
    }
    return writer;
  }

  /** Commits the writer's changes with the metadata and {@code progress} as user data. */
  synchronized void commit(Map<String, String> progress) throws IOException {
    Map<String, String> data = new HashMap<>(progress);
    data.put(IndexMetadata.KEY, metadata.toJson());
    writer().setLiveCommitData(data.entrySet());
    writer.commit();
    committed = Map.copyOf(data);
  }

  /**
   * Opens the encoder that embeds queries: the current bundle's (checked against the model file the
   * index was built with), or {@code bundle} when given (say, because the bundle moved).
   */
  public Encoder openQueryEncoder(EncoderOptions options, Path bundle) {
    IndexMetadata m = metadata();
    if (m == null) {
      throw new IndexException(
          folder + ": holds no Ferry index yet (create one by ingesting documents into it)");
    }
    if (bundle != null) {
      ModelBundle b = ModelBundle.open(bundle);
      requireSameEncoder(b);
      return b.openEncoder(options);
    }
    BundleRef current = m.bundle(m.currentBundle());
    if (current != null && Files.isDirectory(Path.of(current.path()))) {
      try {
        return ModelBundle.open(Path.of(current.path())).openEncoder(options);
      } catch (BundleLoadException e) {
        LOG.warn(
            "{}: cannot open the bundle at {} ({}); trying the encoder by name",
            folder,
            current.path(),
            e.getMessage());
      }
    }
    EncoderDescriptor d = m.encoder().toDescriptor();
    if (BuiltinEncoder.isBuiltin(d.id())) {
      Encoder encoder =
          Encoder.open(
              BuiltinEncoder.fromId(d.id()),
              options.withPooling(d.pooling()).withMaxLength(d.maxLength()));
      if (encoder.descriptor().modelSha256().equals(d.modelSha256())) {
        return encoder;
      }
      encoder.close();
    }
    throw new InvalidSettingException(
        InvalidSettingException.Setting.BUNDLE,
        folder
            + ": cannot find the encoder"
            + " that embedded it ("
            + d.id()
            + ", last bundle at "
            + (current == null ? "?" : current.path())
            + ")",
        "give a bundle trained on it");
  }

  /** Counts documents, chunks, labels, bundles and label sets in the last commit. */
  public IndexStats stats() throws IOException {
    IndexMetadata m = metadata();
    if (m == null || !DirectoryReader.indexExists(directory)) {
      return new IndexStats(0, 0, Map.of(), Map.of(), List.of(), null, Map.of());
    }
    Map<Long, Long> labelCounts = new TreeMap<>();
    Map<String, Long> bundleCounts = new HashMap<>();
    long documents = 0;
    long all = 0;
    try (DirectoryReader reader = openReader()) {
      all = reader.numDocs();
      for (LeafReaderContext leaf : reader.leaves()) {
        Bits live = leaf.reader().getLiveDocs();
        NumericDocValues labels = leaf.reader().getNumericDocValues(FerryFields.LABEL);
        BinaryDocValues bundles = leaf.reader().getBinaryDocValues(FerryFields.BUNDLE);
        if (labels == null) {
          continue;
        }
        for (int doc = labels.nextDoc();
            doc != DocIdSetIterator.NO_MORE_DOCS;
            doc = labels.nextDoc()) {
          if (live != null && !live.get(doc)) {
            continue;
          }
          documents++;
          labelCounts.merge(labels.longValue(), 1L, Long::sum);
          if (bundles != null && bundles.advanceExact(doc)) {
            bundleCounts.merge(FerryFields.decodeString(bundles.binaryValue()), 1L, Long::sum);
          }
        }
      }
    }
    Map<String, Long> byLabel = new HashMap<>();
    labelCounts.forEach((ord, n) -> byLabel.put(FerryFields.labelName(m.labels(), ord), n));
    Map<String, String> progress = new TreeMap<>(commitData());
    progress.remove(IndexMetadata.KEY);
    Map<String, Long> byBundle = mostFirst(bundleCounts);
    return new IndexStats(
        documents,
        all - documents,
        mostFirst(byLabel),
        byBundle,
        labelSets(m, byBundle),
        m.encoder().id(),
        progress);
  }

  /**
   * Documents per set of labels, from the documents per bundle (most first) and each bundle's
   * labels.
   */
  private static List<IndexStats.LabelSet> labelSets(IndexMetadata m, Map<String, Long> byBundle) {
    Map<List<String>, List<String>> bundles = new LinkedHashMap<>();
    Map<List<String>, Long> documents = new HashMap<>();
    byBundle.forEach(
        (key, n) -> {
          BundleRef ref = m.bundle(key);
          List<String> labels = ref == null ? List.of() : ref.labels().stream().sorted().toList();
          bundles.computeIfAbsent(labels, l -> new ArrayList<>()).add(key);
          documents.merge(labels, n, Long::sum);
        });
    return bundles.entrySet().stream()
        .map(e -> new IndexStats.LabelSet(e.getKey(), e.getValue(), documents.get(e.getKey())))
        .sorted(Comparator.comparingLong(IndexStats.LabelSet::documents).reversed())
        .toList();
  }

  /** Live documents (not chunks) in the last commit. */
  long documentCount() throws IOException {
    if (!DirectoryReader.indexExists(directory)) {
      return 0;
    }
    try (DirectoryReader reader = openReader()) {
      return new IndexSearcher(reader)
          .count(new TermQuery(new Term(FerryFields.KIND, FerryFields.DOCUMENT_KIND)));
    }
  }

  /** What the last commit records of the last ingest, or null if no ingest has committed. */
  public IngestProgress lastIngest() {
    return IngestProgress.of(commitData());
  }

  static <K extends Comparable<K>> Map<K, Long> mostFirst(Map<K, Long> counts) {
    Map<K, Long> out = new LinkedHashMap<>();
    counts.entrySet().stream()
        .sorted(
            Map.Entry.<K, Long>comparingByValue(Comparator.reverseOrder())
                .thenComparing(Map.Entry.comparingByKey()))
        .forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }

  /** Releases the writer (without committing: uncommitted work is dropped) and the folder. */
  @Override
  public synchronized void close() throws IOException {
    try {
      if (writer != null) {
        writer.rollback();
        writer = null;
      }
    } finally {
      directory.close();
    }
  }

  /** Labels of the index, for callers that show them. */
  public List<String> labels() {
    IndexMetadata m = metadata();
    return m == null ? List.of() : m.labels();
  }
}
