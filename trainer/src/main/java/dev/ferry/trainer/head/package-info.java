/**
 * Classifier heads on embeddings: {@link dev.ferry.trainer.head.HeadTrainer} (linear, MLP,
 * centroid), their settings and graphs.
 */
package dev.ferry.trainer.head;
