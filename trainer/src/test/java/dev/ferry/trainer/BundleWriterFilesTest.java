package dev.ferry.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.models.bundle.BundleWriter;
import dev.ferry.models.bundle.ClassifierHead;
import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.models.encoder.BuiltinEncoder;
import dev.ferry.models.encoder.Encoder;
import dev.ferry.models.encoder.EncoderOptions;
import dev.ferry.trainer.head.LinearWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link BundleWriter} leaves on disk: nothing but the bundle, whatever went wrong before or
 * during the write, and never the loss of a file it did not write.
 */
class BundleWriterFilesTest {
  private static final BuiltinEncoder BUILTIN = BuiltinEncoder.ALL_MINILM_L6_V2;
  private static Encoder encoder;
  @TempDir Path dir;

  @BeforeAll
  static void open() {
    encoder = Encoder.open(BUILTIN, EncoderOptions.defaults().withIntraOpThreads(1));
  }

  @AfterAll
  static void close() {
    encoder.close();
  }

  /** A bundle with a linear head of all-zero weights whose bias says which label it favours. */
  static BundleWriter writer(Encoder encoder, Path target, float bias) {
    int dimension = encoder.descriptor().dimension();
    return BundleWriter.to(target)
        .encoder(encoder)
        .head(
            "linear",
            new LinearWeights(new float[dimension * 2], new float[] {bias, 0}).onnx(dimension, 2))
        .labels(List.of("a", "b"));
  }

  @Test
  void refusesToReplaceABundleHoldingOtherFilesAndReplacesOneThatDoesNot() throws IOException {
    Path target = dir.resolve("bundle");
    writer(encoder, target, 1).write();
    Files.writeString(target.resolve("notes.txt"), "keep me");
    assertThatThrownBy(() -> writer(encoder, target, 2).write())
        .isInstanceOf(IOException.class)
        .hasMessageContaining("holds notes.txt besides the model bundle");
    assertThat(target.resolve("notes.txt")).hasContent("keep me");
    assertThat(bias(target)).isEqualTo(1);

    Files.delete(target.resolve("notes.txt"));
    writer(encoder, target, 2).write();
    assertThat(bias(target)).isEqualTo(2);
    assertThat(temporaries(target)).isEmpty();
  }

  @Test
  void removesWhatKilledWritesLeftButNotWhatARunningProcessOrTheUserOwns()
      throws IOException, InterruptedException {
    Path target = dir.resolve("bundle");
    long dead = deadPid();
    long alive = ProcessHandle.current().pid();
    // As a Ferry before process ids in the name left them, and as this one does.
    Path legacy = Files.createTempDirectory(dir, ".bundle.writing-");
    Files.writeString(legacy.resolve("head.onnx"), "half a bundle");
    Path killed = Files.createDirectories(dir.resolve(".bundle.writing-" + dead + "-17"));
    Path killedEncoder = Files.createDirectories(dir.resolve(".bundle.encoder-" + dead + "-18"));
    Path running = Files.createDirectories(dir.resolve(".bundle.writing-" + alive + "-19"));
    Path users = Files.createDirectories(dir.resolve(".bundle.backup-2024"));
    Path checkpoints = Files.createDirectories(dir.resolve(".bundle.checkpoints"));

    writer(encoder, target, 1).write();

    assertThat(legacy).doesNotExist();
    assertThat(killed).doesNotExist();
    assertThat(killedEncoder).doesNotExist();
    assertThat(running).isDirectory();
    assertThat(users).isDirectory();
    assertThat(checkpoints).isDirectory();
    assertThat(ModelBundle.open(target).labels()).containsExactly("a", "b");
  }

  @Test
  void putsBackABundleThatAKilledWriteHadMovedAsideEvenWhenTheNextWriteFails() throws Exception {
    Path target = dir.resolve("bundle");
    writer(encoder, target, 1).write();
    // Killed between its two renames: the old bundle aside, the new one not yet in place.
    Path aside = dir.resolve(".bundle.old-" + deadPid() + "-3");
    Files.move(target, aside);

    assertThatThrownBy(
            () ->
                writer(encoder, target, 2)
                    .extra(
                        staging -> {
                          throw new IOException("the report could not be written");
                        })
                    .write())
        .hasMessage("the report could not be written");

    assertThat(aside).doesNotExist();
    assertThat(bias(target)).isEqualTo(1);
    assertThat(temporaries(target)).isEmpty();
  }

