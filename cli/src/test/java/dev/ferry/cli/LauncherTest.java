package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ./ferry script's JDK search, run as a user would run it. */
class LauncherTest {
  private static final Path LAUNCHER =
      Path.of(System.getProperty("maven.multiModuleProjectDirectory", ".."), "ferry")
          .toAbsolutePath()
          .normalize();

  @TempDir Path dir;

  private static Process launch(Map<String, String> env, String... args) throws IOException {
    ProcessBuilder pb = new ProcessBuilder();
    pb.command().add("bash");
    pb.command().add(LAUNCHER.toString());
    pb.command().addAll(java.util.List.of(args));
    pb.environment().putAll(env);
    return pb.redirectErrorStream(true).start();
  }

  @Test
  void withoutAJdk21ItSaysWhatItNeedsAndWhereItLooked() throws Exception {
    // A fake JDK 17 as the only candidate: java prints its version, javac exists.
    Path old = dir.resolve("jdk-17");
    Files.createDirectories(old.resolve("bin"));
    Path java =
        Files.writeString(
            old.resolve("bin/java"), "#!/bin/sh\necho '    java.specification.version = 17' >&2\n");
    Path javac = Files.writeString(old.resolve("bin/javac"), "#!/bin/sh\n");
    java.toFile().setExecutable(true);
    javac.toFile().setExecutable(true);
    Process p =
        launch(
            Map.of(
                "JAVA_HOME",
                old.toString(),
                "FERRY_JDK_DIRS",
                dir.resolve("none").toString(),
                "PATH",
                "/nonexistent-bin:/bin"),
            "--help");
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(1);
    assertThat(out)
        .contains("needs a JDK 21 or newer")
        .contains(old + ": JDK 17")
        .contains("set JAVA_HOME");
  }

  @Test
  void findsANewEnoughJdkOnItsOwn() throws Exception {
    String home = System.getProperty("java.home");
    Process p =
        launch(
            Map.of("JAVA_HOME", "/nonexistent", "FERRY_JDK_DIRS", "/nonexistent:" + home), "env");
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("java: " + home + " (JDK " + Runtime.version().feature() + ")");
  }

  @Test
  void theGpuBuildIsAskedForByEnvironmentAndAChangeOfChoiceMeansARebuild() throws Exception {
    String home = System.getProperty("java.home");
    Path stamp = LAUNCHER.resolveSibling("cli/target/ferry.built");
    boolean builtForGpu =
        Files.isRegularFile(stamp) && Files.readString(stamp).strip().equals("gpu");
    Process p = launch(Map.of("JAVA_HOME", home, "FERRY_GPU", "1"), "env");
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("onnx runtime: gpu");
    if (!builtForGpu) {
      assertThat(out).contains("build: out of date");
    }
    Process cpu = launch(Map.of("JAVA_HOME", home), "env");
    String cpuOut = new String(cpu.getInputStream().readAllBytes());
    assertThat(cpu.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(cpuOut).contains("onnx runtime: cpu");
    if (builtForGpu) {
      assertThat(cpuOut).contains("build: out of date");
    }
  }

  /**
   * The JVM's "WARNING: Using incubator modules: jdk.incubator.vector" (for Lucene's vector code)
   * is dropped by the launcher's start-up filter, and what Ferry itself writes on stderr after the
   * hand-back still arrives, in order, ending the run.
   */
  @Test
  void theIncubatorWarningIsGoneAndStderrStillCarriesErrors() throws Exception {
    String home = System.getProperty("java.home");
    ProcessBuilder pb =
        new ProcessBuilder(
            "bash", LAUNCHER.toString(), "predict", "--bundle", "no-such-bundle", "x");
    pb.environment().put("JAVA_HOME", home);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    String err = new String(p.getErrorStream().readAllBytes());
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(err).isEqualTo(1);
    assertThat(out).isEmpty();
    assertThat(err)
        .doesNotContain("incubator")
        .contains("no such bundle directory")
        .endsWith("(run with --verbose for details)\n");
    // The JVM still runs with the Vector API: Lucene finds the module.
    assertThat(launcherText()).contains("--add-modules jdk.incubator.vector");
  }

  private static String launcherText() throws IOException {
    return Files.readString(LAUNCHER);
  }
}
