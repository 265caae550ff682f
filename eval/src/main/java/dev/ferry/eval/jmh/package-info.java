/** JMH benchmarks of the encoding paths ({@code ferry bench jmh}). */
package dev.ferry.eval.jmh;
