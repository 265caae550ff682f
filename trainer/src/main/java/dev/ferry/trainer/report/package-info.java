/** The training report: the HTML page, its charts and {@code metrics.json}. */
package dev.ferry.trainer.report;
