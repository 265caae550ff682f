/**
 * Accuracy and macro-F1 of Ferry's heads against bag-of-words baselines on the shared data sets,
 * learning curves at k examples per class, and their report.
 */
package dev.ferry.eval.accuracy;
