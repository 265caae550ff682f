/**
 * Fine-tuning measured: its speed and memory per mode, and its macro-F1 against feature extraction
 * at k examples per class.
 */
package dev.ferry.eval.finetune;
