package dev.ferry.cli;

import dev.ferry.models.encoder.Chunking;
import picocli.CommandLine.Option;

/** How long texts are read: token windows ("chunks") over the whole text, or the first only. */
final class ChunkingMixin {
  @Option(names = "--chunk-tokens", paramLabel = "N",
      description = "Tokens per chunk, special tokens included. Default: the model's maximum (256 for MiniLM).")
  int chunkTokens = Chunking.DEFAULT.maxTokens();

  @Option(names = "--chunk-overlap", paramLabel = "N",
      description = "Tokens each chunk shares with the one before. Default: ${DEFAULT-VALUE}.")
  int chunkOverlap = Chunking.DEFAULT.overlapTokens();

  @Option(names = "--max-chunks", paramLabel = "N",
      description = "Chunks read per text, from its start; 1 reads the first window only (faster, the"
          + " rest of a long text is ignored), 0 reads every chunk. Default: ${DEFAULT-VALUE}.")
  int maxChunks = Chunking.DEFAULT.maxChunks();

  /** The chunking these options describe; IllegalArgumentException names a bad value. */
  Chunking chunking() {
    return new Chunking(chunkTokens, maxChunks == 1 ? 0 : chunkOverlap, maxChunks);
  }
}
