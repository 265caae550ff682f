package dev.ferry.eval.jmh;

import dev.ferry.eval.encode.MixedLengthSample;
import dev.ferry.models.encoder.Batching;
import dev.ferry.models.encoder.Encoder;
import dev.ferry.models.encoder.EncoderOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH view of the encoder: texts per second for each encoder and batching (tokenization alone is
 * {@link TokenizeJmh}), on a fixed paragraph sample of {@code ../shared/data} (property {@code
 * ferry.shared.data} names another folder). Run with {@code ./ferry bench jmh} (JMH options follow,
 * such as {@code -p encoder=all-minilm-l6-v2-q} or {@code -f 1 -wi 1 -i 2}).
 *
 * <p>{@code ferry bench encode} measures the same paths over a larger sample with a report-ready
 * table; this harness adds JMH's forking, warm-up and error bars.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(
    value = 1,
    jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xss4m"})
public class EncodeJmh {
  static final int TEXTS = 128;

  @Param({"all-minilm-l6-v2", "all-minilm-l6-v2-q"})
  public String encoder;

  @Param({"LENGTH_BUCKETED", "PAD_TO_MAX_LENGTH"})
  public Batching batching;

  private Encoder model;
  private List<String> texts;

  /** The benchmark sample: 128 paragraphs of the shared data sets, seed 42. */
  static List<String> sample(int count) throws IOException {
    Path data = Path.of(System.getProperty("ferry.shared.data", "../shared/data"));
    List<Path> files =
        List.of(
            data.resolve("reuters-grain-train.jsonl.gz"), data.resolve("spamassassin.jsonl.gz"));
    for (Path f : files) {
      if (!Files.isRegularFile(f)) {
        throw new IOException(
            "the JMH benchmarks need "
                + f
                + "; run from the project root with"
                + " ../shared/data beside it, or set -Dferry.shared.data=DIR");
      }
    }
    return MixedLengthSample.draw(files, MixedLengthSample.Unit.PARAGRAPHS, count, 42);
  }

  /** Loads the encoder and the sample once per trial. */
  @Setup(Level.Trial)
  public void setUp() throws IOException {
    texts = sample(TEXTS);
    model = Encoder.open(encoder, EncoderOptions.defaults().withBatching(batching));
  }

  /** Closes the encoder. */
  @TearDown(Level.Trial)
  public void tearDown() {
    model.close();
  }

  /** Embeds the whole sample; the score is texts per second. */
  @Benchmark
  @OperationsPerInvocation(TEXTS)
  public float[][] embed() {
    return model.embed(texts);
  }
}
