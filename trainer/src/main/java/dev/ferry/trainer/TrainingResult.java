package dev.ferry.trainer;

import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.trainer.head.TrainedHead;
import dev.ferry.trainer.metrics.ClassificationMetrics;

/**
 * What {@link Trainer#train} produced.
 *
 * @param bundle the bundle written
 * @param head the trained head and its history
 * @param validation metrics on the held-out examples
 * @param trainExamples examples trained on
 * @param validExamples examples held out
 * @param embeddingCacheHits texts whose embeddings came from the cache
 * @param embeddedTexts texts run through the encoder
 * @param embedSeconds time spent getting embeddings (encoder and cache); when fine-tuning, running
 *     the frozen lower layers once
 * @param refitExamples examples the final head was refit on (training + held-out), or 0 when it
 *     was not refit
 * @param mode how it was trained
 * @param fineTuneExamplesPerSecond fine-tuning throughput (0 for feature extraction)
 */
public record TrainingResult(
    ModelBundle bundle,
    TrainedHead head,
    ClassificationMetrics validation,
    int trainExamples,
    int validExamples,
    int embeddingCacheHits,
    int embeddedTexts,
    double embedSeconds,
    int refitExamples,
    TrainingMode mode,
    double fineTuneExamplesPerSecond) {}
