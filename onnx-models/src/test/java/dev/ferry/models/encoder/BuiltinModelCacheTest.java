package dev.ferry.models.encoder;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuiltinModelCacheTest {
  @TempDir Path root;

  @Test
  void extractsOnceAndRecordsHashes() throws IOException {
    BuiltinModelCache cache = new BuiltinModelCache(root);
    BuiltinModelCache.Extracted first = cache.materialize(BuiltinEncoder.ALL_MINILM_L6_V2_Q);
    assertThat(first.model()).isRegularFile();
    assertThat(first.tokenizer()).isRegularFile();
    assertThat(first.modelSha256()).isEqualTo(BuiltinModelCache.sha256(first.model()));
    long modified = Files.getLastModifiedTime(first.model()).toMillis();
    BuiltinModelCache.Extracted second = cache.materialize(BuiltinEncoder.ALL_MINILM_L6_V2_Q);
    assertThat(second.directory()).isEqualTo(first.directory());
    assertThat(Files.getLastModifiedTime(second.model()).toMillis()).isEqualTo(modified);
  }

  @Test
  void truncatedFileIsDetectedAndExtractedAgain() throws IOException {
    BuiltinModelCache cache = new BuiltinModelCache(root);
    BuiltinModelCache.Extracted good = cache.materialize(BuiltinEncoder.ALL_MINILM_L6_V2_Q);
    try (var channel = Files.newByteChannel(good.model(), StandardOpenOption.WRITE)) {
      channel.truncate(1000);
    }
    assertThat(BuiltinModelCache.verified(good.directory())).isNull();
    BuiltinModelCache.Extracted again = cache.materialize(BuiltinEncoder.ALL_MINILM_L6_V2_Q);
    assertThat(BuiltinModelCache.sha256(again.model())).isEqualTo(good.modelSha256());
  }

  @Test
  void twoProcessesStartingAtOnceBothGetIntactFiles() throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<Process> processes = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      processes.add(
          new ProcessBuilder(
                  java,
                  "-cp",
                  System.getProperty("java.class.path"),
                  "-Dferry.cache.dir=" + root,
                  CacheMain.class.getName())
              .redirectErrorStream(true)
              .start());
    }
    List<String> hashes = new ArrayList<>();
    for (Process p : processes) {
      String out = new String(p.getInputStream().readAllBytes()).trim();
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(out).isZero();
      hashes.add(out.substring(out.lastIndexOf('\n') + 1));
    }
    assertThat(hashes.get(0)).matches("[0-9a-f]{64}").isEqualTo(hashes.get(1));
    try (var dirs = Files.list(root.resolve("encoders"))) {
      assertThat(dirs.filter(Files::isDirectory).toList()).hasSize(1);
    }
  }

  /** Entry point of the child processes: extract, verify, print the model's hash. */
  public static final class CacheMain {
    public static void main(String[] args) throws IOException {
      BuiltinModelCache.Extracted files =
          BuiltinModelCache.defaultCache().materialize(BuiltinEncoder.ALL_MINILM_L6_V2_Q);
      System.out.println(BuiltinModelCache.sha256(files.model()));
    }
  }
}
