/**
 * Choosing the encoder from the user's own data ({@code ferry train --encoder auto}): each
 * candidate built-in encoder embeds the training texts once (through the embedding cache), every
 * candidate × head is scored by stratified k-fold cross-validation on the training examples, and
 * the best by macro-F1 is chosen, ties to the faster encoder. {@link
 * dev.ferry.trainer.selection.SelectionSettings} says what is tried, {@link
 * dev.ferry.trainer.selection.EncoderSelector} tries it, {@link
 * dev.ferry.trainer.selection.EncoderSelection} is what it found.
 */
package dev.ferry.trainer.selection;
