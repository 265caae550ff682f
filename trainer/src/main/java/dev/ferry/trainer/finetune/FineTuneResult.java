package dev.ferry.trainer.finetune;

import dev.ferry.models.encoder.ExecutionProvider;
import dev.ferry.models.graph.HostTensor;
import dev.ferry.trainer.EpochMetrics;
import dev.ferry.trainer.head.LinearWeights;
import java.util.List;
import java.util.Map;

/**
 * What fine-tuning produced: the kept epoch's encoder and head.
 *
 * @param stepLosses the training loss of every step run, in order
 * @param encoderOnnx the encoder with its tuned parameters: the original inference graph (same
 *     operators, inputs and output), ready to be a bundle's {@code encoder.onnx} ({@link
 *     TunedEncoderWriter})
 * @param headWeight the head's weight, float [dimension, classes]
 * @param headBias the head's bias, float [classes]
 * @param history one entry per epoch run
 * @param bestEpoch the epoch whose parameters were kept (the last, without held-out examples)
 * @param cacheSeconds time spent running the frozen lower layers once
 * @param examplesPerSecond training throughput over all steps (examples × epochs / time)
 * @param resumedFromEpoch the checkpoint's epoch this run continued from (0: a fresh start)
 * @param adapters LoRA: the kept adapters ({@code lora.W.A} float [in, rank], {@code lora.W.B}
 *     float [rank, out] per adapted weight W), already merged into {@code encoderOnnx}; empty
 *     otherwise
 * @param device where the training graphs ran: the encoder's execution provider, or the CPU if CUDA
 *     was asked for and could not be had
 * @param settings the settings trained with, {@link FineTuneSettings#AUTO_EPOCHS}, {@link
 *     FineTuneSettings#MODEL_WINDOW} and {@link FineTuneSettings#ALL} resolved to numbers
 */
public record FineTuneResult(
    List<Double> stepLosses,
    byte[] encoderOnnx,
    HostTensor headWeight,
    HostTensor headBias,
    List<EpochMetrics> history,
    int bestEpoch,
    double cacheSeconds,
    double examplesPerSecond,
    int resumedFromEpoch,
    Map<String, HostTensor> adapters,
    ExecutionProvider device,
    FineTuneSettings settings) {

  /** The kept head's weight and bias. */
  public LinearWeights head() {
    return new LinearWeights(headWeight.floats(), headBias.floats());
  }
}
