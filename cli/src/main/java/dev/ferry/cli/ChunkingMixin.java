package dev.ferry.cli;

import dev.ferry.models.encoder.ChunkPooling;
import dev.ferry.models.encoder.Chunking;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** How long texts are read: token windows ("chunks") over the whole text, or the first only. */
@Command(resourceBundle = "dev.ferry.cli.LibraryDefaults")
final class ChunkingMixin {
  @Option(
      names = "--chunk-tokens",
      paramLabel = "N",
      description =
          "Tokens per chunk, special tokens included. Default: the model's maximum (256 for MiniLM).")
  int chunkTokens = Chunking.DEFAULT.maxTokens();

  @Option(
      names = "--chunk-overlap",
      paramLabel = "N",
      description =
          "Tokens each chunk shares with the one before. Default:"
              + " ${bundle:default.chunking.overlap_tokens}, or a quarter of --chunk-tokens when that is less.")
  Integer chunkOverlap;

  @Option(
      names = "--max-chunks",
      paramLabel = "N",
      description =
          "Chunks read per text, from its start; 1 reads the first window only (faster, the"
              + " rest of a long text is ignored), 0 reads every chunk. Default: ${DEFAULT-VALUE}.")
  int maxChunks = Chunking.DEFAULT.maxChunks();

  @Option(
      names = "--chunk-pooling",
      paramLabel = "POOLING",
      description =
          "What the head reads of a text's chunks: first_mean_max (the first chunk's"
              + " vector, the whole text's mean and each dimension's maximum over chunks), first_and_mean"
              + " (the first two) or token_weighted_mean (the mean alone). Default: ${bundle:default.chunking.pooling}"
              + " when a text is read in chunks, token_weighted_mean for --max-chunks 1.")
  String chunkPooling;

  /** The chunking these options describe; IllegalArgumentException names a bad value. */
  Chunking chunking() {
    ChunkPooling pooling =
        chunkPooling != null
            ? ChunkPooling.fromId(chunkPooling)
            : maxChunks == 1 ? ChunkPooling.TOKEN_WEIGHTED_MEAN : Chunking.DEFAULT.pooling();
    int overlap =
        chunkOverlap != null
            ? chunkOverlap
            : chunkTokens > 0
                ? Math.min(Chunking.DEFAULT.overlapTokens(), chunkTokens / 4)
                : Chunking.DEFAULT.overlapTokens();
    return new Chunking(chunkTokens, maxChunks == 1 ? 0 : overlap, maxChunks, pooling);
  }
}
