package dev.ferry.eval.jmh;

import dev.ferry.models.encoder.Encoder;
import java.io.IOException;
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
import org.openjdk.jmh.infra.Blackhole;

/** Tokenization alone, texts per second, on the same sample as {@link EncodeJmh}. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(
    value = 1,
    jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xss4m"})
public class TokenizeJmh {
  @Param({"all-minilm-l6-v2", "bge-small-en-v1.5"})
  public String encoder;

  private Encoder model;
  private List<String> texts;

  /** Loads the encoder (for its tokenizer) and the sample once per trial. */
  @Setup(Level.Trial)
  public void setUp() throws IOException {
    texts = EncodeJmh.sample(EncodeJmh.TEXTS);
    model = Encoder.open(encoder);
  }

  /** Closes the encoder. */
  @TearDown(Level.Trial)
  public void tearDown() {
    model.close();
  }

  /** Tokenizes the whole sample; the score is texts per second. */
  @Benchmark
  @OperationsPerInvocation(EncodeJmh.TEXTS)
  public void tokenize(Blackhole sink) {
    for (String text : texts) {
      sink.consume(model.tokenIds(text));
    }
  }
}
