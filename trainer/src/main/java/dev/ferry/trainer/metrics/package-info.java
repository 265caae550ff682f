/**
 * Classification metrics and their one JSON shape ({@link dev.ferry.trainer.metrics.MetricsJson}).
 */
package dev.ferry.trainer.metrics;
