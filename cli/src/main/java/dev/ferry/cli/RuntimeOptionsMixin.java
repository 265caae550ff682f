package dev.ferry.cli;

import dev.ferry.models.encoder.EncoderOptions;
import dev.ferry.models.encoder.ExecutionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * How a model runs: device, threads, batching. Shared by every command that runs a model (and by
 * {@code ferry bench}, in the eval module).
 */
public class RuntimeOptionsMixin {
  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  @Option(
      names = "--device",
      paramLabel = "cpu|cuda",
      description =
          "Where the model runs; cuda falls back to cpu with a warning. Default: ${DEFAULT-VALUE}.")
  String device = EncoderOptions.defaults().executionProvider().id();

  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "ONNX Runtime threads per batch; 0 = one per core. Default: ${DEFAULT-VALUE}.")
  int threads = EncoderOptions.defaults().intraOpThreads();

  @Option(
      names = "--batch-size",
      paramLabel = "N",
      description = "Most texts per model batch. Default: ${DEFAULT-VALUE}.")
  int batchSize = EncoderOptions.defaults().maxBatchSize();

  @Option(
      names = "--batch-tokens",
      paramLabel = "N",
      description =
          "Most padded tokens (texts x length) per model batch; 0 = automatic"
              + " ("
              + EncoderOptions.CPU_BATCH_TOKENS_PER_THREAD
              + " per thread on CPU). Default: ${DEFAULT-VALUE}.")
  int batchTokens = EncoderOptions.defaults().maxBatchTokens();

  /** The options as given; a bad value is a usage error (exit code 2) naming the option. */
  public EncoderOptions options() {
    ExecutionProvider provider =
        switch (device.trim().toLowerCase(java.util.Locale.ROOT)) {
          case "cpu" -> ExecutionProvider.CPU;
          case "cuda", "gpu" -> ExecutionProvider.CUDA;
          default ->
              throw new ParameterException(
                  spec.commandLine(), "--device must be cpu or cuda, was '" + device + "'");
        };
    try {
      return EncoderOptions.defaults()
          .withExecutionProvider(provider)
          .withIntraOpThreads(threads)
          .withMaxBatchSize(batchSize)
          .withMaxBatchTokens(batchTokens);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(
          spec.commandLine(), "--threads, --batch-size, --batch-tokens: " + e.getMessage());
    }
  }
}
