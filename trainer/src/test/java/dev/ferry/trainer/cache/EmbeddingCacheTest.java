package dev.ferry.trainer.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.models.FerryCache;
import dev.ferry.models.encoder.ChunkPooling;
import dev.ferry.models.encoder.Chunking;
import dev.ferry.models.encoder.Encoder;
import dev.ferry.models.encoder.EncoderDescriptor;
import dev.ferry.models.encoder.Pooling;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddingCacheTest {
  private static final List<String> TEXTS =
      List.of(
          "Wheat exports rose sharply in March.",
          "The central bank left interest rates unchanged.",
          "Corn futures fell on forecasts of rain.",
          "",
          "Ünïcödé text, emoji \uD83D\uDE42 and a tab\there.");

  @TempDir Path dir;

  private final Encoder encoder = TestEncoders.minilm();

  private int recordBytes() {
    return EmbeddingCache.recordBytes(encoder.dimension());
  }

  private Path vectorsFile(EmbeddingCache cache) {
    return cache.directory().resolve(EmbeddingCache.FILE_NAME);
  }

  /** Bitwise equality, NaN and -0.0 included. */
  private static void assertBitwiseEqual(float[][] actual, float[][] expected) {
    assertThat(actual.length).isEqualTo(expected.length);
    for (int i = 0; i < actual.length; i++) {
      int[] a = new int[actual[i].length];
      int[] e = new int[expected[i].length];
      for (int j = 0; j < a.length; j++) {
        a[j] = Float.floatToRawIntBits(actual[i][j]);
      }
      for (int j = 0; j < e.length; j++) {
        e[j] = Float.floatToRawIntBits(expected[i][j]);
      }
      assertThat(a).as("vector %d", i).containsExactly(e);
    }
  }

  private static float maxDifference(float[] a, float[] b) {
    float max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }

  @Test
  void firstCallEncodesSecondCallIsAllHitsWithTheSameBits() throws IOException {
    try (EmbeddingCache cache = EmbeddingCache.open(dir, encoder.descriptor())) {
      long before = encoder.stats().texts();
      float[][] first = cache.embed(encoder, TEXTS, null);
      assertThat(cache.hits()).isZero();
      assertThat(cache.misses()).isEqualTo(TEXTS.size());
      assertThat(encoder.stats().texts() - before).isEqualTo(TEXTS.size());
      float[][] direct = encoder.embed(TEXTS);
      for (int i = 0; i < TEXTS.size(); i++) {
        assertThat(first[i]).hasSize(384);
        assertThat(maxDifference(first[i], direct[i])).as("text %d", i).isLessThan(1e-5f);
      }

      long middle = encoder.stats().texts();
      float[][] second = cache.embed(encoder, TEXTS, null);
      assertThat(encoder.stats().texts()).isEqualTo(middle);
      assertThat(cache.hits()).isEqualTo(TEXTS.size());
      assertThat(cache.misses()).isZero();
      assertThat(cache.size()).isEqualTo(TEXTS.size());
      assertBitwiseEqual(second, first);
      assertThat(second[0]).isNotSameAs(first[0]);
    }
  }

  @Test
  void aReopenedCacheReturnsTheSameVectorsWithoutEncoding() throws IOException {
    float[][] first;
    try (EmbeddingCache cache = EmbeddingCache.open(dir, encoder.descriptor())) {
      first = cache.embed(encoder, TEXTS, null);
    }
    try (EmbeddingCache cache = EmbeddingCache.open(dir, encoder.descriptor())) {
      assertThat(cache.size()).isEqualTo(TEXTS.size());
      long before = encoder.stats().texts();
      assertBitwiseEqual(cache.embed(encoder, TEXTS, null), first);
      assertThat(encoder.stats().texts()).isEqualTo(before);
      assertThat(cache.hits()).isEqualTo(TEXTS.size());
      assertThat(Files.size(vectorsFile(cache)))
          .isEqualTo(EmbeddingCache.HEADER_BYTES + (long) TEXTS.size() * recordBytes());
      assertThat(cache.directory().resolve("encoder.json"))
          .content()
          .contains("\"all-minilm-l6-v2\"");
    }
  }

  @Test
  void mixedHitsAndMissesKeepTheInputOrder() throws IOException {
    try (EmbeddingCache cache = EmbeddingCache.open(dir, encoder.descriptor())) {
      float[][] known = cache.embed(encoder, List.of(TEXTS.get(0), TEXTS.get(1)), null);
      float[][] mixed =
          cache.embed(
              encoder, List.of(TEXTS.get(2), TEXTS.get(0), TEXTS.get(3), TEXTS.get(1)), null);
      assertThat(cache.hits()).isEqualTo(2);
      assertThat(cache.misses()).isEqualTo(2);
      assertBitwiseEqual(new float[][] {mixed[1], mixed[3]}, known);
      assertThat(maxDifference(mixed[0], encoder.embed(TEXTS.get(2)))).isLessThan(1e-5f);
      assertThat(maxDifference(mixed[2], encoder.embed(TEXTS.get(3)))).isLessThan(1e-5f);
      assertThat(maxDifference(mixed[0], mixed[2])).isGreaterThan(0.01f);
    }
  }

  @Test
  void duplicatesWithinOneCallAreEncodedOnce() throws IOException {
    try (EmbeddingCache cache = EmbeddingCache.open(dir, encoder.descriptor())) {
      long before = encoder.stats().texts();
      String x = TEXTS.get(0);
      String y = TEXTS.get(1);
      float[][] out = cache.embed(encoder, List.of(x, y, x, x, y), null);
      assertThat(encoder.stats().texts() - before).isEqualTo(2);
      assertThat(cache.misses()).isEqualTo(2);
      assertThat(cache.hits()).isZero();
      assertThat(cache.size()).isEqualTo(2);
      assertBitwiseEqual(
          new float[][] {out[2], out[3], out[4]}, new float[][] {out[0], out[0], out[1]});
      assertThat(out[2]).isNotSameAs(out[0]);
      assertThat(Files.size(vectorsFile(cache)))
          .isEqualTo(EmbeddingCache.HEADER_BYTES + 2L * recordBytes());
    }
  }

  @Test
  void progressIsReportedAfterTheLookUpAndEachChunk() throws IOException {
    List<String> many = IntStream.range(0, 600).mapToObj(i -> "short text number " + i).toList();
    try (EmbeddingCache cache = EmbeddingCache.open(dir, encoder.descriptor())) {
      cache.embed(encoder, many.subList(0, 100), null);
      List<String> calls = new ArrayList<>();
      float[][] out = cache.embed(encoder, many, (done, total) -> calls.add(done + "/" + total));
      assertThat(calls).containsExactly("100/600", "356/600", "600/600");
      assertThat(out.length).isEqualTo(600);
      assertThat(List.of(out)).doesNotContainNull();
      assertThat(cache.size()).isEqualTo(600);
      calls.clear();
      cache.embed(encoder, List.of(), (done, total) -> calls.add(done + "/" + total));
      assertThat(calls).containsExactly("0/0");
    }
  }

  /** A cache file and the vectors it holds. */
  private record Stored(Path file, float[][] vectors) {}

  /** Stores the vectors of the first three texts in a new cache and closes it. */
  private Stored storeFirstThree() throws IOException {
    try (EmbeddingCache cache = EmbeddingCache.open(dir, encoder.descriptor())) {
      return new Stored(vectorsFile(cache), cache.embed(encoder, TEXTS.subList(0, 3), null));
    }
  }

  @Test
  void aTruncatedFileKeepsItsCompleteRecordsAndIsCutBack() throws IOException {
    Stored stored = storeFirstThree();
    Path file = stored.file();
    float[][] first = stored.vectors();
    long complete = EmbeddingCache.HEADER_BYTES + 2L * recordBytes();
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.truncate(complete + 7); // a crash seven bytes into the third record
    }
    try (EmbeddingCache cache = EmbeddingCache.open(dir, encoder.descriptor())) {
      assertThat(cache.size()).isEqualTo(2);
      assertThat(Files.size(file)).isEqualTo(complete);
      float[][] again = cache.embed(encoder, TEXTS.subList(0, 3), null);
      assertThat(cache.hits()).isEqualTo(2);
      assertThat(cache.misses()).isEqualTo(1);
      assertBitwiseEqual(new float[][] {again[0], again[1]}, new float[][] {first[0], first[1]});
      assertThat(Files.size(file)).isEqualTo(complete + recordBytes());
    }
    try (EmbeddingCache cache = EmbeddingCache.open(dir, encoder.descriptor())) {
      assertThat(cache.size()).isEqualTo(3);
    }
  }

  @Test
  void aVectorThatFailsItsChecksumIsEmbeddedAgainAndBlankedWithAWarning() throws IOException {
    Stored stored = storeFirstThree();
    Path file = stored.file();
    float[][] first = stored.vectors();
    // The second record's fifth float gets the bits of 1e30: what a flipped exponent bit looks
    // like.
    long at = EmbeddingCache.HEADER_BYTES + recordBytes() + 32 + 4 * 4;
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.write(
          java.nio.ByteBuffer.allocate(4)
              .order(java.nio.ByteOrder.LITTLE_ENDIAN)
              .putFloat(1e30f)
              .flip(),
          at);
    }
    long size = Files.size(file);
    try (EmbeddingCache cache = EmbeddingCache.open(dir, encoder.descriptor())) {
      assertThat(cache.corruptRecords()).isEqualTo(1);
      assertThat(cache.file()).isEqualTo(file);
      float[][] again = cache.embed(encoder, TEXTS.subList(0, 3), null);
      assertThat(cache.hits()).isEqualTo(2);
      assertThat(cache.misses()).isEqualTo(1);
      for (int i = 0; i < 3; i++) {
        assertThat(maxDifference(again[i], first[i])).as("text %d", i).isLessThan(1e-5f);
      }
      assertThat(Files.size(file))
          .as("the text's vector appended again")
          .isEqualTo(size + recordBytes());
    }
    // Blanked in place: read without a warning, and the text found in its new record.
    try (EmbeddingCache cache = EmbeddingCache.open(dir, encoder.descriptor())) {
      assertThat(cache.corruptRecords()).isZero();
      assertThat(cache.size()).isEqualTo(3);
      cache.embed(encoder, TEXTS.subList(0, 3), null);
      assertThat(cache.misses()).isZero();
    }
  }

  @Test
  void aFileCutInsideTheHeaderStartsAfresh() throws IOException {
    Path file;
    try (EmbeddingCache cache = EmbeddingCache.open(dir, encoder.descriptor())) {
      file = vectorsFile(cache);
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.truncate(10);
    }
    try (EmbeddingCache cache = EmbeddingCache.open(dir, encoder.descriptor())) {
      assertThat(cache.size()).isZero();
      cache.embed(encoder, TEXTS.subList(0, 1), null);
    }
    assertThat(Files.size(file)).isEqualTo(EmbeddingCache.HEADER_BYTES + recordBytes());
  }

  @Test
  void aFileThatIsNotACacheIsRefusedWithWhatToDo() throws IOException {
    Path file;
    try (EmbeddingCache cache = EmbeddingCache.open(dir, encoder.descriptor())) {
      file = vectorsFile(cache);
    }
    Files.writeString(file, "this is not a cache file, but it is longer than a header is");
    assertThatThrownBy(() -> EmbeddingCache.open(dir, encoder.descriptor()))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith(file + ": not an embedding cache of all-minilm-l6-v2")
        .hasMessageContaining("does not start with FERRYEMB")
        .hasMessageContaining("delete " + file.getParent());
  }

  @Test
  void anotherMaxLengthIsAnotherCache() throws IOException {
    Encoder shorter = TestEncoders.minilmMax128();
    assertThat(shorter.descriptor().maxLength()).isEqualTo(128);
    try (EmbeddingCache full = EmbeddingCache.open(dir, encoder.descriptor());
        EmbeddingCache cut = EmbeddingCache.open(dir, shorter.descriptor())) {
      assertThat(cut.directory()).isNotEqualTo(full.directory());
      assertThat(cut.directory().getParent()).isEqualTo(dir);
      full.embed(encoder, TEXTS, null);
      cut.embed(shorter, TEXTS, null);
      assertThat(cut.misses()).isEqualTo(TEXTS.size());
      assertThatThrownBy(() -> full.embed(shorter, TEXTS, null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("max 256 tokens")
          .hasMessageContaining("max 128 tokens");
    }
  }

  @Test
  void theEncoderKeyCoversEveryFieldThatChangesTheVectorAndNothingElse() {
    EncoderDescriptor base =
        new EncoderDescriptor("m", "builtin:m", "abc", Pooling.MEAN, true, 256, 384, "q: ", "d: ");
    String key = HexFormat.of().formatHex(EmbeddingCache.encoderKey(base));
    List<EncoderDescriptor> different =
        List.of(
            new EncoderDescriptor(
                "m", "builtin:m", "abd", Pooling.MEAN, true, 256, 384, "q: ", "d: "),
            new EncoderDescriptor(
                "m", "builtin:m", "abc", Pooling.CLS, true, 256, 384, "q: ", "d: "),
            new EncoderDescriptor(
                "m", "builtin:m", "abc", Pooling.MEAN, false, 256, 384, "q: ", "d: "),
            new EncoderDescriptor(
                "m", "builtin:m", "abc", Pooling.MEAN, true, 128, 384, "q: ", "d: "),
            new EncoderDescriptor(
                "m", "builtin:m", "abc", Pooling.MEAN, true, 256, 768, "q: ", "d: "),
            new EncoderDescriptor(
                "m", "builtin:m", "abc", Pooling.MEAN, true, 256, 384, "q: ", "doc: "),
            new EncoderDescriptor(
                "m", "builtin:m", "abc", Pooling.MEAN, true, 256, 384, "q: ", ""));
    assertThat(different)
        .extracting(d -> HexFormat.of().formatHex(EmbeddingCache.encoderKey(d)))
        .doesNotContain(key)
        .doesNotHaveDuplicates();
    List<EncoderDescriptor> same =
        List.of(
            new EncoderDescriptor(
                "other-name", "/some/dir", "abc", Pooling.MEAN, true, 256, 384, "query: ", "d: "));
    assertThat(same)
        .extracting(d -> HexFormat.of().formatHex(EmbeddingCache.encoderKey(d)))
        .containsOnly(key);
  }

  @Test
  void chunkingIsPartOfTheKeyAndTheFirstWholeWindowKeepsTheKeyCachesHadBefore() {
    EncoderDescriptor d =
        new EncoderDescriptor("m", "builtin:m", "abc", Pooling.MEAN, true, 256, 384, "", "");
    String before = HexFormat.of().formatHex(EmbeddingCache.encoderKey(d));
    ChunkPooling mean = ChunkPooling.TOKEN_WEIGHTED_MEAN;
    assertThat(
            List.of(
                Chunking.FIRST_WINDOW,
                new Chunking(256, 0, 1, mean),
                new Chunking(512, 0, 1, mean)))
        .extracting(c -> HexFormat.of().formatHex(EmbeddingCache.encoderKey(d, c)))
        .containsOnly(before);
    List<Chunking> different =
        List.of(
            Chunking.DEFAULT,
            Chunking.DEFAULT.withPooling(mean),
            Chunking.DEFAULT.withPooling(ChunkPooling.FIRST_AND_MEAN),
            Chunking.FIRST_WINDOW.withPooling(ChunkPooling.FIRST_AND_MEAN),
            new Chunking(0, 16, 16, mean),
            new Chunking(0, 32, 8, mean),
            new Chunking(0, 32, 0, mean),
            new Chunking(128, 32, 16, mean),
            new Chunking(128, 0, 1, mean));
    assertThat(different)
        .extracting(c -> HexFormat.of().formatHex(EmbeddingCache.encoderKey(d, c)))
        .doesNotContain(before)
        .doesNotHaveDuplicates();
  }

  @Test
  void twoWritersOnOneFileSeeEachOthersVectorsAndNeverWriteATextTwice() throws IOException {
    try (EmbeddingCache a = EmbeddingCache.open(dir, encoder.descriptor());
        EmbeddingCache b = EmbeddingCache.open(dir, encoder.descriptor())) {
      a.embed(encoder, List.of(TEXTS.get(0), TEXTS.get(1)), null);
      assertThat(b.size()).isZero(); // not looked yet
      float[][] fromB = b.embed(encoder, List.of(TEXTS.get(1), TEXTS.get(2)), null);
      assertThat(b.hits()).isEqualTo(1); // text 1, written by a
      assertThat(b.misses()).isEqualTo(1);
      assertThat(b.size()).isEqualTo(3);
      assertThat(Files.size(vectorsFile(b)))
          .isEqualTo(EmbeddingCache.HEADER_BYTES + 3L * recordBytes());
      long before = encoder.stats().texts();
      float[][] fromA = a.embed(encoder, List.of(TEXTS.get(2)), null);
      assertThat(encoder.stats().texts()).isEqualTo(before);
      assertThat(a.hits()).isEqualTo(1); // text 2, written by b
      assertBitwiseEqual(fromA, new float[][] {fromB[1]});
      assertThat(Files.size(vectorsFile(a)))
          .isEqualTo(EmbeddingCache.HEADER_BYTES + 3L * recordBytes());
      assertThat(a.size()).isEqualTo(3);
    }
    try (EmbeddingCache c = EmbeddingCache.open(dir, encoder.descriptor())) {
      assertThat(c.size()).isEqualTo(3);
    }
  }

  @Test
  void concurrentWritersAreSerializedAndStoreEachTextOnce() throws Exception {
    List<String> left =
        IntStream.range(0, 300).mapToObj(i -> "left or shared " + (i < 100 ? i : "L" + i)).toList();
    List<String> right =
        IntStream.range(0, 300).mapToObj(i -> "left or shared " + (i < 100 ? i : "R" + i)).toList();
    try (EmbeddingCache a = EmbeddingCache.open(dir, encoder.descriptor());
        EmbeddingCache b = EmbeddingCache.open(dir, encoder.descriptor())) {
      var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
      try {
        var fa = pool.submit(() -> a.embed(encoder, left, null));
        var fb = pool.submit(() -> b.embed(encoder, right, null));
        assertThat(fa.get()).hasDimensions(300, 384);
        assertThat(fb.get()).hasDimensions(300, 384);
      } finally {
        pool.shutdown();
      }
    }
    try (EmbeddingCache c = EmbeddingCache.open(dir, encoder.descriptor())) {
      assertThat(c.size()).isEqualTo(500);
      // A text both encoded is written by whichever appended first; the other skips it.
      assertThat(Files.size(vectorsFile(c)))
          .isEqualTo(EmbeddingCache.HEADER_BYTES + 500L * recordBytes());
    }
  }

  @Test
  void anUnwritableDirectorySaysToSetFerryCacheDir() throws IOException {
    Path blocker = Files.writeString(dir.resolve("a-file"), "not a directory");
    assertThatThrownBy(() -> EmbeddingCache.open(blocker.resolve("cache"), encoder.descriptor()))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("cannot write the embedding cache in " + blocker.resolve("cache"))
        .hasMessageContaining("set FERRY_CACHE_DIR to a writable directory");
  }

  @Test
  void theDefaultCacheLivesUnderFerryCacheRoot() throws IOException {
    try (EmbeddingCache cache = EmbeddingCache.openDefault(encoder.descriptor())) {
      assertThat(cache.directory().getParent()).isEqualTo(FerryCache.root().resolve("embeddings"));
    }
  }

  @Test
  void aClosedCacheRefusesWorkAndClosingTwiceIsFine() throws IOException {
    EmbeddingCache cache = EmbeddingCache.open(dir, encoder.descriptor());
    cache.close();
    cache.close();
    assertThatThrownBy(() -> cache.embed(encoder, TEXTS, null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void aNullTextIsNamedByIndex() throws IOException {
    try (EmbeddingCache cache = EmbeddingCache.open(dir, encoder.descriptor())) {
      List<String> texts = new ArrayList<>(TEXTS);
      texts.set(2, null);
      assertThatThrownBy(() -> cache.embed(encoder, texts, null))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("text at index 2 is null");
    }
  }
}
