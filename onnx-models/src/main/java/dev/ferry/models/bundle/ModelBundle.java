package dev.ferry.models.bundle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ferry.models.FileHashes;
import dev.ferry.models.encoder.BuiltinEncoder;
import dev.ferry.models.encoder.ChunkPooling;
import dev.ferry.models.encoder.Chunking;
import dev.ferry.models.encoder.Encoder;
import dev.ferry.models.encoder.EncoderDescriptor;
import dev.ferry.models.encoder.EncoderLoadException;
import dev.ferry.models.encoder.EncoderOptions;
import dev.ferry.models.encoder.Pooling;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A model bundle on disk: {@code manifest.json}, {@code head.onnx}, optionally the encoder's own
 * {@code encoder.onnx} and {@code tokenizer.json}, and a {@code report/}.
 *
 * <p>{@link #open} checks the bundle before anything uses it: the manifest's format and version,
 * every listed file's SHA-256, the labels, and the head's shapes (it runs the head once). Every
 * failure is a {@link BundleLoadException} that names the file and says what was expected and what
 * was found. The encoder is checked when it is opened: a built-in must be the very file the head
 * was trained on (same SHA-256), a bundled one must match its hash.
 */
public final class ModelBundle {
  /** The manifest's file name. */
  public static final String MANIFEST = "manifest.json";

  /** The head's file name. */
  public static final String HEAD_FILE = "head.onnx";

  /** The file name of a bundle's own encoder. */
  public static final String ENCODER_FILE = "encoder.onnx";

  /** The file name of a bundle's own tokenizer. */
  public static final String TOKENIZER_FILE = "tokenizer.json";

  /** The report folder. */
  public static final String REPORT_DIR = "report";

  /**
   * The widest encoder a manifest may declare. BERT-family encoders are 128 to 8,192 wide; a larger
   * number is a damaged manifest, refused before anything is allocated for it.
   */
  static final int MAX_DIMENSION = 65_536;

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final Path directory;
  private final BundleManifest manifest;
  private final byte[] headOnnx;

  private ModelBundle(Path directory, BundleManifest manifest, byte[] headOnnx) {
    this.directory = directory;
    this.manifest = manifest;
    this.headOnnx = headOnnx;
  }

  /**
   * Opens and checks a bundle.
   *
   * @throws BundleLoadException if anything is missing, changed, or inconsistent
   */
  public static ModelBundle open(Path folder) {
    // Absolute, so that "." (a bundle opened from inside its folder) has a parent to be inside of.
    Path directory = folder.toAbsolutePath().normalize();
    if (!Files.isDirectory(directory)) {
      throw new BundleLoadException(
          directory
              + ": no such bundle directory (expected the folder that"
              + " training wrote the bundle to)");
    }
    Path manifestFile = directory.resolve(MANIFEST);
    if (!Files.isRegularFile(manifestFile)) {
      throw new BundleLoadException(directory + ": not a model bundle: it has no " + MANIFEST);
    }
    BundleManifest manifest;
    try {
      manifest = JSON.readValue(manifestFile.toFile(), BundleManifest.class);
    } catch (JsonProcessingException e) {
      throw new BundleLoadException(
          manifestFile
              + ": not a valid manifest: "
              + e.getOriginalMessage()
              + " (line "
              + e.getLocation().getLineNr()
              + ")",
          e);
    } catch (IOException e) {
      throw new BundleLoadException(manifestFile + ": cannot read: " + e.getMessage(), e);
    }
    check(manifestFile, manifest);
    for (Map.Entry<String, String> f : manifest.files().entrySet()) {
      Path file = directory.resolve(f.getKey()).normalize();
      if (!file.startsWith(directory) || file.equals(directory)) {
        throw new BundleLoadException(
            manifestFile + ": file '" + f.getKey() + "' lies outside the bundle");
      }
      if (!Files.isRegularFile(file)) {
        throw new BundleLoadException(
            file + ": missing; the manifest lists it with SHA-256 " + f.getValue());
      }
      String actual = sha256(file);
      if (!actual.equals(f.getValue())) {
        throw new BundleLoadException(
            file
                + ": SHA-256 is "
                + actual
                + " but the manifest says "
                + f.getValue()
                + "; the file was changed after the bundle was written");
      }
    }
    byte[] head;
    try {
      head = Files.readAllBytes(directory.resolve(manifest.head().file()));
    } catch (IOException e) {
      throw new BundleLoadException(
          directory.resolve(manifest.head().file()) + ": cannot read: " + e.getMessage(), e);
    }
    ModelBundle bundle = new ModelBundle(directory, manifest, head);
    bundle.checkHead();
    return bundle;
  }

  private static void check(Path manifestFile, BundleManifest m) {
    if (!BundleManifest.FORMAT.equals(m.format())) {
      throw new BundleLoadException(
          manifestFile
              + ": format is '"
              + m.format()
              + "', expected '"
              + BundleManifest.FORMAT
              + "'");
    }
    if (m.formatVersion() < 1 || m.formatVersion() > BundleManifest.FORMAT_VERSION) {
      throw new BundleLoadException(
          manifestFile
              + ": format version "
              + m.formatVersion()
              + " is not supported; this Ferry reads versions 1 to "
              + BundleManifest.FORMAT_VERSION
              + (m.formatVersion() > BundleManifest.FORMAT_VERSION
                  ? " (the bundle was made by a newer Ferry)"
                  : ""));
    }
    require(manifestFile, m.encoder() != null, "an 'encoder' object");
    require(manifestFile, m.head() != null, "a 'head' object");
    require(
        manifestFile,
        m.labels() != null && m.labels().size() >= 2,
        "'labels' with at least 2 labels");
    require(manifestFile, m.files() != null, "a 'files' object with SHA-256 per file");
    Set<String> seen = new HashSet<>();
    for (String label : m.labels()) {
      require(manifestFile, label != null && !label.isEmpty(), "non-empty labels");
      if (!seen.add(label)) {
        throw new BundleLoadException(manifestFile + ": label '" + label + "' occurs twice");
      }
    }
    require(
        manifestFile,
        m.files().containsKey(m.head().file()),
        "the head file '" + m.head().file() + "' listed under 'files'");
    require(
        manifestFile,
        ClassifierHead.INPUT.equals(m.head().input()),
        "head input '" + ClassifierHead.INPUT + "' (found '" + m.head().input() + "')");
    require(
        manifestFile,
        ClassifierHead.OUTPUT.equals(m.head().output()),
        "head output '" + ClassifierHead.OUTPUT + "' (found '" + m.head().output() + "')");
    BundleManifest.EncoderEntry e = m.encoder();
    require(
        manifestFile,
        e.dimension() > 0 && e.dimension() <= MAX_DIMENSION,
        "an encoder dimension from 1 to " + MAX_DIMENSION + " (found " + e.dimension() + ")");
    require(manifestFile, e.sha256() != null && e.sha256().length() == 64, "the encoder's SHA-256");
    if (e.file() != null) {
      require(
          manifestFile,
          m.files().containsKey(e.file())
              && e.tokenizerFile() != null
              && m.files().containsKey(e.tokenizerFile()),
          "the encoder and tokenizer files listed under 'files'");
    } else {
      require(
          manifestFile,
          BuiltinEncoder.isBuiltin(e.id()),
          "a built-in encoder id ("
              + BuiltinEncoder.ids()
              + ") or an encoder file; found id '"
              + e.id()
              + "'");
    }
    if (e.chunking() != null) {
      try {
        e.chunking().toChunking();
      } catch (IllegalArgumentException bad) {
        throw new BundleLoadException(
            manifestFile + ": encoder chunking: " + bad.getMessage(), bad);
      }
    }
  }

  private static void require(Path manifestFile, boolean ok, String expected) {
    if (!ok) {
      throw new BundleLoadException(manifestFile + ": expected " + expected);
    }
  }

  /**
   * Checks the head's declared input width against the manifest, then runs it once on a zero
   * embedding and checks the output's shape and sum.
   */
  private void checkHead() {
    Path file = directory.resolve(manifest.head().file());
    try (ClassifierHead head = openHeadUnchecked()) {
      long declared = head.declaredWidth();
      if (declared != -1 && declared != headWidth()) {
        throw new BundleLoadException(
            file
                + ": takes embeddings of "
                + (declared < 0 ? "another shape" : declared + " values")
                + " but the manifest's encoder (dimension "
                + dimension()
                + ", chunk pooling "
                + chunking().pooling().id()
                + ") gives "
                + headWidth()
                + "; the manifest does not belong to this head");
      }
      float[][] p = head.probabilities(new float[][] {new float[headWidth()]});
      if (p[0].length != labels().size()) {
        throw new BundleLoadException(
            file
                + ": gives "
                + p[0].length
                + " probabilities per text but the "
                + "manifest has "
                + labels().size()
                + " labels");
      }
      double sum = 0;
      for (float v : p[0]) {
        sum += v;
      }
      if (Math.abs(sum - 1) > 1e-3) {
        throw new BundleLoadException(file + ": probabilities sum to " + sum + ", expected 1");
      }
    } catch (BundleLoadException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new BundleLoadException(
          file
              + ": is not a head taking "
              + ClassifierHead.INPUT
              + " [batch, "
              + headWidth()
              + "] and giving "
              + ClassifierHead.OUTPUT
              + " [batch, "
              + labels().size()
              + "]: "
              + e.getMessage(),
          e);
    }
  }

  /** This bundle, already checked, after its folder was moved to {@code directory} as a whole. */
  ModelBundle movedTo(Path newDirectory) {
    return new ModelBundle(newDirectory, manifest, headOnnx);
  }

  /** The bundle's folder. */
  public Path directory() {
    return directory;
  }

  /** The parsed manifest. */
  public BundleManifest manifest() {
    return manifest;
  }

  /** Class names, in the order of the head's probabilities. */
  public List<String> labels() {
    return manifest.labels();
  }

  /** The encoder's embedding width. */
  public int dimension() {
    return manifest.encoder().dimension();
  }

  /**
   * How many values the head reads per document: the encoder's width times the blocks of the
   * chunking's pooling ({@link ChunkPooling#width}: 1 for the mean, 3 for the default {@code
   * first_mean_max}).
   */
  public int headWidth() {
    return chunking().headWidth(dimension());
  }

  /** The report's main page (it may be absent if it was deleted). */
  public Path reportIndex() {
    return directory.resolve(REPORT_DIR).resolve("index.html");
  }

  /** The encoder's conventions as recorded in the manifest. */
  public EncoderDescriptor encoderDescriptor() {
    BundleManifest.EncoderEntry e = manifest.encoder();
    return new EncoderDescriptor(
        e.id(),
        e.source(),
        e.sha256(),
        Pooling.fromId(e.pooling()),
        e.normalize(),
        e.maxLength(),
        e.dimension(),
        e.queryPrefix() == null ? "" : e.queryPrefix(),
        e.documentPrefix() == null ? "" : e.documentPrefix());
  }

  /**
   * Whether vectors made by {@code encoder} are what this bundle's head was trained on: same model
   * file, pooling, normalization, length limit and width.
   */
  public boolean sameEncoderAs(EncoderDescriptor encoder) {
    EncoderDescriptor mine = encoderDescriptor();
    return mine.modelSha256().equals(encoder.modelSha256())
        && mine.pooling() == encoder.pooling()
        && mine.normalize() == encoder.normalize()
        && mine.maxLength() == encoder.maxLength()
        && mine.dimension() == encoder.dimension()
        && mine.documentPrefix().equals(encoder.documentPrefix());
  }

  /**
   * How documents are read into the vectors this bundle's head classifies: recorded at training;
   * {@link Chunking#FIRST_WINDOW} for bundles made before chunking existed.
   */
  public Chunking chunking() {
    BundleManifest.ChunkingEntry entry = manifest.encoder().chunking();
    return entry == null ? Chunking.FIRST_WINDOW : entry.toChunking();
  }

  /** Opens the head alone (for stored embeddings). */
  public ClassifierHead openHead() {
    return openHeadUnchecked();
  }

  private ClassifierHead openHeadUnchecked() {
    return new ClassifierHead(headOnnx, labels(), headWidth());
  }

  /**
   * Opens the encoder the head was trained on, with the recorded pooling and length limit.
   *
   * @throws BundleLoadException if it is not the same model file
   */
  public Encoder openEncoder(EncoderOptions options) {
    EncoderDescriptor recorded = encoderDescriptor();
    EncoderOptions fixed =
        options.withPooling(recorded.pooling()).withMaxLength(recorded.maxLength());
    BundleManifest.EncoderEntry e = manifest.encoder();
    try {
      if (e.file() != null) {
        return Encoder.open(
            directory.resolve(e.file()), directory.resolve(e.tokenizerFile()), recorded, fixed);
      }
      Encoder encoder = Encoder.open(BuiltinEncoder.fromId(e.id()), fixed);
      if (!encoder.descriptor().modelSha256().equals(e.sha256())) {
        String actual = encoder.descriptor().modelSha256();
        encoder.close();
        throw new BundleLoadException(
            directory
                + ": the head was trained on "
                + e.id()
                + " with SHA-256 "
                + e.sha256()
                + " but this Ferry's "
                + e.id()
                + " has SHA-256 "
                + actual
                + "; retrain the bundle with this Ferry");
      }
      return encoder;
    } catch (EncoderLoadException ex) {
      throw new BundleLoadException(
          directory + ": cannot open the encoder: " + ex.getMessage(), ex);
    }
  }

  /** Opens encoder and head together. */
  public Classifier openClassifier(EncoderOptions options) {
    Encoder encoder = openEncoder(options);
    try {
      return new Classifier(encoder, openHead(), chunking());
    } catch (RuntimeException e) {
      encoder.close();
      throw e;
    }
  }

  /** The JSON mapper bundles are read and written with (snake_case keys, indented). */
  public static ObjectMapper json() {
    return JSON;
  }

  static String sha256(Path file) {
    try {
      return FileHashes.sha256(file);
    } catch (IOException e) {
      throw new BundleLoadException(file + ": cannot read: " + e.getMessage(), e);
    }
  }
}
