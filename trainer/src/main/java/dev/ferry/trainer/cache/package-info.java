/** The embedding cache: vectors on disk by encoder and text hash, checksummed, append-only. */
package dev.ferry.trainer.cache;
