package dev.ferry.models.bundle;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.models.OnnxRuntimeSetup;
import dev.ferry.models.encoder.BuiltinEncoder;
import dev.ferry.models.encoder.Chunking;
import dev.ferry.models.encoder.Encoder;
import dev.ferry.models.encoder.EncoderDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Writes a model bundle. Everything goes into a staging folder beside the target first and is
 * moved into place at the end, so a failed or interrupted write never leaves half a bundle, and
 * rewriting an existing bundle replaces it whole.
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
   * The encoder the head was trained on. A built-in is recorded by id and hash; any other encoder
   * is copied into the bundle so it is self-contained.
   */
  public BundleWriter encoder(Encoder value) {
    this.encoder = value;
    return this;
  }

  /**
   * How documents were turned into the vectors the head was trained on; the bundle's
   * {@link Classifier} reads documents the same way. Default {@link Chunking#FIRST_WINDOW}.
   */
  public BundleWriter chunking(Chunking value) {
    this.chunking = Objects.requireNonNull(value, "chunking");
    return this;
  }

  /** The head's kind and its inference graph ({@value ClassifierHead#INPUT} → {@value ClassifierHead#OUTPUT}). */
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
   * Writes the bundle and checks it by opening it.
   *
   * @return the bundle as {@link ModelBundle#open} reads it
   * @throws IOException if the target exists and is not a bundle, or writing fails
   */
  public ModelBundle write() throws IOException {
    Objects.requireNonNull(encoder, "encoder");
    Objects.requireNonNull(headOnnx, "head");
    Objects.requireNonNull(labels, "labels");
    Path absolute = target.toAbsolutePath().normalize();
    if (Files.exists(absolute) && !isReplaceable(absolute)) {
      throw new IOException(target + ": exists and is not a model bundle; refusing to overwrite it "
          + "(choose another --out or remove it)");
    }
    Path parent = absolute.getParent();
    Files.createDirectories(parent);
    Path staging = Files.createTempDirectory(parent, "." + absolute.getFileName() + ".writing-");
    try {
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
      BundleManifest manifest = new BundleManifest(
          BundleManifest.FORMAT,
          BundleManifest.FORMAT_VERSION,
          Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
          ferryVersion(),
          new BundleManifest.EncoderEntry(d.id(), d.source(), d.modelSha256(), d.pooling().id(),
              d.normalize(), d.maxLength(), d.dimension(), d.queryPrefix(), d.documentPrefix(),
              encoderFile, tokenizerFile, BundleManifest.ChunkingEntry.of(chunking)),
          new BundleManifest.HeadEntry(headKind, ModelBundle.HEAD_FILE, ClassifierHead.INPUT, ClassifierHead.OUTPUT),
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
    } finally {
      deleteRecursively(staging);
    }
  }

  private static boolean isReplaceable(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    if (Files.isRegularFile(dir.resolve(ModelBundle.MANIFEST))) {
      return true;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.findAny().isEmpty();
    }
  }

  private static void replace(Path staging, Path target) throws IOException {
    Path old = null;
    if (Files.exists(target)) {
      old = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".old-");
      Files.delete(old);
      Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
    }
    Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
    if (old != null) {
      deleteRecursively(old);
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.delete(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }

  /** The Ferry version, from the build. */
  public static String ferryVersion() {
    try (InputStream in = BundleWriter.class.getResourceAsStream("/dev/ferry/models/version.properties")) {
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
