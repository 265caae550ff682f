package dev.ferry.trainer;

import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.trainer.head.TrainedHead;
import dev.ferry.trainer.metrics.ClassificationMetrics;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link Trainer#train} produced.
 *
 * @param bundle the bundle written
 * @param head the trained head and its history
 * @param validation metrics on the held-out examples; empty when there were none (then {@code
 *     noValidationReason} says why): never scores of an empty set
 * @param noValidationReason why there are no held-out metrics, e.g. "no held-out data: 4 examples,
 *     too few per class to hold out …"; null when there are
 * @param trainExamples examples trained on
 * @param validExamples examples held out
 * @param embeddingCacheHits texts whose embeddings came from the cache
 * @param embeddedTexts texts run through the encoder
 * @param embedSeconds time spent getting embeddings (encoder and cache); when fine-tuning, running
 *     the frozen lower layers once
 * @param refitExamples examples the final head was refit on (training + held-out), or 0 when it was
 *     not refit
 * @param mode how it was trained
 * @param fineTuneExamplesPerSecond fine-tuning throughput (0 for feature extraction)
 */
public record TrainingResult(
    ModelBundle bundle,
    TrainedHead head,
    Optional<ClassificationMetrics> validation,
    String noValidationReason,
    int trainExamples,
    int validExamples,
    int embeddingCacheHits,
    int embeddedTexts,
    double embedSeconds,
    int refitExamples,
    TrainingMode mode,
    double fineTuneExamplesPerSecond) {

  /** Checks that there are held-out metrics or a reason why not, not both. */
  public TrainingResult {
    Objects.requireNonNull(validation, "validation");
    if (validation.isPresent() == (noValidationReason != null)) {
      throw new IllegalArgumentException(
          "give held-out metrics or the reason there are none, not "
              + (validation.isPresent() ? "both" : "neither"));
    }
  }
}
