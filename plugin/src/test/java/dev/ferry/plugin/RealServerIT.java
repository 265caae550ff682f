package dev.ferry.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.models.bundle.ClassifiedDocument;
import dev.ferry.models.bundle.Classifier;
import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.models.encoder.EncoderOptions;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plugin zip in a real OpenSearch node: the integ-test-zip distribution from Maven Central
 * (unpacked by the build), {@code bin/opensearch-plugin install}, a bundle in {@code
 * config/ferry/}, the node started on 127.0.0.1 under the engine's Java agent, a pipeline and a
 * bulk request over REST, the labels checked against the embedded {@link Classifier}.
 *
 * <p>OpenSearch refuses to run as root. When the build runs as root (containers, CI), the node runs
 * as the unprivileged user {@code nobody} through {@code setpriv}; without {@code setpriv} the test
 * is skipped with a message saying so.
 *
 * <p>It also times the bulk request against the embedded classifier on the same texts: {@code
 * -Dferry.bench.docs=N} (default 150) sets how many documents.
 */
class RealServerIT {
  private static final Logger LOG = LoggerFactory.getLogger(RealServerIT.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String UNPRIVILEGED = "65534";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(180);

  private static Path home;
  private static Path nodeTmp;
  private static Process node;
  private static URI base;
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void startNode() throws Exception {
    Path distribution = Path.of(required("ferry.opensearch.home"));
    Path zip = Path.of(required("ferry.plugin.zip"));
    assertThat(distribution.resolve("bin/opensearch")).as("unpacked integ-test-zip").exists();
    assertThat(zip).as("plugin zip from 'package'").exists();
    boolean root = "0".equals(run(List.of("id", "-u")).trim());
    if (root) {
      Assumptions.assumeTrue(
          onPath("setpriv"),
          "running as root and no 'setpriv' to start OpenSearch as "
              + "user nobody (OpenSearch refuses root); install util-linux or run the build as another user");
    }

    // As root the node runs as nobody, who must be able to reach its home: the build folder may sit
    // under a directory only root can enter (a mktemp -d clone), so the node then lives in /tmp.
    home =
        root
            ? nodeHomeOutsideTheBuild()
            : Path.of("target", "real-server", "opensearch").toAbsolutePath();
    if (Files.exists(home)) {
      run(List.of("rm", "-rf", home.toString()));
    }
    Files.createDirectories(home.getParent());
    run(List.of("cp", "-r", distribution.toString(), home.toString()));
    try (Stream<Path> scripts = Files.list(home.resolve("bin"))) {
      for (Path script : (Iterable<Path>) scripts::iterator) {
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
      }
    }
    run(
        List.of(
            home.resolve("bin/opensearch-plugin").toString(),
            "install",
            "--batch",
            zip.toUri().toString()),
        Map.of("OPENSEARCH_JAVA_HOME", System.getProperty("java.home")));
    TestBundles.install(TestBundles.reuters(), home.resolve("config"), TestBundles.REUTERS);
    int httpPort = freePort();
    Files.writeString(
        home.resolve("config/opensearch.yml"),
        String.join(
            "\n",
            "network.host: 127.0.0.1",
            "http.port: " + httpPort,
            "transport.port: " + freePort(),
            "discovery.type: single-node",
            ""),
        java.nio.file.StandardOpenOption.APPEND);
    Path tmp = Files.createDirectories(home.resolve("tmp"));
    nodeTmp = tmp;

    List<String> command = new ArrayList<>();
    if (root) {
      run(List.of("chown", "-R", UNPRIVILEGED + ":" + UNPRIVILEGED, home.toString()));
      command.addAll(
          List.of(
              "setpriv", "--reuid=" + UNPRIVILEGED, "--regid=" + UNPRIVILEGED, "--clear-groups"));
    }
    command.add(home.resolve("bin/opensearch").toString());
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(home.toFile())
            .redirectErrorStream(true)
            .redirectOutput(home.resolve("logs/console.log").toFile());
    builder.environment().clear();
    builder
        .environment()
        .putAll(
            Map.of(
                "PATH",
                "/usr/bin:/bin:/usr/sbin:/sbin",
                "HOME",
                home.toString(),
                "OPENSEARCH_JAVA_HOME",
                System.getProperty("java.home"),
                "OPENSEARCH_TMPDIR",
                tmp.toString(),
                "TMPDIR",
                tmp.toString(),
                "OPENSEARCH_JAVA_OPTS",
                "-Xms512m -Xmx512m"));
    node = builder.start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> node.destroyForcibly()));
    base = URI.create("http://127.0.0.1:" + httpPort);
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      if (!node.isAlive()) {
        throw new AssertionError("OpenSearch exited with " + node.exitValue() + ":\n" + logTail());
      }
      try {
        if (HTTP.send(
                    HttpRequest.newBuilder(base).GET().build(),
                    HttpResponse.BodyHandlers.ofString())
                .statusCode()
            == 200) {
          break;
        }
      } catch (IOException e) {
        // not listening yet
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "OpenSearch did not answer on "
                + base
                + " within "
                + START_TIMEOUT
                + ":\n"
                + logTail());
      }
      Thread.sleep(500);
    }
    LOG.info("OpenSearch {} answers on {}", System.getProperty("ferry.opensearch.home"), base);
  }

  @AfterAll
  static void stopNode() throws Exception {
    if (node != null) {
      node.destroy();
      if (!node.waitFor(60, TimeUnit.SECONDS)) {
        node.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    if (home != null && home.getParent().getFileName().toString().startsWith(NODE_DIR_PREFIX)) {
      run(List.of("rm", "-rf", home.getParent().toString()));
    }
  }

  private static final String NODE_DIR_PREFIX = "ferry-opensearch-";

  /** {@code /tmp/ferry-opensearch-N/opensearch}, in a folder everyone may enter. */
  private static Path nodeHomeOutsideTheBuild() throws IOException {
    Path dir = Files.createTempDirectory(Path.of("/tmp"), NODE_DIR_PREFIX);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    return dir.resolve("opensearch");
  }

  @Test
  void bulkThroughThePipelineLabelsLikeTheEmbeddedClassifier() throws Exception {
    int docs = Integer.getInteger("ferry.bench.docs", 150);
    List<String> texts = repeat(TestBundles.testTexts(150), docs);
    int batch = ClassifyProcessor.DEFAULT_BATCH_SIZE;
    assertThat(
            send(
                    "PUT",
                    "/_ingest/pipeline/news",
                    "{\"processors\": [{\"ferry_classify\": "
                        + "{\"bundle\": \"reuters\", \"field\": \"body\", \"target_prefix\": \"topic\"}}]}")
                .get("acknowledged")
                .asBoolean())
        .isTrue();
    send(
        "PUT",
        "/news",
        "{\"mappings\": {\"properties\": {\"body\": {\"type\": \"text\"}, \"topic\": {\"properties\": "
            + "{\"label\": {\"type\": \"keyword\"}, \"confidence\": {\"type\": \"float\"}, "
            + "\"vector\": {\"type\": \"float\", \"index\": false}}}}}}");

    // The same texts in the same batches as the processor cut them (the int8 encoder's scores
    // depend on which texts share a batch).
    List<ClassifiedDocument> expected = new ArrayList<>();
    double embeddedSeconds;
    try (Classifier embedded =
        ModelBundle.open(TestBundles.reuters()).openClassifier(EncoderOptions.defaults())) {
      // Warm up, as the node's copy was when the pipeline was created.
      embedded.classifyDocuments(texts.subList(0, Math.min(8, texts.size())));
      long start = System.nanoTime();
      for (int from = 0; from < texts.size(); from += batch) {
        expected.addAll(
            embedded.classifyDocuments(texts.subList(from, Math.min(texts.size(), from + batch))));
      }
      embeddedSeconds = (System.nanoTime() - start) / 1e9;
    }

    StringBuilder bulk = new StringBuilder();
    for (int i = 0; i < texts.size(); i++) {
      bulk.append("{\"index\": {\"_index\": \"news\", \"_id\": \"").append(i).append("\"}}\n");
      ObjectNode source = JSON.createObjectNode().put("body", texts.get(i));
      bulk.append(JSON.writeValueAsString(source)).append('\n');
    }
    Thread.sleep(1000); // let the embedded run's ONNX Runtime threads go idle
    long bulkStart = System.nanoTime();
    JsonNode response = send("POST", "/_bulk?pipeline=news&refresh=true", bulk.toString());
    double nodeSeconds = (System.nanoTime() - bulkStart) / 1e9;
    assertThat(response.get("errors").asBoolean()).as(response.toString()).isFalse();

    JsonNode hits =
        send(
                "POST",
                "/news/_search",
                "{\"size\": "
                    + docs
                    + ", \"_source\": [\"topic.label\", "
                    + "\"topic.confidence\"], \"query\": {\"match_all\": {}}}")
            .path("hits")
            .path("hits");
    assertThat(hits.size()).isEqualTo(docs);
    Map<String, Integer> perLabel = new TreeMap<>();
    for (JsonNode hit : hits) {
      int i = Integer.parseInt(hit.get("_id").asText());
      JsonNode topic = hit.path("_source").path("topic");
      assertThat(topic.path("label").asText())
          .as("label of document %d", i)
          .isEqualTo(expected.get(i).prediction().label());
      assertThat((float) topic.path("confidence").asDouble())
          .as("confidence of document %d", i)
          .isEqualTo(expected.get(i).prediction().confidence());
    }
    for (ClassifiedDocument d : expected) {
      perLabel.merge(d.prediction().label(), 1, Integer::sum);
    }
    for (Map.Entry<String, Integer> e : perLabel.entrySet()) {
      JsonNode count =
          send(
              "POST",
              "/news/_count",
              "{\"query\": {\"term\": {\"topic.label\": \"" + e.getKey() + "\"}}}");
      assertThat(count.get("count").asInt())
          .as("documents labeled %s", e.getKey())
          .isEqualTo(e.getValue());
    }
    assertOnnxRuntimeTelemetryStayedOff();
    String report =
        String.format(
            Locale.ROOT,
            "%d documents: bulk through ferry_classify %.1f docs/s (%.2f s), "
                + "embedded Classifier %.1f docs/s (%.2f s), batches of %d, labels %s",
            docs,
            docs / nodeSeconds,
            nodeSeconds,
            docs / embeddedSeconds,
            embeddedSeconds,
            batch,
            perLabel);
    LOG.info(report);
    System.out.println("[ferry bench] " + report);
  }

  @Test
  void aMissingBundleFailsThePipelineAndTheNodeStaysUp() throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            request(
                "PUT",
                "/_ingest/pipeline/broken",
                "{\"processors\": [{\"ferry_classify\": {\"bundle\": \"no-such-bundle\"}}]}"),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body())
        .contains("no bundle 'no-such-bundle'")
        .contains("bundles there: reuters");
    assertThat(send("GET", "/_cluster/health", null).get("status").asText())
        .isIn("green", "yellow");
  }

  /**
   * ONNX Runtime ran in the node (no ORT_DISABLE_TELEMETRY in its environment): Ferry switched its
   * telemetry off, so there is no event store under HOME and no mat-debug file in TMPDIR.
   */
  private static void assertOnnxRuntimeTelemetryStayedOff() throws IOException {
    assertThat(home.resolve(".cache/Microsoft")).doesNotExist();
    try (Stream<Path> files = Files.list(nodeTmp)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.startsWith("mat-debug"));
    }
    assertThat(Files.readString(home.resolve("logs/console.log")))
        .doesNotContain("telemetry may be on");
  }

  private static JsonNode send(String method, String path, String body)
      throws IOException, InterruptedException {
    HttpResponse<String> response =
        HTTP.send(request(method, path, body), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new AssertionError(
          method + " " + path + " gave " + response.statusCode() + ": " + response.body());
    }
    return JSON.readTree(response.body());
  }

  private static HttpRequest request(String method, String path, String body) {
    HttpRequest.BodyPublisher publisher =
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8);
    return HttpRequest.newBuilder(base.resolve(path))
        .timeout(Duration.ofMinutes(5))
        .header(
            "Content-Type", path.startsWith("/_bulk") ? "application/x-ndjson" : "application/json")
        .method(method, publisher)
        .build();
  }

  private static List<String> repeat(List<String> texts, int n) {
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(texts.get(i % texts.size()));
    }
    return out;
  }

  private static String required(String property) {
    String value = System.getProperty(property);
    if (value == null) {
      throw new IllegalStateException(
          "system property " + property + " is not set; run through Maven (failsafe sets it)");
    }
    return value;
  }

  private static boolean onPath(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      if (Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static String run(List<String> command) throws IOException, InterruptedException {
    return run(command, Map.of());
  }

  private static String run(List<String> command, Map<String, String> env)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
      throw new AssertionError(String.join(" ", command) + " failed:\n" + output);
    }
    return output;
  }

  private static String logTail() {
    try {
      Path log = home.resolve("logs/console.log");
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }
}