  @Test
  void aFailedWriteRemovesItsStagingFolderAndLeavesTheBundleThereAsItWas() throws IOException {
    Path target = dir.resolve("bundle");
    writer(encoder, target, 1).write();
    List<Path> seen = new ArrayList<>();
    assertThatThrownBy(
            () ->
                writer(encoder, target, 2)
                    .extra(
                        staging -> {
                          seen.add(staging);
                          Files.writeString(staging.resolve("report.html"), "half");
                          throw new IOException("disk full");
                        })
                    .write())
        .hasMessage("disk full");
    assertThat(seen)
        .singleElement()
        .satisfies(
            staging -> {
              assertThat(staging.getFileName().toString())
                  .startsWith(".bundle.writing-" + ProcessHandle.current().pid() + "-");
              assertThat(staging).doesNotExist();
            });
    assertThat(bias(target)).isEqualTo(1);
    assertThat(temporaries(target)).isEmpty();
  }

  @Test
  void aWriteStoppedBySigtermRemovesItsStagingFolder() throws Exception {
    Path target = dir.resolve("bundle");
    Path log = dir.resolve("child.log");
    Process child =
        new ProcessBuilder(javaCommand(StuckBundleWriteMain.class, target.toString()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    Path staging = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (staging == null && System.nanoTime() < deadline) {
      if (!child.isAlive()) {
        throw new AssertionError(
            "the child ended (exit " + child.exitValue() + "):\n" + Files.readString(log));
      }
      staging =
          Files.readAllLines(log).stream()
              .filter(l -> l.startsWith(StuckBundleWriteMain.STAGING))
              .map(l -> Path.of(l.substring(StuckBundleWriteMain.STAGING.length())))
              .findFirst()
              .orElse(null);
      Thread.sleep(50);
    }
    assertThat(staging).as("the child started writing:\n" + Files.readString(log)).isNotNull();
    assertThat(staging.resolve("manifest.json")).isRegularFile();

    child.destroy(); // SIGTERM, as Ctrl-C or a service manager sends
    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(staging).as(Files.readString(log)).doesNotExist();
    assertThat(target).doesNotExist();
  }

  /** The head's first bias: which write's bundle is there. */
  private static long bias(Path target) {
    try (ClassifierHead head = ModelBundle.open(target).openHead()) {
      float[] p =
          head.probabilities(new float[][] {new float[encoder.descriptor().dimension()]})[0];
      // softmax(bias, 0) of a zero vector: p(a) / p(b) = e^bias.
      return Math.round(Math.log(p[0] / p[1]));
    }
  }

  /** Folders a write keeps beside its target ({@code .NAME.something}). */
  private static List<Path> temporaries(Path target) throws IOException {
    try (Stream<Path> s = Files.list(target.getParent())) {
      return s.filter(p -> p.getFileName().toString().startsWith("." + target.getFileName() + "."))
          .toList();
    }
  }

  /** The id of a process that has ended. */
  private static long deadPid() throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(java(), "-version")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return p.pid();
  }

  /** The java command running this test. */
  private static String java() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  static List<String> javaCommand(Class<?> main, String... args) {
    List<String> cmd =
        new ArrayList<>(
            List.of(java(), "--enable-native-access=ALL-UNNAMED", "-Xss4m", "-Xmx512m"));
    String cache = System.getProperty("ferry.cache.dir");
    if (cache != null) {
      cmd.add("-Dferry.cache.dir=" + cache);
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** Starts a bundle write that never ends: its report step prints the staging folder and waits. */
  static final class StuckBundleWriteMain {
    static final String STAGING = "staging ";

    public static void main(String[] args) throws Exception {
      try (Encoder encoder =
          Encoder.open(BUILTIN, EncoderOptions.defaults().withIntraOpThreads(1))) {
        writer(encoder, Path.of(args[0]), 1)
            .extra(
                staging -> {
                  System.out.println(STAGING + staging);
                  System.out.flush();
                  try {
                    Thread.sleep(TimeUnit.MINUTES.toMillis(5));
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                })
            .write();
      }
    }
  }
}
