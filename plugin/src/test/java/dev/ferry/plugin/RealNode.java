package dev.ferry.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real OpenSearch node with the plugin zip installed: the integ-test-zip distribution from Maven
 * Central (unpacked by the build), {@code bin/opensearch-plugin install}, bundles in {@code
 * config/ferry/} if asked for (tests upload them over REST instead), the node started on 127.0.0.1
 * (free ports, single-node) under the engine's Java agent, and a small HTTP client for its REST
 * API.
 *
 * <p>OpenSearch refuses to run as root. When the build runs as root (containers, CI), the node runs
 * as the unprivileged user {@code nobody} through {@code setpriv} after a {@code chown} of its
 * copy, in a folder under /tmp that user may enter; without {@code setpriv} the calling test is
 * skipped with a message saying so.
 */
final class RealNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RealNode.class);
  static final ObjectMapper JSON = new ObjectMapper();
  private static final String UNPRIVILEGED = "65534";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(180);
  private static final String NODE_DIR_PREFIX = "ferry-opensearch-";
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final Path home;
  private final Path tmp;
  private final Process process;
  private final URI base;

  private RealNode(Path home, Path tmp, Process process, URI base) {
    this.home = home;
    this.tmp = tmp;
    this.process = process;
    this.base = base;
  }

  /**
   * Installs the plugin and {@code bundles} (name to folder) into a fresh copy of the distribution
   * and starts the node with a heap of {@code heap} (such as {@code 512m}).
   */
  static RealNode start(Map<String, Path> bundles, String heap) throws Exception {
    return start(bundles, heap, List.of());
  }

  /**
   * {@link #start(Map, String)}, with more lines for {@code opensearch.yml} ({@code "name:
   * value"}).
   */
  static RealNode start(Map<String, Path> bundles, String heap, List<String> settings)
      throws Exception {
    Path distribution = Path.of(required("ferry.opensearch.home"));
    Path zip = Path.of(required("ferry.plugin.zip"));
    assertThat(distribution.resolve("bin/opensearch")).as("unpacked integ-test-zip").exists();
    assertThat(zip).as("plugin zip from 'package'").exists();
    boolean root = "0".equals(run(List.of("id", "-u"), Map.of()).trim());
    if (root) {
      Assumptions.assumeTrue(
          onPath("setpriv"),
          "running as root and no 'setpriv' to start OpenSearch as user nobody (OpenSearch refuses"
              + " root); install util-linux or run the build as another user");
    }
    // As root the node runs as nobody, who must be able to reach its home: the build folder may sit
    // under a directory only root can enter (a mktemp -d clone), so the node then lives in /tmp.
    Path home =
        root
            ? homeOutsideTheBuild()
            : Path.of("target", "real-server", "opensearch").toAbsolutePath();
    if (Files.exists(home)) {
      run(List.of("rm", "-rf", home.toString()), Map.of());
    }
    Files.createDirectories(home.getParent());
    run(List.of("cp", "-r", distribution.toString(), home.toString()), Map.of());
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
    bundles.forEach((name, folder) -> TestBundles.install(folder, home.resolve("config"), name));
    int httpPort = freePort();
    List<String> yml =
        new ArrayList<>(
            List.of(
                "network.host: 127.0.0.1",
                "http.port: " + httpPort,
                "transport.port: " + freePort(),
                "discovery.type: single-node"));
    yml.addAll(settings);
    Files.writeString(
        home.resolve("config/opensearch.yml"),
        "\n" + String.join("\n", yml) + "\n",
        StandardOpenOption.APPEND);
    Path tmp = Files.createDirectories(home.resolve("tmp"));
    List<String> command = new ArrayList<>();
    if (root) {
      run(List.of("chown", "-R", UNPRIVILEGED + ":" + UNPRIVILEGED, home.toString()), Map.of());
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
                "-Xms" + heap + " -Xmx" + heap));
    Process process = builder.start();
    Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
    RealNode node = new RealNode(home, tmp, process, URI.create("http://127.0.0.1:" + httpPort));
    node.awaitHttp();
    return node;
  }

  private void awaitHttp() throws InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new AssertionError(
            "OpenSearch exited with " + process.exitValue() + ":\n" + logTail());
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
    LOG.info("OpenSearch {} answers on {}", home, base);
  }

  /** The node's folder. */
  Path home() {
    return home;
  }

  /** The node's temporary folder ({@code OPENSEARCH_TMPDIR}). */
  Path tmp() {
    return tmp;
  }

  /** Sends a request; a status other than 2xx fails with the response body. */
  JsonNode send(String method, String path, String body) throws IOException, InterruptedException {
    HttpResponse<String> response = raw(method, path, body);
    if (response.statusCode() / 100 != 2) {
      throw new AssertionError(
          method + " " + path + " gave " + response.statusCode() + ": " + response.body());
    }
    return JSON.readTree(response.body());
  }

  /** Sends a request and returns the response, whatever its status. */
  HttpResponse<String> raw(String method, String path, String body)
      throws IOException, InterruptedException {
    return raw(
        method,
        path,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
  }

  /**
   * Sends {@code body} as it is (a bundle zip), as {@code curl -XPUT URL -H 'Content-Type:
   * application/json' --data-binary @FILE} does, and returns the response, whatever its status.
   */
  HttpResponse<String> rawBytes(String method, String path, byte[] body)
      throws IOException, InterruptedException {
    return raw(method, path, HttpRequest.BodyPublishers.ofByteArray(body));
  }

  private HttpResponse<String> raw(String method, String path, HttpRequest.BodyPublisher body)
      throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(base.resolve(path))
            .timeout(Duration.ofMinutes(10))
            .header(
                "Content-Type",
                path.startsWith("/_bulk") ? "application/x-ndjson" : "application/json")
            .method(method, body)
            .build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** The last 40 lines of the node's console log. */
  String logTail() {
    try {
      List<String> lines = Files.readAllLines(home.resolve("logs/console.log"));
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Stops the node and removes its folder (when it lives under /tmp). */
  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    if (home.getParent().getFileName().toString().startsWith(NODE_DIR_PREFIX)) {
      run(List.of("rm", "-rf", home.getParent().toString()), Map.of());
    }
  }

  /** {@code /tmp/ferry-opensearch-N/opensearch}, in a folder everyone may enter. */
  private static Path homeOutsideTheBuild() throws IOException {
    Path dir = Files.createTempDirectory(Path.of("/tmp"), NODE_DIR_PREFIX);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    return dir.resolve("opensearch");
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
}
