/**
 * What both training loops (heads and fine-tuning) share: early stopping and the choice of the kept
 * epoch ({@link dev.ferry.trainer.loop.EarlyStopping}), one AdamW step ({@link
 * dev.ferry.trainer.loop.AdamWStep}), the weighted cross-entropy, the example order.
 */
package dev.ferry.trainer.loop;
