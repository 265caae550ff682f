package dev.ferry.models.bundle;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.models.OnnxRuntimeSetup;
import dev.ferry.models.encoder.BuiltinEncoder;
import dev.ferry.models.encoder.Chunking;
import dev.ferry.models.encoder.Encoder;
import dev.ferry.models.encoder.EncoderDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Writes a model bundle. Everything goes into a staging folder beside the target first and is moved
 * into place at the end, so a failed or interrupted write never leaves half a bundle, and rewriting
 * an existing bundle replaces it whole.
 *
 * <p>A bundle consists of {@code manifest.json}, {@code head.onnx}, optionally {@code encoder.onnx}
 * and {@code tokenizer.json}, and {@code report/}. The target may be missing, an empty folder, or a
 * bundle holding nothing else ({@link #conflict}): anything else there would be deleted with the
 * bundle it replaces, so the write is refused instead.
 *
 * <p>The staging folder, {@code .NAME.writing-PID-N} beside the target, is removed when the write
 * fails and when the JVM is stopped by a signal; the next write to the same target removes what a
 * killed process left (see {@link BundleTemporaries}).
 *
 * <pre>{@code
 * BundleWriter.to(Path.of("bundle"))
 *     .encoder(encoder)
 *     .head("linear", headOnnx)
 *     .labels(List.of("grain", "corn", "other"))
 *     .training(provenance)
 *     .metrics(metrics)
 *     .extra(dir -> writeReport(dir.resolve("report")))
 *     .write();
 * }</pre>
 */
public final class BundleWriter {
  /** Writes extra files (the report) into the staging folder before it is moved into place. */
  @FunctionalInterface
  public interface ExtraFiles {
    /** Writes into {@code stagingDirectory}. */
    void write(Path stagingDirectory) throws IOException;
  }

  private final Path target;
  private Encoder encoder;
  private Chunking chunking = Chunking.FIRST_WINDOW;
  private String headKind;
  private byte[] headOnnx;
  private List<String> labels;
  private ObjectNode training;
  private ObjectNode metrics;
  private ExtraFiles extra;

  private BundleWriter(Path target) {
    this.target = Objects.requireNonNull(target, "target");
  }

  /** A writer for the bundle at {@code directory} (created or replaced). */
  public static BundleWriter to(Path directory) {
    return new BundleWriter(directory);
  }

  /**
   * Why writing a bundle at {@code directory} would delete something that is not part of a bundle,
   * or empty when it would not: when it does not exist, is an empty folder, or is a bundle (it has
   * a {@code manifest.json}) holding nothing but a bundle's own files. The reason reads on from the
   * folder's name: "… holds notes.txt besides the model bundle: replacing the bundle would delete
   * it".
   *
   * @throws IOException if the folder cannot be listed
   */
  public static Optional<String> conflict(Path directory) throws IOException {
    if (!Files.exists(directory)) {
      return Optional.empty();
    }
    if (!Files.isDirectory(directory)) {
      return Optional.of("is a file, not a folder");
    }
    List<String> names;
    try (Stream<Path> entries = Files.list(directory)) {
      names =
          entries.map(p -> p.getFileName() + (Files.isDirectory(p) ? "/" : "")).sorted().toList();
    }
    if (names.isEmpty()) {
      return Optional.empty();
    }
    if (!Files.isRegularFile(directory.resolve(ModelBundle.MANIFEST))) {
      return Optional.of(
          "is not empty and is not a model bundle (it has no "
              + ModelBundle.MANIFEST
              + "): it holds "
              + listed(names)
              + ", which writing a bundle there would delete");
    }
    List<String> foreign = names.stream().filter(n -> !BUNDLE_ENTRIES.contains(n)).toList();
    if (!foreign.isEmpty()) {
      return Optional.of(
          "holds "
              + listed(foreign)
              + " besides the model bundle: replacing the bundle would delete "
              + (foreign.size() == 1 ? "it" : "them"));
    }
    return Optional.empty();
  }

  /** The names a bundle consists of, as {@link #conflict} lists a folder (folders with a slash). */
  private static final Set<String> BUNDLE_ENTRIES =
      Set.of(
          ModelBundle.MANIFEST,
          ModelBundle.HEAD_FILE,
          ModelBundle.ENCODER_FILE,
          ModelBundle.TOKENIZER_FILE,
          ModelBundle.REPORT_DIR + "/");

  private static String listed(List<String> names) {
    int shown = Math.min(names.size(), 5);
    return String.join(", ", names.subList(0, shown))
        + (names.size() > shown ? " and " + (names.size() - shown) + " more" : "");
  }

  /**
   * Creates a folder beside {@code target} for a fine-tuned encoder's files until its bundle is
   * written ({@code .NAME.encoder-PID-N}). The caller removes it; if a killed process could not,
   * the next write to {@code target} does.
   */
  public static Path encoderFolder(Path target) throws IOException {
    return BundleTemporaries.create(target.toAbsolutePath().normalize(), BundleTemporaries.ENCODER);
  }

  /**
   * The encoder the head was trained on. A built-in is recorded by id and hash; any other encoder
   * is copied into the bundle so it is self-contained.
   */
  public BundleWriter encoder(Encoder value) {
    this.encoder = value;
    return this;
  }

  /**
   * How documents were turned into the vectors the head was trained on; the bundle's {@link
   * Classifier} reads documents the same way. Default {@link Chunking#FIRST_WINDOW}.
   */
  public BundleWriter chunking(Chunking value) {
    this.chunking = Objects.requireNonNull(value, "chunking");
    return this;
  }

  /**
   * The head's kind and its inference graph ({@value ClassifierHead#INPUT} → {@value
   * ClassifierHead#OUTPUT}).
   */
  public BundleWriter head(String kind, byte[] onnx) {
    this.headKind = kind;
    this.headOnnx = onnx.clone();
    return this;
  }

  /** Class names in the order of the head's output columns. */
  public BundleWriter labels(List<String> value) {
    this.labels = List.copyOf(value);
    return this;
  }

  /** Training provenance (data hashes, label counts, hyperparameters, seed). */
  public BundleWriter training(ObjectNode value) {
    this.training = value;
    return this;
  }

  /** Held-out metrics. */
  public BundleWriter metrics(ObjectNode value) {
    this.metrics = value;
    return this;
  }

  /** Extra files to write, such as the report. */
  public BundleWriter extra(ExtraFiles value) {
    this.extra = value;
    return this;
  }

  /**
   * Writes the bundle and checks it by opening it. First removes what interrupted writes to the
   * same target left beside it.
   *
   * @return the bundle as {@link ModelBundle#open} reads it
   * @throws IOException if the target holds anything but a bundle ({@link #conflict}), or writing
   *     fails (the staging folder is removed, and a bundle already there stays as it was)
   */
  public ModelBundle write() throws IOException {
    Objects.requireNonNull(encoder, "encoder");
    Objects.requireNonNull(headOnnx, "head");
    Objects.requireNonNull(labels, "labels");
    Path absolute = target.toAbsolutePath().normalize();
    Path parent = absolute.getParent();
    Files.createDirectories(parent);
    BundleTemporaries.removeStale(absolute);
    Optional<String> conflict = conflict(absolute);
    if (conflict.isPresent()) {
      throw new IOException(target + " " + conflict.get() + "; refusing to write a bundle there");
    }
    Path staging = BundleTemporaries.create(absolute, BundleTemporaries.WRITING);
    try (BundleTemporaries.Cleanup onSignal = BundleTemporaries.deleteOnShutdown(staging)) {
      Map<String, String> files = new LinkedHashMap<>();
      Files.write(staging.resolve(ModelBundle.HEAD_FILE), headOnnx);
      files.put(ModelBundle.HEAD_FILE, ModelBundle.sha256(staging.resolve(ModelBundle.HEAD_FILE)));
      EncoderDescriptor d = encoder.descriptor();
      String encoderFile = null;
      String tokenizerFile = null;
      if (!d.source().equals("builtin:" + d.id()) || !BuiltinEncoder.isBuiltin(d.id())) {
        encoderFile = ModelBundle.ENCODER_FILE;
        tokenizerFile = ModelBundle.TOKENIZER_FILE;
        Files.copy(encoder.modelFile(), staging.resolve(encoderFile));
        Files.copy(encoder.tokenizerFile(), staging.resolve(tokenizerFile));
        files.put(encoderFile, ModelBundle.sha256(staging.resolve(encoderFile)));
        files.put(tokenizerFile, ModelBundle.sha256(staging.resolve(tokenizerFile)));
      }
      BundleManifest manifest =
          new BundleManifest(
              BundleManifest.FORMAT,
              BundleManifest.FORMAT_VERSION,
              Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
              ferryVersion(),
              new BundleManifest.EncoderEntry(
                  d.id(),
                  d.source(),
                  d.modelSha256(),
                  d.pooling().id(),
                  d.normalize(),
                  d.maxLength(),
                  d.dimension(),
                  d.queryPrefix(),
                  d.documentPrefix(),
                  encoderFile,
                  tokenizerFile,
                  BundleManifest.ChunkingEntry.of(chunking)),
              new BundleManifest.HeadEntry(
                  headKind, ModelBundle.HEAD_FILE, ClassifierHead.INPUT, ClassifierHead.OUTPUT),
              labels,
              training,
              metrics,
              versions(),
              files);
      ModelBundle.json().writeValue(staging.resolve(ModelBundle.MANIFEST).toFile(), manifest);
      if (extra != null) {
        extra.write(staging);
      }
      ModelBundle checked = ModelBundle.open(staging);
      replace(staging, absolute);
      return checked.movedTo(absolute);
    } catch (IOException | RuntimeException | Error e) {
      try {
        BundleTemporaries.deleteRecursively(staging);
      } catch (IOException | RuntimeException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
  }

  /**
   * Moves the staged bundle to {@code target}, the bundle there (if any) aside first and deleted
   * last; if the staged one cannot be moved in, the old one is moved back.
   */
  private static void replace(Path staging, Path target) throws IOException {
    Path old = null;
    if (Files.exists(target)) {
      old = BundleTemporaries.reserve(target, BundleTemporaries.OLD);
      Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
    }
    try {
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      if (old != null) {
        try {
          Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException restore) {
          e.addSuppressed(restore);
        }
      }
      throw e;
    }
    if (old != null) {
      BundleTemporaries.deleteOrWarn(old);
    }
  }

  /** The Ferry version, from the build. */
  public static String ferryVersion() {
    try (InputStream in =
        BundleWriter.class.getResourceAsStream("/dev/ferry/models/version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static Map<String, String> versions() {
    Map<String, String> v = new LinkedHashMap<>();
    v.put("ferry", ferryVersion());
    v.put("onnxruntime", OnnxRuntimeSetup.environment().getVersion());
    v.put("java", Runtime.version().toString());
    return v;
  }
}
