package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.models.FerryCache;
import dev.ferry.models.bundle.Classifier;
import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.models.encoder.EncoderOptions;
import dev.ferry.testing.Samples;
import dev.ferry.trainer.Trainer;
import dev.ferry.trainer.TrainingConfig;
import dev.ferry.trainer.TrainingListener;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ferry as a library, as the README shows it: its Java example compiles with exactly the imports it
 * lists, and a program that trains and classifies with the libraries alone (no SLF4J provider)
 * prints nothing on stderr but SLF4J's own notice.
 */
class LibraryUseTest {
  private static final Path README =
      Path.of(System.getProperty("maven.multiModuleProjectDirectory", ".."), "README.md");

  @TempDir Path dir;

  @Test
  void theReadmesJavaExampleCompilesWithTheImportsItLists() throws IOException {
    String readme = Files.readString(README);
    int section = readme.indexOf("## The same from Java");
    int start = readme.indexOf("```java\n", section) + "```java\n".length();
    String source = readme.substring(start, readme.indexOf("```", start));
    assertThat(source).contains("public class Tickets");
    Path file = Files.writeString(dir.resolve("Tickets.java"), source);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    java.io.ByteArrayOutputStream errors = new java.io.ByteArrayOutputStream();
    int code =
        javac.run(
            null,
            null,
            errors,
            "-proc:none",
            "-Xlint:none",
            "-cp",
            System.getProperty("java.class.path"),
            "-d",
            dir.toString(),
            file.toString());
    assertThat(code).as(errors.toString(StandardCharsets.UTF_8)).isZero();
  }

  /** Trains on a few stories and classifies one; args: data, bundle folder. */
  public static final class Program {
    public static void main(String[] args) throws IOException {
      Trainer.train(
          TrainingConfig.builder(Path.of(args[0]), Path.of(args[1]))
              .encoder("all-minilm-l6-v2-q")
              .maxExamples(24)
              .build(),
          TrainingListener.NONE);
      try (Classifier c =
          ModelBundle.open(Path.of(args[1])).openClassifier(EncoderOptions.defaults())) {
        System.out.println(c.classify("Wheat exports to China rose"));
      }
    }
  }

  @Test
  void aLibraryUserWithoutAnSlf4jProviderSeesOnlySlf4jsOwnNotice() throws Exception {
    // The test classpath less the cli's SLF4J provider: what an application without one has.
    String classpath =
        Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .filter(e -> !e.contains("slf4j-simple"))
            .collect(Collectors.joining(File.pathSeparator));
    List<String> command =
        new ArrayList<>(
            List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED",
                "-Xss4m"));
    if (Runtime.version().feature() >= 24) {
      command.add("--sun-misc-unsafe-memory-access=allow");
    }
    command.addAll(
        List.of(
            "-Dferry.cache.dir=" + FerryCache.root().toAbsolutePath(),
            "-cp",
            classpath,
            Program.class.getName(),
            Samples.reuters(Samples.REUTERS_TRAIN).toString(),
            dir.resolve("bundle").toString()));
    Process p = new ProcessBuilder(command).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(180, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(err).isZero();
    // Prediction prints readably: "grain 0.912 (grain 0.912, corn 0.071, other 0.017)".
    assertThat(out.strip()).matches("(corn|grain|other) [01]\\.\\d{3} \\(.*\\)");
    assertThat(err.lines().filter(l -> !l.isBlank()))
        .as(err)
        .allMatch(l -> l.startsWith("SLF4J(W): ") || l.startsWith("SLF4J: "));
  }
}
