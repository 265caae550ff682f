/**
 * Measurements of Ferry, and {@code ferry bench} ({@link dev.ferry.eval.BenchCommand}), their
 * command-line entry point; results go to eval/RESULTS.md.
 */
package dev.ferry.eval;
