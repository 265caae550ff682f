package dev.ferry.cli;

import static dev.ferry.cli.FerryCliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.cli.FerryCliTest.Run;
import dev.ferry.models.FerryCache;
import dev.ferry.models.OnnxRuntimeSetup;
import dev.ferry.testing.Samples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferry predict} in a fresh JVM, as a user runs it, for what an in-process test cannot see:
 * under a fresh {@code HOME} and {@code TMPDIR} and with no {@code ORT_DISABLE_TELEMETRY} in its
 * environment (so the library, not the launcher, must switch ONNX Runtime's telemetry off) it
 * writes nothing there; it survives a 30 KB command-line argument (ONNX Runtime's telemetry scanned
 * the command line with a recursive regex and crashed the JVM with SIGSEGV); and it takes {@code
 * --bundle .} from inside the bundle's folder.
 */
class FreshProcessCliTest {
  @TempDir static Path dir;
  static Path bundle;

  @BeforeAll
  static void trainATinyBundle() throws IOException {
    Path data = Samples.reuters(Samples.REUTERS_TRAIN);
    bundle = dir.resolve("bundle");
    Run r =
        run(
            "train",
            "--data",
            data.toString(),
            "--encoder",
            "all-minilm-l6-v2-q",
            "--max-examples",
            "30",
            "--out",
            bundle.toString());
    assertThat(r.code()).as(r.err()).isZero();
  }

  @Test
  void predictUnderAFreshHomeLeavesNoTelemetryStoreAndNoTmpFiles() throws Exception {
    Path home = Files.createDirectories(dir.resolve("home"));
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    String output = predict(dir, home, tmp, bundle.toString(), "Corn exports rose");

    assertThat(output).doesNotContain("telemetry may be on");
    // Nothing under HOME at all (ONNX Runtime's store was
    // ~/.cache/Microsoft/DeveloperTools/.onnxruntime).
    assertThat(files(home)).isEmpty();
    // No mat-debug-PID.log, no .ses: only what the JVM and ONNX Runtime's Java loader unpack.
    assertThat(files(tmp))
        .noneMatch(p -> p.getFileName().toString().startsWith("mat-debug"))
        .noneMatch(p -> p.getFileName().toString().equals(".ses"));
  }

  @Test
  void predictSurvivesA30KbCommandLineArgument() throws Exception {
    Path home = Files.createDirectories(dir.resolve("home-long"));
    Path tmp = Files.createDirectories(dir.resolve("tmp-long"));
    predict(dir, home, tmp, bundle.toString(), "wheat ".repeat(5000), "Corn exports rose");
  }

  @Test
  void predictTakesBundleDotFromInsideTheBundleFolder() throws Exception {
    Path home = Files.createDirectories(dir.resolve("home-dot"));
    Path tmp = Files.createDirectories(dir.resolve("tmp-dot"));
    predict(bundle, home, tmp, ".", "Corn exports rose");
  }

  @Test
  void predictReadsPlainTextLinesFromStdin() throws Exception {
    Path tmp = Files.createDirectories(dir.resolve("tmp-stdin"));
    ProcessBuilder pb =
        new ProcessBuilder(childJava(tmp, List.of("predict", "--bundle", bundle.toString())));
    Process child = pb.start();
    try (var in = child.getOutputStream()) {
      in.write("Corn exports rose\nBank raises rates\nWheat harvest delayed\n".getBytes());
    }
    String output = new String(child.getInputStream().readAllBytes());
    String err = new String(child.getErrorStream().readAllBytes());
    assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).as(err).isZero();
    assertThat(output.lines().toList()).hasSize(3).allMatch(l -> l.startsWith("{\"label\":"));
  }

  /**
   * Runs {@code ferry predict --bundle B --text T...} in a child JVM working in {@code workDir};
   * asserts it exits 0 with a line per text.
   */
  private static String predict(
      Path workDir, Path home, Path tmp, String bundleArg, String... texts) throws Exception {
    List<String> args = new ArrayList<>(List.of("predict", "--bundle", bundleArg));
    for (String t : texts) {
      args.add("--text");
      args.add(t);
    }
    ProcessBuilder pb = new ProcessBuilder(childJava(tmp, args)).directory(workDir.toFile());
    Map<String, String> env = pb.environment();
    env.remove(OnnxRuntimeSetup.TELEMETRY_SWITCH);
    env.remove("XDG_CACHE_HOME");
    env.put("HOME", home.toString());
    env.put("TMPDIR", tmp.toString());
    Process child = pb.redirectErrorStream(true).start();
    String output = new String(child.getInputStream().readAllBytes());
    assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).as(output).isZero();
    assertThat(output.lines().filter(l -> l.startsWith("{"))).hasSize(texts.length);
    return output;
  }

  private static List<String> childJava(Path tmp, List<String> args) {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                java,
                "--enable-native-access=ALL-UNNAMED",
                "-Xss4m",
                "-Xmx1g",
                "-Djava.io.tmpdir=" + tmp,
                "-Dferry.cache.dir=" + FerryCache.root().toAbsolutePath()));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Ferry.class.getName()));
    cmd.addAll(args);
    return cmd;
  }

  private static List<Path> files(Path root) throws IOException {
    try (Stream<Path> all = Files.walk(root)) {
      return all.filter(p -> !p.equals(root)).toList();
    }
  }
}
