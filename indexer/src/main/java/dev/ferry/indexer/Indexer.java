package dev.ferry.indexer;

import dev.ferry.indexer.input.DocumentSource;
import dev.ferry.indexer.input.InputDocument;
import dev.ferry.indexer.input.InputFingerprint;
import dev.ferry.indexer.input.RejectedRecord;
import dev.ferry.indexer.input.SourceItem;
import dev.ferry.models.bundle.ClassifiedDocument;
import dev.ferry.models.bundle.Classifier;
import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.models.encoder.EncoderOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ingests documents into a {@link FerryIndex}: embeds and classifies each with a bundle's {@link
 * Classifier} and writes it, its chunks and its label to Lucene.
 *
 * <pre>{@code
 * try (FerryIndex index = FerryIndex.open(Path.of("news-index"));
 *      Indexer indexer = Indexer.open(index, ModelBundle.open(Path.of("news-bundle")), EncoderOptions.defaults())) {
 *   IngestResult r = indexer.ingest(Path.of("news.jsonl.gz"), IngestOptions.defaults(), IngestListener.NONE);
 * }
 * }</pre>
 *
 * <p><b>A pipeline of three stages</b>, each on its own thread, joined by bounded queues of {@link
 * IngestOptions#queueCapacity()} batches, so reading, the model and Lucene work at the same time
 * and memory stays bounded: (1) <em>read</em> parses records into batches of {@link
 * IngestOptions#batchSize()}; (2) <em>model</em> tokenizes, embeds and classifies a batch ({@link
 * Classifier#classifyDocuments}; ONNX Runtime uses the cores inside it); (3) <em>write</em> (the
 * calling thread) upserts each document's block and commits. Batches stay in input order. A failure
 * in any stage stops the others and is rethrown, after committing what was completely written.
 *
 * <p><b>Upsert by id</b>: a document replaces the one with the same id, and its chunks.
 *
 * <p><b>Nothing lost</b>: every commit records in Lucene's commit user data how many records of the
 * input were handled (indexed or rejected), a fingerprint of those records ({@link
 * InputFingerprint}: their bytes and SHA-256, taken while reading) and how long the rejects file
 * was; the commit and that position are one atomic step. The first commit is made as the ingest
 * starts, so a new index is there (empty, its ingest incomplete) for search and stats at once.
 * After a crash, {@link IngestOptions#resume()} reads the committed records again to check that the
 * input still begins with them (records appended since are fine), then goes on after them and cuts
 * the rejects file back to its committed length, so every record ends up in the index (or the
 * rejects file) exactly once. With nothing committed, a resume starts from the beginning.
 *
 * <p><b>Rejects</b>: a record that cannot be indexed (broken JSON, no text, an id of the wrong
 * type, binary data, or one the model fails on) is written to the rejects file as {@code {"record":
 * "file:line", "reason": "..."}}; the rest of its batch is indexed. An ingest empties the rejects
 * file as it starts, so it refuses one that is the input, a file of the index, or an existing file
 * other than the rejects file the index recorded.
 *
 * <p><b>One label set</b>: a bundle whose labels differ from those the index's documents carry is
 * refused unless {@link IngestOptions#allowLabelChange()} is set.
 */
public final class Indexer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Indexer.class);

  /** Commit user data: the input's name. */
  public static final String INPUT = "ferry.input";

  /** Commit user data: records of the input handled. */
  public static final String INPUT_POSITION = "ferry.input.position";

  /**
   * Commit user data: how many bytes the handled records took ({@link InputFingerprint#bytes()}).
   */
  public static final String INPUT_BYTES = "ferry.input.bytes";

  /** Commit user data: the SHA-256 of those bytes ({@link InputFingerprint#sha256()}). */
  public static final String INPUT_SHA256 = "ferry.input.sha256";

  /** Commit user data: "true" once the input was read to its end. */
  public static final String INPUT_COMPLETE = "ferry.input.complete";

  /** Commit user data: the rejects file. */
  public static final String REJECTS = "ferry.rejects";

  /** Commit user data: the rejects file's length at the commit. */
  public static final String REJECTS_BYTES = "ferry.rejects.bytes";

  /** The rejects file's name in the index folder, unless another is given. */
  public static final String REJECTS_FILE = "rejects.jsonl";

  private final FerryIndex index;
  private final ModelBundle model;
  private final Classifier classifier;
  private final BundleRef bundle;
  private final boolean ownsClassifier;

  private Indexer(
      FerryIndex index, ModelBundle model, Classifier classifier, boolean ownsClassifier) {
    this.index = index;
    this.model = model;
    this.classifier = classifier;
    this.bundle = FerryIndex.refOf(model);
    this.ownsClassifier = ownsClassifier;
  }

  /**
   * An indexer that labels with {@code bundle}, opening its encoder and head. Whether the bundle's
   * labels may differ from those the documents carry is for each ingest to say ({@link
   * IngestOptions#allowLabelChange()}).
   *
   * @throws IndexException if the index holds vectors of another encoder or chunking
   */
  public static Indexer open(FerryIndex index, ModelBundle bundle, EncoderOptions options) {
    index.requireCompatible(bundle);
    return new Indexer(index, bundle, bundle.openClassifier(options), true);
  }

  /**
   * An indexer over a classifier the caller opened from {@code bundle} and will close (to share one
   * encoder between an indexer and other work).
   *
   * @throws IndexException if the index holds vectors of another encoder or chunking
   */
  public static Indexer using(FerryIndex index, ModelBundle bundle, Classifier classifier) {
    index.requireCompatible(bundle);
    return new Indexer(index, bundle, classifier, false);
  }

  /** The key of the bundle this indexer labels with. */
  public BundleRef bundle() {
    return bundle;
  }

  /** Ingests a JSONL file or a folder of text files. */
  public IngestResult ingest(Path input, IngestOptions options, IngestListener listener)
      throws IOException {
    try (DocumentSource source = DocumentSource.open(input, options.fields())) {
      return ingest(source, options, listener);
    }
  }

  /**
   * Ingests records from any source (which the caller closes). Before anything is written it
   * refuses, with an {@link InvalidSettingException}, a rejects file it must not empty, a bundle
   * whose labels differ from the documents' (unless allowed), and a resume whose input changed
   * before the committed position.
   */
  public IngestResult ingest(DocumentSource source, IngestOptions options, IngestListener listener)
      throws IOException {
    long started = System.nanoTime();
    IngestProgress last = index.lastIngest();
    Path rejectsFile =
        (options.rejects() != null ? options.rejects() : index.folder().resolve(REJECTS_FILE))
            .toAbsolutePath()
            .normalize();
    RejectsFile.requireSafe(rejectsFile, source.name(), index.folder(), last);
    index.requireCompatible(model);
    if (!options.allowLabelChange()) {
      index.requireSameLabels(model);
    }
    long start = options.resume() ? IngestProgress.resume(index.folder(), last, source) : 0;
    long rejectsBytes =
        start > 0 && rejectsFile.toString().equals(last.rejects()) ? last.rejectsBytes() : 0;
    index.adopt(model);
    try (RejectsFile rejects = RejectsFile.open(rejectsFile, rejectsBytes)) {
      Run run = new Run(source, options, listener, rejects, start);
      run.commit(false);
      long before = index.documentCount();
      run.execute();
      long added = index.documentCount() - before;
      return new IngestResult(
          source.name(),
          start,
          run.position,
          run.documents,
          added,
          run.documents - added,
          run.chunks,
          run.rejected,
          rejectsFile,
          (System.nanoTime() - started) / 1e9,
          run.modelNanos.get() / 1e9);
    }
  }

  /** One batch on its way through the pipeline, in input order. */
  private record Batch(
      List<SourceItem> items,
      long endPosition,
      InputFingerprint fingerprint,
      List<ClassifiedDocument> classified,
      boolean last) {
    static final Batch END = new Batch(List.of(), -1, null, List.of(), true);

    Batch classified(List<SourceItem> items, List<ClassifiedDocument> classified) {
      return new Batch(items, endPosition, fingerprint, classified, false);
    }
  }

  /** The state of one ingest. */
  private final class Run {
    private final DocumentSource source;

    /** The input's size for progress, asked once ({@link DocumentSource#totalBytes()}). */
    private long totalBytes = Long.MIN_VALUE;

    private final IngestOptions options;
    private final IngestListener listener;
    private final RejectsFile rejects;
    private final BlockingQueue<Batch> toModel;
    private final BlockingQueue<Batch> toWriter;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicLong modelNanos = new AtomicLong();
    private long position;
    private InputFingerprint fingerprint;
    private long documents;
    private long chunks;
    private long rejected;

    Run(
        DocumentSource source,
        IngestOptions options,
        IngestListener listener,
        RejectsFile rejects,
        long start) {
      this.source = source;
      this.options = options;
      this.listener = listener;
      this.rejects = rejects;
      this.toModel = new ArrayBlockingQueue<>(options.queueCapacity());
      this.toWriter = new ArrayBlockingQueue<>(options.queueCapacity());
      this.position = start;
      this.fingerprint = source.fingerprint();
    }

    void execute() throws IOException {
      ExecutorService stages =
          Executors.newFixedThreadPool(
              2,
              r -> {
                Thread t = new Thread(r);
                t.setDaemon(true);
                return t;
              });
      Future<?> reader = stages.submit(named("ferry-ingest-read", this::read));
      Future<?> model = stages.submit(named("ferry-ingest-model", this::model));
      Throwable failure = null;
      try {
        write(reader, model);
      } catch (Throwable t) {
        failure = t;
      } finally {
        stopping.set(true);
        stages.shutdownNow();
      }
      try {
        if (!stages.awaitTermination(60, TimeUnit.SECONDS)) {
          LOG.warn("ingest stages did not stop within 60 s");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (failure != null) {
        Throwable cause = stageFailure(reader, model, failure);
        commitQuietly(cause);
        if (cause instanceof IOException io) {
          throw io;
        }
        if (cause instanceof RuntimeException re) {
          throw re;
        }
        if (cause instanceof Error e) {
          throw e;
        }
        throw new IndexException(index.folder() + ": ingest failed: " + cause, cause);
      }
    }

    /** The real cause: a stage's own exception rather than the writer's "stage failed" one. */
    private Throwable stageFailure(Future<?> reader, Future<?> model, Throwable writerFailure) {
      if (writerFailure instanceof StageFailed) {
        for (Future<?> f : List.of(reader, model)) {
          if (f.isDone() && !f.isCancelled()) {
            try {
              f.get();
            } catch (ExecutionException e) {
              return e.getCause();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        }
      }
      return writerFailure;
    }

    private void commitQuietly(Throwable cause) {
      try {
        commit(false);
        LOG.info("{}: committed {} records before the failure", index.folder(), position);
      } catch (IOException | RuntimeException e) {
        cause.addSuppressed(e);
      }
    }

    private Runnable named(String name, ThrowingRunnable body) {
      return () -> {
        Thread.currentThread().setName(name);
        try {
          body.run();
        } catch (InterruptedException e) {
          if (!stopping.get()) {
            throw new IllegalStateException(name + " interrupted", e);
          }
        } catch (Exception e) {
          stopping.set(true);
          throw e instanceof RuntimeException re ? re : new StageException(name, e);
        } catch (Error e) {
          stopping.set(true);
          throw e;
        }
      };
    }

    private void read() throws IOException, InterruptedException {
      long at = position;
      List<SourceItem> items = new ArrayList<>(options.batchSize());
      for (SourceItem item = source.next(); item != null && !stopping.get(); item = source.next()) {
        items.add(item);
        at++;
        if (items.size() == options.batchSize()) {
          put(toModel, new Batch(items, at, source.fingerprint(), List.of(), false));
          items = new ArrayList<>(options.batchSize());
        }
      }
      if (!items.isEmpty()) {
        put(toModel, new Batch(items, at, source.fingerprint(), List.of(), false));
      }
      put(toModel, Batch.END);
    }

    private void model() throws InterruptedException {
      for (Batch batch = take(toModel, null); !batch.last(); batch = take(toModel, null)) {
        long t0 = System.nanoTime();
        Batch classified = classify(batch);
        modelNanos.addAndGet(System.nanoTime() - t0);
        put(toWriter, classified);
      }
      put(toWriter, Batch.END);
    }

    /**
     * Classifies a batch's documents; if the batch fails, one by one, rejecting those that fail
     * alone.
     */
    private Batch classify(Batch batch) {
      List<InputDocument> docs = new ArrayList<>();
      for (SourceItem item : batch.items()) {
        if (item instanceof InputDocument d) {
          docs.add(d);
        }
      }
      if (docs.isEmpty()) {
        return batch;
      }
      try {
        List<ClassifiedDocument> out =
            classifier.classifyDocuments(docs.stream().map(InputDocument::text).toList());
        return batch.classified(batch.items(), out);
      } catch (RuntimeException batchFailure) {
        LOG.warn(
            "the model failed on a batch of {} documents ({}); trying them one by one",
            docs.size(),
            batchFailure.toString());
        List<SourceItem> items = new ArrayList<>(batch.items().size());
        List<ClassifiedDocument> out = new ArrayList<>();
        for (SourceItem item : batch.items()) {
          if (item instanceof InputDocument d) {
            try {
              out.add(classifier.classifyDocuments(List.of(d.text())).get(0));
              items.add(d);
            } catch (RuntimeException alone) {
              items.add(
                  new RejectedRecord(d.position(), d.origin(), "the model failed on it: " + alone));
            }
          } else {
            items.add(item);
          }
        }
        if (out.isEmpty()) {
          throw batchFailure;
        }
        return batch.classified(items, out);
      }
    }

    private void write(Future<?> reader, Future<?> model) throws IOException, InterruptedException {
      IndexWriter writer = index.writer();
      IndexMetadata metadata = index.metadata();
      DocumentBlocks.Labeling labeling = new DocumentBlocks.Labeling(metadata, bundle);
      VectorSimilarityFunction similarity = DocumentBlocks.similarity(metadata);
      long sinceCommit = 0;
      long lastCommit = System.nanoTime();
      List<Future<?>> stages = List.of(reader, model);
      for (Batch batch = take(toWriter, stages); !batch.last(); batch = take(toWriter, stages)) {
        long now = System.currentTimeMillis();
        int next = 0;
        for (SourceItem item : batch.items()) {
          switch (item) {
            case InputDocument d -> {
              ClassifiedDocument c = batch.classified().get(next++);
              List<Document> block = DocumentBlocks.block(d, c, labeling, similarity, now);
              writer.deleteDocuments(new Term(FerryFields.CHUNK_OF, d.id()));
              writer.updateDocuments(new Term(FerryFields.ID, d.id()), block);
              documents++;
              sinceCommit++;
              chunks += block.size() - 1;
            }
            case RejectedRecord r -> {
              rejects.write(r);
              rejected++;
              listener.rejected(r.origin(), r.reason());
            }
          }
        }
        position = batch.endPosition();
        fingerprint = batch.fingerprint();
        listener.written(documents, chunks, rejected);
        if (fingerprint != null) {
          if (totalBytes == Long.MIN_VALUE) {
            totalBytes = source.totalBytes();
          }
          listener.read(fingerprint.bytes(), totalBytes);
        }
        if (sinceCommit >= options.commitEveryDocuments()
            || System.nanoTime() - lastCommit >= options.commitInterval().toNanos()) {
          commit(false);
          sinceCommit = 0;
          lastCommit = System.nanoTime();
        }
      }
      commit(true);
    }

    /**
     * Commits what was written with the progress through the input: as the run starts, then as it
     * goes.
     */
    void commit(boolean complete) throws IOException {
      rejects.flush();
      index.commit(
          new IngestProgress(
                  source.name(),
                  position,
                  complete,
                  fingerprint,
                  rejects.path().toAbsolutePath().normalize().toString(),
                  rejects.length())
              .toCommitData());
      LOG.debug("{}: committed at input position {}", index.folder(), position);
      listener.committed(position);
    }

    private void put(BlockingQueue<Batch> queue, Batch batch) throws InterruptedException {
      while (!queue.offer(batch, 100, TimeUnit.MILLISECONDS)) {
        if (stopping.get()) {
          throw new InterruptedException("stopping");
        }
      }
    }

    /** Takes the next batch; from the writer, fails fast when a stage before it failed. */
    private Batch take(BlockingQueue<Batch> queue, List<Future<?>> upstream)
        throws InterruptedException {
      while (true) {
        Batch b = queue.poll(100, TimeUnit.MILLISECONDS);
        if (b != null) {
          return b;
        }
        if (upstream != null) {
          for (Future<?> f : upstream) {
            if (f.isDone()) {
              try {
                f.get();
              } catch (ExecutionException e) {
                throw new StageFailed(e.getCause());
              }
            }
          }
        } else if (stopping.get()) {
          throw new InterruptedException("stopping");
        }
      }
    }
  }

  @FunctionalInterface
  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  /** A checked exception from a stage, carried to the writer. */
  private static final class StageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StageException(String stage, Exception cause) {
      super(stage + ": " + cause.getMessage(), cause);
    }
  }

  /** The writer saw a stage before it fail. */
  private static final class StageFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StageFailed(Throwable cause) {
      super(cause);
    }
  }

  @Override
  public void close() {
    if (ownsClassifier) {
      classifier.close();
    }
  }
}
