package dev.ferry.models.encoder;

import dev.ferry.models.FerryCache;
import dev.ferry.models.FileHashes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.JarEntry;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Extracts a built-in encoder's files from its jar into a cache folder, once.
 *
 * <p>Each built-in gets a folder named after the jar entry's size and CRC, so a new jar version
 * extracts anew. Files are written to a temporary folder, hashed while they are copied, and moved
 * into place in one atomic rename; a {@code sha256} file records the hashes. Every load checks the
 * files against it and extracts again when they differ (a truncated or edited file). Two threads or
 * two processes starting at once are serialized by an in-process lock and a file lock, so neither
 * ever sees half a file.
 *
 * <p>The cache root is the system property {@code ferry.cache.dir}, else the environment variable
 * {@code FERRY_CACHE_DIR}, else {@code $XDG_CACHE_HOME/ferry}, else {@code ~/.cache/ferry}.
 */
final class BuiltinModelCache {
  private static final Logger log = LoggerFactory.getLogger(BuiltinModelCache.class);
  static final String MODEL_FILE = "model.onnx";
  static final String TOKENIZER_FILE = "tokenizer.json";
  private static final String HASH_FILE = "sha256";
  private static final Map<Path, Object> IN_PROCESS_LOCKS = new ConcurrentHashMap<>();

  private final Path root;

  BuiltinModelCache(Path root) {
    this.root = root;
  }

  /** The cache in the configured default location. */
  static BuiltinModelCache defaultCache() {
    return new BuiltinModelCache(defaultRoot());
  }

  static Path defaultRoot() {
    return FerryCache.root();
  }

  /** Extracted, verified files of one built-in. */
  record Extracted(Path directory, Path model, Path tokenizer, String modelSha256) {}

  /**
   * Returns the built-in's files on disk, extracting them first if needed.
   *
   * @throws EncoderLoadException if the jar is not on the classpath or the cache is not writable
   */
  Extracted materialize(BuiltinEncoder encoder) {
    URL modelUrl = resource(encoder, encoder.modelResource());
    URL tokenizerUrl = resource(encoder, encoder.tokenizerResource());
    Path target = root.resolve("encoders").resolve(encoder.id() + "-" + versionKey(modelUrl));
    Object inProcess = IN_PROCESS_LOCKS.computeIfAbsent(target, k -> new Object());
    synchronized (inProcess) {
      try {
        Files.createDirectories(target.getParent());
        Path lockFile = target.resolveSibling(target.getFileName() + ".lock");
        try (FileChannel channel =
                FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock ignored = channel.lock()) {
          Extracted existing = verified(target);
          if (existing != null) {
            return existing;
          }
          return extract(encoder, modelUrl, tokenizerUrl, target);
        }
      } catch (IOException e) {
        throw new EncoderLoadException(
            "cannot extract built-in encoder "
                + encoder.id()
                + " into "
                + target
                + ": "
                + e.getMessage()
                + " (set FERRY_CACHE_DIR to a writable folder)",
            e);
      }
    }
  }

  private static URL resource(BuiltinEncoder encoder, String name) {
    URL url = BuiltinModelCache.class.getClassLoader().getResource(name);
    if (url == null) {
      String jar = encoder.mavenCoordinates().substring("dev.langchain4j:".length());
      String version = modelJarVersion();
      throw new EncoderLoadException(
          "built-in encoder "
              + encoder.id()
              + " is not in this build (resource "
              + name
              + " not found): it comes in "
              + encoder.mavenCoordinates()
              + (version == null ? "" : ":" + version)
              + ". Add that dependency (a runnable ferry jar: java -cp ferry-VERSION.jar:"
              + jar
              + (version == null ? "" : "-" + version)
              + ".jar dev.ferry.cli.Ferry ...), use a built-in that is here, or give a directory"
              + " with its model.onnx and tokenizer.json (--encoder DIR)");
    }
    return url;
  }

  /** The version of the model jars Ferry was built with, or null if unknown. */
  private static String modelJarVersion() {
    try (InputStream in =
        BuiltinModelCache.class.getResourceAsStream("/dev/ferry/models/version.properties")) {
      if (in == null) {
        return null;
      }
      java.util.Properties p = new java.util.Properties();
      p.load(in);
      return p.getProperty("langchain4j.embeddings.version");
    } catch (IOException e) {
      return null;
    }
  }

  /** Size and CRC of the jar entry: cheap to read, and different for every model version. */
  private static String versionKey(URL url) {
    try {
      URLConnection connection = url.openConnection();
      if (connection instanceof JarURLConnection jar) {
        jar.setUseCaches(false);
        JarEntry entry = jar.getJarEntry();
        try (var ignored = jar.getJarFile()) {
          return Long.toHexString(entry.getSize()) + "-" + Long.toHexString(entry.getCrc());
        }
      }
      return Long.toHexString(connection.getContentLengthLong());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The folder's files if they are complete and match their recorded hashes, else null. */
  static Extracted verified(Path dir) throws IOException {
    Path hashFile = dir.resolve(HASH_FILE);
    if (!Files.isRegularFile(hashFile)) {
      return null;
    }
    Map<String, String> recorded = new java.util.HashMap<>();
    for (String line : Files.readAllLines(hashFile, StandardCharsets.UTF_8)) {
      String[] parts = line.trim().split("\\s+", 2);
      if (parts.length == 2) {
        recorded.put(parts[1], parts[0]);
      }
    }
    for (String file : List.of(MODEL_FILE, TOKENIZER_FILE)) {
      Path path = dir.resolve(file);
      String expected = recorded.get(file);
      if (expected == null || !Files.isRegularFile(path) || !expected.equals(sha256(path))) {
        log.warn(
            "Cached encoder files in {} are incomplete or changed ({}); extracting again",
            dir,
            file);
        return null;
      }
    }
    return new Extracted(
        dir, dir.resolve(MODEL_FILE), dir.resolve(TOKENIZER_FILE), recorded.get(MODEL_FILE));
  }

  private Extracted extract(BuiltinEncoder encoder, URL modelUrl, URL tokenizerUrl, Path target)
      throws IOException {
    log.info("Extracting built-in encoder {} into {} (once)", encoder.id(), target);
    Path tmp = Files.createTempDirectory(target.getParent(), target.getFileName() + ".tmp-");
    try {
      String modelHash = copyHashing(modelUrl, tmp.resolve(MODEL_FILE));
      String tokenizerHash = copyHashing(tokenizerUrl, tmp.resolve(TOKENIZER_FILE));
      Files.writeString(
          tmp.resolve(HASH_FILE),
          modelHash + "  " + MODEL_FILE + "\n" + tokenizerHash + "  " + TOKENIZER_FILE + "\n",
          StandardCharsets.UTF_8);
      deleteRecursively(target);
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target);
      }
      return new Extracted(
          target, target.resolve(MODEL_FILE), target.resolve(TOKENIZER_FILE), modelHash);
    } finally {
      deleteRecursively(tmp);
    }
  }

  private static String copyHashing(URL from, Path to) throws IOException {
    MessageDigest digest = newSha256();
    URLConnection connection = from.openConnection();
    connection.setUseCaches(false);
    try (InputStream in = new DigestInputStream(connection.getInputStream(), digest);
        OutputStream out = Files.newOutputStream(to)) {
      in.transferTo(out);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** SHA-256 of a file, hex. */
  static String sha256(Path file) throws IOException {
    return FileHashes.sha256(file);
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
