/**
 * Fine-tuning the encoder's layers (or LoRA adapters) with a linear head: {@link
 * dev.ferry.trainer.finetune.FineTuner} is the loop; its settings, schedule ({@link
 * dev.ferry.trainer.finetune.LearningRateSchedule}, {@link
 * dev.ferry.trainer.finetune.UnfreezeSchedule}), batches, checkpoints, graphs and the tuned-encoder
 * writer ({@link dev.ferry.trainer.finetune.TunedEncoderWriter}) each have a class.
 */
package dev.ferry.trainer.finetune;
