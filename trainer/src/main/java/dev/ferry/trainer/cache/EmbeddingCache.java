package dev.ferry.trainer.cache;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.models.FerryCache;
import dev.ferry.models.encoder.ChunkPooling;
import dev.ferry.models.encoder.Chunking;
import dev.ferry.models.encoder.Encoder;
import dev.ferry.models.encoder.EncoderDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Embeddings computed once and kept on disk, so that training again with other hyperparameters does
 * not encode the same texts again.
 *
 * <pre>{@code
 * try (EmbeddingCache cache = EmbeddingCache.openDefault(encoder.descriptor())) {
 *   float[][] vectors = cache.embed(encoder, texts, (done, total) -> progress.update(done, total));
 * }
 * }</pre>
 *
 * <p><b>Keys.</b> Vectors are kept per encoder, in a subdirectory named by the SHA-256 of every
 * descriptor field that changes a document's vector: the model file's hash, the pooling,
 * normalization, maximum length, dimension and document prefix (not the id, source or query
 * prefix), and the {@link Chunking} when it reads more than the first window or pools chunks other
 * than by their mean. Within it each text is keyed by the SHA-256 of its UTF-8 bytes. Texts are
 * embedded as whole documents ({@link Encoder#embedDocuments}), and what a head reads of them is
 * stored: {@link ChunkPooling#features}, {@link Chunking#headWidth} values.
 *
 * <p><b>Storage.</b> {@value #FILE_NAME} is append-only: a {@value #HEADER_BYTES}-byte header
 * (magic {@code FERRYEMB}, format version, dimension, encoder key), then fixed-size records of a
 * 32-byte text hash, {@code dimension} little-endian floats and the CRC32C of those bytes. On open
 * every complete record is read into memory; an incomplete last record, left by a run that stopped
 * while writing, is dropped and the file cut back to the last complete one. A record whose checksum
 * does not match (a flipped bit on disk, a file changed by hand) is dropped with a warning naming
 * the file ({@link #corruptRecords()} counts them), so its text is embedded again and appended, and
 * it is overwritten in place by a blank record (an all-zero hash, skipped when read), so the
 * warning comes once. Caches of format version 1, which had no checksums, have another key: they
 * are not read. New vectors are written after each batch of {@value #TEXTS_PER_WRITE} encoded texts
 * (so an interrupted run keeps what it computed) and forced to disk on close. A file of another
 * format, version, dimension or encoder is refused with a message saying to delete it; deleting the
 * cache is always safe.
 *
 * <p><b>Concurrency.</b> Writers, in this process or others, are serialized by an exclusive lock on
 * the file held while appending. At the start of each {@link #embed} call and before each append, a
 * cache reads the records other writers added since it last looked: it uses their vectors and never
 * writes a text another writer already stored. Calls on one instance are serialized.
 */
public final class EmbeddingCache implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddingCache.class);

  /** The vectors file in each encoder's subdirectory. */
  public static final String FILE_NAME = "vectors.bin";

  /** Texts encoded per call to the encoder; their vectors are written before the next call. */
  public static final int TEXTS_PER_WRITE = 256;

  /** Size of the file header: magic, version, dimension, encoder key. */
  public static final int HEADER_BYTES = 8 + 4 + 4 + 32;

  static final int VERSION = 2;
  private static final byte[] MAGIC = "FERRYEMB".getBytes(StandardCharsets.US_ASCII);
  private static final int HASH_BYTES = 32;
  private static final int CHECKSUM_BYTES = 4;

  /** The hash of a blanked record: no text hashes to 32 zero bytes. */
  private static final byte[] BLANK_HASH = new byte[HASH_BYTES];

  /** One lock per file in this process: file locks are per process and cannot nest. */
  private static final Map<Path, ReentrantLock> PROCESS_LOCKS = new ConcurrentHashMap<>();

  private final Path directory;
  private final Path file;
  private final EncoderDescriptor descriptor;
  private final Chunking chunking;
  private final byte[] encoderKey;
  private final int dimension;
  private final int recordBytes;
  private final FileChannel channel;
  private final ReentrantLock processLock;
  private final Map<TextKey, float[]> vectors = new HashMap<>();

  /** Bytes of the file this instance has read or written: header and complete records. */
  private long end;

  private int hits;
  private int misses;
  private int corrupt;
  private boolean closed;

  private EmbeddingCache(
      Path directory,
      Path file,
      EncoderDescriptor descriptor,
      Chunking chunking,
      byte[] encoderKey,
      FileChannel channel,
      ReentrantLock processLock) {
    this.directory = directory;
    this.file = file;
    this.chunking = chunking;
    this.descriptor = descriptor;
    this.encoderKey = encoderKey;
    this.dimension = chunking.headWidth(descriptor.dimension());
    this.recordBytes = recordBytes(dimension);
    this.channel = channel;
    this.processLock = processLock;
  }

  /**
   * Opens the cache of {@code encoder}'s vectors under {@code directory} (in a subdirectory for
   * that encoder), creating it if needed, and reads every vector stored so far.
   *
   * @throws IOException if the directory cannot be created or written (the message says to set
   *     {@code FERRY_CACHE_DIR}), or the file there is not a cache of this encoder
   */
  public static EmbeddingCache open(Path directory, EncoderDescriptor encoder) throws IOException {
    return open(directory, encoder, Chunking.FIRST_WINDOW);
  }

  /**
   * Opens the cache of {@code encoder}'s vectors of documents read with {@code chunking}.
   *
   * @see #open(Path, EncoderDescriptor)
   */
  public static EmbeddingCache open(Path directory, EncoderDescriptor encoder, Chunking chunking)
      throws IOException {
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(encoder, "encoder");
    Objects.requireNonNull(chunking, "chunking");
    byte[] key = encoderKey(encoder, chunking);
    Path dir = directory.resolve(HexFormat.of().formatHex(key));
    Path file = dir.resolve(FILE_NAME);
    FileChannel channel;
    try {
      Files.createDirectories(dir);
      writeDescription(dir, encoder, chunking);
      channel =
          FileChannel.open(
              file, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE);
    } catch (IOException e) {
      throw new IOException(
          "cannot write the embedding cache in "
              + dir
              + " ("
              + e
              + "); set"
              + " FERRY_CACHE_DIR to a writable directory, or train without the cache",
          e);
    }
    EmbeddingCache cache;
    try {
      ReentrantLock processLock =
          PROCESS_LOCKS.computeIfAbsent(file.toRealPath(), p -> new ReentrantLock());
      cache = new EmbeddingCache(dir, file, encoder, chunking, key, channel, processLock);
      cache.locked(cache::catchUp);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    log.debug("Embedding cache {} holds {} vectors of {}", dir, cache.vectors.size(), encoder.id());
    return cache;
  }

  /**
   * Opens the cache under {@link FerryCache#root()}{@code /embeddings}.
   *
   * @see #open(Path, EncoderDescriptor)
   */
  public static EmbeddingCache openDefault(EncoderDescriptor encoder) throws IOException {
    return openDefault(encoder, Chunking.FIRST_WINDOW);
  }

  /**
   * Opens the cache under {@link FerryCache#root()}{@code /embeddings}, for documents read with
   * {@code chunking}.
   *
   * @see #open(Path, EncoderDescriptor, Chunking)
   */
  public static EmbeddingCache openDefault(EncoderDescriptor encoder, Chunking chunking)
      throws IOException {
    return open(FerryCache.root().resolve("embeddings"), encoder, chunking);
  }

  /**
   * One vector per text, in order: stored ones from the cache, the others encoded as documents
   * (each distinct text once, {@value #TEXTS_PER_WRITE} at a time) and stored. Each returned array
   * is a copy the caller may change.
   *
   * @param encoder the encoder to compute missing vectors with; its descriptor must give this
   *     cache's key
   * @param texts the texts, not null; duplicates are fine
   * @param progress called with (texts done, total texts) once after the look-up and after each
   *     encoded batch; may be null
   * @throws IllegalArgumentException if {@code encoder} is not the encoder of this cache
   * @throws IOException if new vectors cannot be written; those of earlier batches are kept
   * @throws IllegalStateException if the cache is closed
   */
  public synchronized float[][] embed(
      Encoder encoder, List<String> texts, BiConsumer<Integer, Integer> progress)
      throws IOException {
    Objects.requireNonNull(encoder, "encoder");
    Objects.requireNonNull(texts, "texts");
    requireOpen();
    if (!Arrays.equals(encoderKey(encoder.descriptor(), chunking), encoderKey)) {
      throw new IllegalArgumentException(
          "this cache holds vectors of "
              + describe(descriptor)
              + ", but the encoder is "
              + describe(encoder.descriptor())
              + "; open the cache with the encoder's own descriptor");
    }
    locked(this::catchUp);
    MessageDigest sha = sha256();
    float[][] out = new float[texts.size()][];
    Map<TextKey, List<Integer>> missing = new LinkedHashMap<>();
    int done = 0;
    for (int i = 0; i < texts.size(); i++) {
      String text = texts.get(i);
      if (text == null) {
        throw new NullPointerException("text at index " + i + " is null");
      }
      TextKey key = TextKey.of(sha.digest(text.getBytes(StandardCharsets.UTF_8)));
      float[] stored = vectors.get(key);
      if (stored != null) {
        out[i] = stored.clone();
        done++;
      } else {
        missing.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
      }
    }
    hits = done;
    misses = missing.size();
    report(progress, done, texts.size());
    List<Map.Entry<TextKey, List<Integer>>> todo = new ArrayList<>(missing.entrySet());
    for (int start = 0; start < todo.size(); start += TEXTS_PER_WRITE) {
      List<Map.Entry<TextKey, List<Integer>>> batch =
          todo.subList(start, Math.min(todo.size(), start + TEXTS_PER_WRITE));
      float[][] encoded =
          encoder
              .embedDocuments(
                  batch.stream().map(e -> texts.get(e.getValue().get(0))).toList(), chunking)
              .stream()
              .map(chunking.pooling()::features)
              .toArray(float[][]::new);
      for (float[] v : encoded) {
        if (v.length != dimension) {
          throw new IllegalStateException(
              "the encoder returned a vector of "
                  + v.length
                  + " values; its descriptor and chunking say "
                  + dimension);
        }
      }
      List<TextKey> keys = batch.stream().map(Map.Entry::getKey).toList();
      locked(() -> append(keys, encoded));
      for (int j = 0; j < batch.size(); j++) {
        vectors.put(keys.get(j), encoded[j]);
        for (int index : batch.get(j).getValue()) {
          out[index] = encoded[j].clone();
          done++;
        }
      }
      report(progress, done, texts.size());
    }
    return out;
  }

  /**
   * How many distinct texts of {@code texts} the cache does not hold yet: what {@link #embed} would
   * have to encode. Reads what other writers added first; encodes nothing.
   *
   * @throws IOException if the file cannot be read
   * @throws IllegalStateException if the cache is closed
   */
  public synchronized int missing(List<String> texts) throws IOException {
    Objects.requireNonNull(texts, "texts");
    requireOpen();
    locked(this::catchUp);
    MessageDigest sha = sha256();
    java.util.Set<TextKey> absent = new java.util.HashSet<>();
    for (String text : texts) {
      TextKey key = TextKey.of(sha.digest(text.getBytes(StandardCharsets.UTF_8)));
      if (!vectors.containsKey(key)) {
        absent.add(key);
      }
    }
    return absent.size();
  }

  /** Texts of the last {@link #embed} call found in the cache (each position counts). */
  public synchronized int hits() {
    return hits;
  }

  /** Distinct texts the last {@link #embed} call had to encode. */
  public synchronized int misses() {
    return misses;
  }

  /**
   * Vectors in the cache as this instance last saw it: read on open, written by it, or read from
   * other writers at its last {@link #embed} call.
   */
  public synchronized int size() {
    return vectors.size();
  }

  /**
   * Records that failed their checksum since this cache was opened: dropped, and their texts
   * embedded again when asked for (a warning names {@link #file()}).
   */
  public synchronized int corruptRecords() {
    return corrupt;
  }

  /** The vectors file, {@value #FILE_NAME} in {@link #directory()}. */
  public Path file() {
    return file;
  }

  /** Bytes of one record: text hash, vector, checksum. */
  static int recordBytes(int dimension) {
    return HASH_BYTES + 4 * dimension + CHECKSUM_BYTES;
  }

  /** This encoder's subdirectory, which holds {@value #FILE_NAME}. */
  public Path directory() {
    return directory;
  }

  /** Forces written vectors to disk and releases the file and the vectors in memory. */
  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    vectors.clear();
    try (channel) {
      channel.force(false);
    }
  }

  // ---------------------------------------------------------------- file

  private interface LockedAction {
    void run() throws IOException;
  }

  /** Runs {@code action} holding this process's lock and the file lock. */
  private void locked(LockedAction action) throws IOException {
    processLock.lock();
    try {
      FileLock lock = channel.lock();
      try {
        action.run();
      } finally {
        lock.release();
      }
    } finally {
      processLock.unlock();
    }
  }

  /** Reads what was added since this instance last looked; call holding the locks. */
  private void catchUp() throws IOException {
    long size = channel.size();
    if (size < end) {
      log.warn("{} shrank from {} to {} bytes while open; reading it again", file, end, size);
      end = 0;
    }
    if (end == 0) {
      if (size < HEADER_BYTES) {
        if (size > 0 && !Arrays.equals(read(0, (int) size), Arrays.copyOf(header(), (int) size))) {
          throw notACache("it is shorter than a header and does not start like one");
        }
        channel.truncate(0);
        write(ByteBuffer.wrap(header()), 0);
        size = HEADER_BYTES;
      } else {
        checkHeader(read(0, HEADER_BYTES));
      }
      end = HEADER_BYTES;
    }
    long complete = end + (size - end) / recordBytes * recordBytes;
    readRecords(end, complete);
    if (complete < size) {
      log.warn(
          "{}: dropping an incomplete last record ({} of {} bytes), left by a run that stopped"
              + " while writing",
          file,
          size - complete,
          recordBytes);
      channel.truncate(complete);
    }
    end = complete;
  }

  private void append(List<TextKey> keys, float[][] encoded) throws IOException {
    catchUp();
    ByteBuffer buffer =
        ByteBuffer.allocate(keys.size() * recordBytes).order(ByteOrder.LITTLE_ENDIAN);
    for (int j = 0; j < keys.size(); j++) {
      if (vectors.containsKey(keys.get(j))) {
        continue; // another writer stored it meanwhile
      }
      int start = buffer.position();
      keys.get(j).writeTo(buffer);
      for (float x : encoded[j]) {
        buffer.putFloat(x);
      }
      buffer.putInt(checksum(buffer.array(), start));
    }
    buffer.flip();
    int bytes = buffer.remaining();
    write(buffer, end);
    end += bytes;
  }

  /**
   * Reads the records in [from, to); call holding the locks (it blanks those that fail their
   * checksum).
   */
  private void readRecords(long from, long to) throws IOException {
    int perRead = Math.max(1, (1 << 20) / recordBytes);
    ByteBuffer buffer = ByteBuffer.allocate(perRead * recordBytes).order(ByteOrder.LITTLE_ENDIAN);
    byte[] hash = new byte[HASH_BYTES];
    List<Long> failed = new ArrayList<>();
    for (long position = from; position < to; ) {
      int n = (int) Math.min(buffer.capacity(), to - position);
      buffer.clear().limit(n);
      readFully(buffer, position);
      buffer.flip();
      while (buffer.hasRemaining()) {
        int start = buffer.position();
        buffer.get(hash);
        float[] vector = new float[dimension];
        buffer.asFloatBuffer().get(vector);
        buffer.position(buffer.position() + 4 * dimension);
        int stored = buffer.getInt();
        if (stored != checksum(buffer.array(), start)) {
          failed.add(position + start);
        } else if (!Arrays.equals(hash, BLANK_HASH)) {
          vectors.put(TextKey.of(hash), vector);
        }
      }
      position += n;
    }
    if (!failed.isEmpty()) {
      corrupt += failed.size();
      log.warn(
          "{}: {} vector record{} failed {} checksum (the first at byte {}); dropped, so {} text{} embedded"
              + " again",
          file,
          failed.size(),
          failed.size() == 1 ? "" : "s",
          failed.size() == 1 ? "its" : "their",
          failed.get(0),
          failed.size() == 1 ? "its" : "their",
          failed.size() == 1 ? " is" : "s are");
      ByteBuffer blank = blankRecord();
      for (long position : failed) {
        write(blank.duplicate(), position);
      }
    }
  }

  /** A record with a zero hash and vector and their valid checksum: read, and skipped. */
  private ByteBuffer blankRecord() {
    ByteBuffer blank = ByteBuffer.allocate(recordBytes).order(ByteOrder.LITTLE_ENDIAN);
    blank.position(recordBytes - CHECKSUM_BYTES);
    blank.putInt(checksum(blank.array(), 0));
    return blank.flip();
  }

  /** CRC32C of the hash and vector of the record starting at {@code start}. */
  private int checksum(byte[] bytes, int start) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, start, recordBytes - CHECKSUM_BYTES);
    return (int) crc.getValue();
  }

  private byte[] read(long position, int length) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(length);
    readFully(buffer, position);
    return buffer.array();
  }

  private void readFully(ByteBuffer buffer, long position) throws IOException {
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, position);
      if (n < 0) {
        throw new IOException(file + ": ended early while reading at byte " + position);
      }
      position += n;
    }
  }

  private void write(ByteBuffer buffer, long position) throws IOException {
    while (buffer.hasRemaining()) {
      position += channel.write(buffer, position);
    }
  }

  private byte[] header() {
    return ByteBuffer.allocate(HEADER_BYTES)
        .order(ByteOrder.LITTLE_ENDIAN)
        .put(MAGIC)
        .putInt(VERSION)
        .putInt(dimension)
        .put(encoderKey)
        .array();
  }

  private void checkHeader(byte[] bytes) throws IOException {
    ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    byte[] magic = new byte[MAGIC.length];
    in.get(magic);
    if (!Arrays.equals(magic, MAGIC)) {
      throw notACache("it does not start with FERRYEMB");
    }
    int version = in.getInt();
    if (version != VERSION) {
      throw notACache("it has format version " + version + ", this Ferry reads version " + VERSION);
    }
    int fileDimension = in.getInt();
    if (fileDimension != dimension) {
      throw notACache(
          "it holds vectors of " + fileDimension + " values, the encoder gives " + dimension);
    }
    byte[] key = new byte[HASH_BYTES];
    in.get(key);
    if (!Arrays.equals(key, encoderKey)) {
      throw notACache("it belongs to encoder key " + HexFormat.of().formatHex(key));
    }
  }

  private IOException notACache(String why) {
    return new IOException(
        file
            + ": not an embedding cache of "
            + describe(descriptor)
            + " ("
            + why
            + "); delete "
            + directory
            + " (the cache is always safe to delete: vectors are computed again)");
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("the embedding cache " + directory + " is closed");
    }
  }

  private static void report(BiConsumer<Integer, Integer> progress, int done, int total) {
    if (progress != null) {
      progress.accept(done, total);
    }
  }

  // ---------------------------------------------------------------- keys

  /** SHA-256 of every descriptor field that changes a document vector (first window only). */
  static byte[] encoderKey(EncoderDescriptor d) {
    return encoderKey(d, Chunking.FIRST_WINDOW);
  }

  /**
   * SHA-256 of every descriptor and chunking field that changes a document vector. Reading the
   * model's whole first window is what the cache held before chunking existed, and keeps its key.
   */
  static byte[] encoderKey(EncoderDescriptor d, Chunking chunking) {
    MessageDigest sha = sha256();
    field(sha, "format", "ferry-embedding-cache-" + VERSION);
    field(sha, "modelSha256", d.modelSha256());
    field(sha, "pooling", d.pooling().id());
    field(sha, "normalize", Boolean.toString(d.normalize()));
    field(sha, "maxLength", Integer.toString(d.maxLength()));
    field(sha, "dimension", Integer.toString(d.dimension()));
    field(sha, "documentPrefix", d.documentPrefix());
    int chunkTokens = chunking.effectiveMaxTokens(d.maxLength());
    if (chunking.readsPastFirstWindow()
        || chunkTokens != d.maxLength()
        || chunking.pooling() != ChunkPooling.TOKEN_WEIGHTED_MEAN) {
      field(sha, "chunkMaxTokens", Integer.toString(chunkTokens));
      field(
          sha,
          "chunkOverlapTokens",
          Integer.toString(chunking.readsPastFirstWindow() ? chunking.overlapTokens() : 0));
      field(sha, "maxChunks", Integer.toString(chunking.maxChunks()));
      field(sha, "chunkPooling", chunking.pooling().id());
    }
    return sha.digest();
  }

  /** Length-prefixed, so that no two descriptors hash the same bytes. */
  private static void field(MessageDigest sha, String name, String value) {
    byte[] bytes = (name + "=" + value).getBytes(StandardCharsets.UTF_8);
    sha.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
    sha.update(bytes);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this Java has no SHA-256", e);
    }
  }

  private static String describe(EncoderDescriptor d) {
    return d.id()
        + " ("
        + d.pooling().id()
        + " pooling, "
        + (d.normalize() ? "" : "not ")
        + "normalized, max "
        + d.maxLength()
        + " tokens, "
        + d.dimension()
        + " dims, model "
        + d.modelSha256().substring(0, Math.min(12, d.modelSha256().length()))
        + ")";
  }

  /** Writes encoder.json, for people looking into the cache; the key alone decides. */
  private static void writeDescription(Path dir, EncoderDescriptor d, Chunking chunking)
      throws IOException {
    Path json = dir.resolve("encoder.json");
    if (Files.exists(json)) {
      return;
    }
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("id", d.id());
    fields.put("source", d.source());
    fields.put("modelSha256", d.modelSha256());
    fields.put("pooling", d.pooling().id());
    fields.put("normalize", d.normalize());
    fields.put("maxLength", d.maxLength());
    fields.put("dimension", d.dimension());
    fields.put("documentPrefix", d.documentPrefix());
    fields.put("chunking", chunking.toString());
    Path tmp = Files.createTempFile(dir, "encoder", ".json.tmp");
    try {
      new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), fields);
      Files.move(tmp, json, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** A text's SHA-256 as four longs: compact map keys. */
  record TextKey(long a, long b, long c, long d) {
    static TextKey of(byte[] hash) {
      ByteBuffer in = ByteBuffer.wrap(hash);
      return new TextKey(in.getLong(), in.getLong(), in.getLong(), in.getLong());
    }

    /** Writes the 32 hash bytes in their original order. */
    void writeTo(ByteBuffer out) {
      ByteOrder order = out.order();
      out.order(ByteOrder.BIG_ENDIAN).putLong(a).putLong(b).putLong(c).putLong(d).order(order);
    }
  }
}
