package dev.ferry.eval.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** The JMH benchmarks are generated, found and runnable: one short in-process iteration. */
class JmhSmokeTest {
  @Test
  void benchmarksRunAndScore() throws Exception {
    Path data = Path.of(System.getProperty("ferry.shared.data", "../shared/data"));
    Assumptions.assumeTrue(
        Files.exists(data.resolve("spamassassin.jsonl.gz")), "no ../shared/data");
    Collection<RunResult> results =
        new Runner(
                new OptionsBuilder()
                    .include(EncodeJmh.class.getName() + ".embed")
                    .param("encoder", "all-minilm-l6-v2-q")
                    .param("batching", "LENGTH_BUCKETED")
                    .forks(0)
                    .warmupIterations(0)
                    .measurementIterations(1)
                    .measurementTime(TimeValue.milliseconds(300))
                    .shouldFailOnError(true)
                    .build())
            .run();
    assertThat(results).hasSize(1);
    assertThat(results.iterator().next().getPrimaryResult().getScore()).isPositive();
  }
}
