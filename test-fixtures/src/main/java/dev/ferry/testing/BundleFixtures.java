package dev.ferry.testing;

import dev.ferry.models.bundle.BundleLoadException;
import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.models.encoder.Chunking;
import dev.ferry.models.encoder.EncoderOptions;
import dev.ferry.trainer.Trainer;
import dev.ferry.trainer.TrainingConfig;
import dev.ferry.trainer.TrainingListener;
import dev.ferry.trainer.head.HeadKind;
import dev.ferry.trainer.head.HeadSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Small real bundles for tests, trained with the library's defaults where a test needs no other.
 */
public final class BundleFixtures {
  /** Where {@link #trained} keeps bundles between test runs: the module's build folder. */
  private static final Path TARGET = Path.of("target", "test-bundles");

  private static final Map<String, Path> SPORT_COOKING = new HashMap<>();

  private BundleFixtures() {}

  /**
   * A bundle trained on {@code data} with {@code encoder} and {@code chunking}, kept in {@code
   * target/test-bundles/NAME}: trained on first use, reused by later runs while it opens.
   */
  public static synchronized Path trained(
      String name, Path data, String encoder, Chunking chunking) {
    Path dir = TARGET.resolve(name).toAbsolutePath();
    if (Files.isDirectory(dir)) {
      try {
        ModelBundle.open(dir);
        return dir;
      } catch (BundleLoadException e) {
        // stale or half-written: train again below
      }
    }
    TrainingConfig config =
        TrainingConfig.builder(data, dir)
            .encoder(encoder)
            .chunking(chunking)
            .encoderOptions(EncoderOptions.defaults())
            .cacheDirectory(TARGET.resolve("embedding-cache").toAbsolutePath())
            .build();
    try {
      Trainer.train(config, TrainingListener.NONE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }

  /**
   * A linear head on {@link Samples#SPORT} and {@link Samples#COOKING} labeled {@code sport} and
   * {@code cooking}, trained once per JVM into a temporary folder (40 epochs, one thread, no
   * embedding cache).
   */
  public static synchronized Path sportCooking(
      String name, String encoder, Chunking chunking, String sport, String cooking) {
    return SPORT_COOKING.computeIfAbsent(
        name,
        n -> {
          try {
            Path dir = Files.createTempDirectory("ferry-test-bundles");
            Path data =
                Files.write(dir.resolve("train.jsonl"), Samples.sportCookingLines(sport, cooking));
            Path out = dir.resolve(n);
            Trainer.train(
                TrainingConfig.builder(data, out)
                    .encoder(encoder)
                    .chunking(chunking)
                    .encoderOptions(EncoderOptions.defaults().withIntraOpThreads(1))
                    .cacheEmbeddings(false)
                    .head(HeadSettings.defaults(HeadKind.LINEAR))
                    .build(),
                TrainingListener.NONE);
            return out;
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }
}
