package dev.ferry.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.models.bundle.BundleLoadException;
import dev.ferry.models.bundle.ClassifiedDocument;
import dev.ferry.models.bundle.Classifier;
import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.models.encoder.BuiltinEncoder;
import dev.ferry.models.encoder.ChunkEmbedding;
import dev.ferry.models.encoder.ChunkPooling;
import dev.ferry.models.encoder.Chunking;
import dev.ferry.models.encoder.EncoderOptions;
import dev.ferry.trainer.data.BadDataException;
import dev.ferry.trainer.data.LabeledDataReader;
import dev.ferry.trainer.head.HeadKind;
import dev.ferry.trainer.head.HeadSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole training job with the real MiniLM encoder on a small two-topic set. */
class TrainerTest {
  static final List<String> SPORT =
      List.of(
          "The striker scored twice in the second half to win the match.",
          "The home team lost the final after a penalty shootout.",
          "She won the marathon in record time despite the heat.",
          "The goalkeeper saved three shots in the first ten minutes.",
          "Our club signed a new midfielder before the transfer deadline.",
          "The tennis champion was knocked out in the quarter-final.",
          "The coach was sacked after five defeats in a row.",
          "The cyclist took the yellow jersey on the mountain stage.",
          "A late touchdown gave the visitors a narrow victory.",
          "The sprinter false-started and was disqualified from the race.",
          "The basketball team clinched the title with a buzzer-beater.",
          "Fans filled the stadium for the derby on Sunday.",
          "The referee sent off two players for fighting.",
          "He broke the world record in the hundred metre freestyle.");
  static final List<String> COOKING =
      List.of(
          "Simmer the onions in butter until they turn golden.",
          "Knead the dough for ten minutes, then let it rise.",
          "Season the soup with salt, pepper and a little nutmeg.",
          "Whisk the eggs with sugar until pale and fluffy.",
          "Roast the chicken at two hundred degrees for an hour.",
          "Chop the garlic finely and fry it in olive oil.",
          "Let the cake cool before you spread the icing.",
          "Add the rice and stir until every grain is coated.",
          "Marinate the beef overnight in soy sauce and ginger.",
          "Bake the bread until the crust sounds hollow when tapped.",
          "Fold the cream gently into the chocolate mixture.",
          "Blanch the beans in boiling water, then cool them in ice.",
          "Grate the cheese over the pasta just before serving.",
          "Reduce the sauce until it coats the back of a spoon.");

  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path dir;
  static Path trainFile;
  static Path testFile;

  @BeforeAll
  static void writeData() throws IOException {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < SPORT.size(); i++) {
      lines.add(line("s" + i, SPORT.get(i), "sport"));
      lines.add(line("c" + i, COOKING.get(i), "cooking"));
      if (i == 5) {
        lines.add("{\"text\": \"a row without a label\"}");
      }
    }
    trainFile = Files.write(dir.resolve("train.jsonl"), lines);
    testFile =
        Files.write(
            dir.resolve("test.jsonl"),
            List.of(
                line("t1", "The winger crossed for a header in stoppage time.", "sport"),
                line("t2", "Stir the custard over a low heat until it thickens.", "cooking"),
                line("t3", "The relay team finished second at the championships.", "sport"),
                line("t4", "Brown the sausages, then add the tomatoes and herbs.", "cooking")));
  }

  static String line(String id, String text, String label) {
    return "{\"id\": \"" + id + "\", \"text\": \"" + text + "\", \"label\": \"" + label + "\"}";
  }

  private static TrainingConfig.Builder config(Path out, Path cache) {
    // The chunking assertions count MiniLM's 256-token windows.
    return TrainingConfig.builder(trainFile, out)
        .encoder(BuiltinEncoder.ALL_MINILM_L6_V2.id())
        .skipBad(true)
        .cacheDirectory(cache)
        .encoderOptions(EncoderOptions.defaults().withIntraOpThreads(1))
        .head(HeadSettings.defaults(HeadKind.LINEAR).withEpochs(30));
  }

  @Test
  void trainsWritesAReloadableBundleAndReusesTheEmbeddingCache() throws IOException {
    Path cache = dir.resolve("cache-a");
    List<String> stages = new ArrayList<>();
    TrainingListener listener =
        new TrainingListener() {
          @Override
          public void stage(String description) {
            stages.add(description);
          }
        };
    TrainingResult first = Trainer.train(config(dir.resolve("bundle-a"), cache).build(), listener);
    assertThat(stages).hasSize(5);
    assertThat(stages.get(3)).startsWith("Refitting on all 28 examples");
    assertThat(first.refitExamples()).isEqualTo(28);
    assertThat(first.trainExamples() + first.validExamples()).isEqualTo(28);
    assertThat(first.embeddedTexts()).isEqualTo(28);
    assertThat(first.embeddingCacheHits()).isZero();
    assertThat(first.validation().orElseThrow().accuracy()).isGreaterThanOrEqualTo(0.8);

    ModelBundle bundle = ModelBundle.open(dir.resolve("bundle-a"));
    assertThat(bundle.labels()).containsExactly("cooking", "sport");
    assertThat(bundle.manifest().encoder().id()).isEqualTo("all-minilm-l6-v2");
    assertThat(bundle.manifest().encoder().file()).isNull();
    assertThat(bundle.manifest().files()).containsOnlyKeys("head.onnx");
    JsonNode training = bundle.manifest().training();
    assertThat(training.at("/data/train_sha256").asText()).hasSize(64);
    assertThat(training.at("/data/bad_rows_skipped").asInt()).isEqualTo(1);
    assertThat(training.at("/data/label_counts/sport").asInt()).isEqualTo(14);
    assertThat(training.at("/hyperparameters/head").asText()).isEqualTo("linear");
    // The linear head records the regularization the held-out set chose, and none of the MLP's
    // epochs and rates, which it does not read.
    assertThat(dev.ferry.trainer.head.HeadSettings.REGULARIZATION_GRID)
        .contains(training.at("/hyperparameters/regularization").asDouble());
    assertThat(training.at("/hyperparameters").has("learning_rate")).isFalse();
    assertThat(training.at("/hyperparameters").has("epochs")).isFalse();
    assertThat(training.at("/temperature").asDouble()).isPositive();
    assertThat(training.at("/refit_on_all_examples").asBoolean()).isTrue();
    assertThat(bundle.manifest().metrics().at("/validation/macro_f1").isNumber()).isTrue();
    assertThat(bundle.reportIndex()).isRegularFile();
    assertThat(bundle.directory().resolve("report/metrics.json")).isRegularFile();

    try (Classifier classifier =
        bundle.openClassifier(EncoderOptions.defaults().withIntraOpThreads(1))) {
      assertThat(classifier.classify("The batsman hit a century at Lord's.").label())
          .isEqualTo("sport");
      assertThat(classifier.classify("Whip the cream with vanilla and icing sugar.").label())
          .isEqualTo("cooking");
    }
    Evaluation.Result eval =
        Evaluation.evaluate(
            bundle,
            testFile,
            LabeledDataReader.Options.defaults(),
            EncoderOptions.defaults().withIntraOpThreads(1),
            null);
    assertThat(eval.metrics().examples()).isEqualTo(4);
    assertThat(eval.metrics().accuracy()).isEqualTo(1.0);

    // Other hyperparameters: every embedding comes from the cache; same seed, same head.
    TrainingResult second =
        Trainer.train(
            config(dir.resolve("bundle-b"), cache)
                .head(HeadSettings.defaults(HeadKind.MLP).withEpochs(10))
                .build(),
            TrainingListener.NONE);
    assertThat(second.embeddedTexts()).isZero();
    assertThat(second.embeddingCacheHits()).isEqualTo(28);
    TrainingResult again =
        Trainer.train(config(dir.resolve("bundle-a"), cache).build(), TrainingListener.NONE);
    assertThat(Files.readAllBytes(again.bundle().directory().resolve("head.onnx")))
        .isEqualTo(first.head().onnx());
  }

  @Test
  void aCachedVectorThatFailsItsChecksumIsEmbeddedAgainAndTheRunSaysWhichFile() throws IOException {
    Path cache = dir.resolve("cache-corrupt");
    Trainer.train(config(dir.resolve("bundle-corrupt"), cache).build(), TrainingListener.NONE);
    Path vectors;
    try (var files = Files.walk(cache)) {
      vectors =
          files
              .filter(p -> p.getFileName().toString().equals("vectors.bin"))
              .findFirst()
              .orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(vectors);
    bytes[bytes.length - 100] ^= 0x40; // a flipped bit in the last record's vector
    Files.write(vectors, bytes);

    List<String> notes = new ArrayList<>();
    TrainingResult again =
        Trainer.train(
            config(dir.resolve("bundle-corrupt"), cache).build(),
            new TrainingListener() {
              @Override
              public void note(String message) {
                notes.add(message);
              }
            });
    assertThat(again.embeddedTexts()).isEqualTo(1);
    assertThat(notes)
        .contains(
            "1 vector in the embedding cache "
                + vectors
                + " failed its checksum; its text was embedded again");
    assertThat(again.bundle().reportIndex()).content().contains("failed its checksum");
  }

  @Test
  void oneExamplePerClassHoldsNothingOutAndSaysSoInsteadOfScoring() throws IOException {
    Path data =
        Files.write(
            dir.resolve("one-each.jsonl"),
            List.of(
                line("s", SPORT.get(0), "sport"),
                line("c", COOKING.get(0), "cooking"),
                line("o", "Shares fell.", "other")));
    Path out = dir.resolve("bundle-one-each");
    List<String> notes = new ArrayList<>();
    TrainingResult r =
        Trainer.train(
            TrainingConfig.builder(data, out)
                .cacheDirectory(dir.resolve("cache-one-each"))
                .encoderOptions(EncoderOptions.defaults().withIntraOpThreads(1))
                .head(HeadSettings.defaults(HeadKind.LINEAR).withEpochs(5))
                .build(),
            new TrainingListener() {
              @Override
              public void note(String message) {
                notes.add(message);
              }
            });
    assertThat(r.validExamples()).isZero();
    assertThat(r.validation()).isEmpty();
    assertThat(r.noValidationReason())
        .startsWith("no held-out data: 3 examples, too few per class to hold out");
    assertThat(notes).contains(r.noValidationReason());

    // The manifest records no metrics rather than the zeros of an empty set.
    JsonNode metrics = ModelBundle.open(out).manifest().metrics();
    assertThat(metrics.get("validation").isNull()).isTrue();
    assertThat(metrics.get("no_validation_reason").asText()).isEqualTo(r.noValidationReason());
    assertThat(
            JSON.readTree(out.resolve("report/metrics.json").toFile()).get("validation").isNull())
        .isTrue();
    String page = Files.readString(r.bundle().reportIndex());
    assertThat(page)
        .contains("no held-out data: 3 examples, too few per class to hold out")
        .contains("none: 3 examples, too few per class")
        .doesNotContain("on the held-out set");
  }

  @Test
  void withoutRefitTheBundleHoldsTheHeadThatWasScored() throws IOException {
    Path cache = dir.resolve("cache-refit");
    TrainingResult refit =
        Trainer.train(config(dir.resolve("bundle-refit"), cache).build(), TrainingListener.NONE);
    TrainingResult scored =
        Trainer.train(
            config(dir.resolve("bundle-scored"), cache).refit(false).build(),
            TrainingListener.NONE);
    assertThat(scored.refitExamples()).isZero();
    assertThat(scored.bundle().manifest().training().at("/refit_on_all_examples").asBoolean())
        .isFalse();
    // Same split and seed: the scored heads are the same, so the metrics agree; the bundles differ.
    assertThat(scored.validation().orElseThrow().macroF1())
        .isEqualTo(refit.validation().orElseThrow().macroF1());
    assertThat(scored.head().onnx()).isNotEqualTo(refit.head().onnx());
  }

  @Test
  void everyHeadKindTrains() throws IOException {
    for (HeadKind kind : HeadKind.values()) {
      TrainingResult r =
          Trainer.train(
              config(dir.resolve("bundle-" + kind.id()), dir.resolve("cache-kinds"))
                  .head(HeadSettings.defaults(kind).withEpochs(20))
                  .build(),
              TrainingListener.NONE);
      assertThat(r.bundle().manifest().head().kind()).isEqualTo(kind.id());
      assertThat(r.validation().orElseThrow().accuracy()).as(kind.id()).isGreaterThanOrEqualTo(0.8);
    }
  }

  @Test
  void badRowWithoutSkipBadStopsWithFileAndLine() {
    assertThatThrownBy(
            () ->
                Trainer.train(
                    config(dir.resolve("bundle-bad"), dir.resolve("cache-bad"))
                        .skipBad(false)
                        .build(),
                    TrainingListener.NONE))
        .isInstanceOf(BadDataException.class)
        .hasMessageContaining("train.jsonl:13:")
        .hasMessageContaining("skip bad");
    assertThat(dir.resolve("bundle-bad")).doesNotExist();
  }

  @Test
  void byDefaultTheHeadReadsTheFirstChunkTheMeanAndTheMaximumOverChunks() throws IOException {
    Path bundleDir = dir.resolve("bundle-first-mean-max");
    Trainer.train(
        config(bundleDir, dir.resolve("cache-first-mean-max")).build(), TrainingListener.NONE);
    ModelBundle bundle = ModelBundle.open(bundleDir);
    assertThat(bundle.chunking()).isEqualTo(Chunking.DEFAULT);
    assertThat(bundle.chunking().pooling()).isEqualTo(ChunkPooling.FIRST_MEAN_MAX);
    assertThat(bundle.headWidth()).isEqualTo(3 * bundle.dimension());
    JsonNode manifest = ModelBundle.json().readTree(bundleDir.resolve("manifest.json").toFile());
    assertThat(manifest.at("/encoder/chunking/pooling").asText()).isEqualTo("first_mean_max");

    String text =
        String.join(" ", COOKING) + " " + String.join(" ", SPORT) + " " + String.join(" ", SPORT);
    try (Classifier classifier =
        bundle.openClassifier(EncoderOptions.defaults().withIntraOpThreads(1))) {
      ClassifiedDocument whole = classifier.classifyDocuments(List.of(text)).get(0);
      List<ChunkEmbedding> chunks = whole.embedding().chunks();
      assertThat(chunks).hasSizeGreaterThan(2);
      int dim = bundle.dimension();
      float[] features = whole.features();
      assertThat(features).hasSize(3 * dim);
      // Three blocks, each a third: the first chunk, the mean, the maximum over chunks.
      for (int k = 0; k < dim; k++) {
        float max = Float.NEGATIVE_INFINITY;
        for (ChunkEmbedding c : chunks) {
          max = Math.max(max, c.vector()[k]);
        }
        assertThat(features[k]).isEqualTo(chunks.get(0).vector()[k] * (1f / 3));
        assertThat(features[dim + k]).isEqualTo(whole.embedding().vector()[k] * (1f / 3));
        assertThat(features[2 * dim + k]).isEqualTo(max * (1f / 3));
      }
      assertThat(classifier.head().predict(new float[][] {features}).get(0).probabilities())
          .containsExactly(whole.prediction().probabilities());
      // A short text is one chunk: the head reads a third of its vector three times.
      ClassifiedDocument one = classifier.classifyDocuments(List.of(SPORT.get(0))).get(0);
      assertThat(one.embedding().chunks()).hasSize(1);
      for (int block = 0; block < 3; block++) {
        for (int k = 0; k < dim; k++) {
          assertThat(one.features()[block * dim + k])
              .isEqualTo(one.embedding().vector()[k] * (1f / 3));
        }
      }
      assertThat(one.prediction().label()).isEqualTo("sport");
    }

    Path manifestFile = bundleDir.resolve("manifest.json");
    ((com.fasterxml.jackson.databind.node.ObjectNode) manifest.at("/encoder/chunking"))
        .put("pooling", "median");
    ModelBundle.json().writeValue(manifestFile.toFile(), manifest);
    assertThatThrownBy(() -> ModelBundle.open(bundleDir))
        .isInstanceOf(BundleLoadException.class)
        .hasMessageContaining("manifest.json: encoder chunking:")
        .hasMessageContaining("unknown chunk pooling 'median'")
        .hasMessageContaining("first_mean_max");
  }

  @Test
  void longTextsAreReadWholeInChunksAndTheBundleRecordsHow() throws IOException {
    Path bundleDir = dir.resolve("bundle-chunks");
    Chunking meanOnly = Chunking.DEFAULT.withPooling(ChunkPooling.TOKEN_WEIGHTED_MEAN);
    Trainer.train(
        config(bundleDir, dir.resolve("cache-chunks")).chunking(meanOnly).build(),
        TrainingListener.NONE);
    ModelBundle bundle = ModelBundle.open(bundleDir);
    assertThat(bundle.chunking()).isEqualTo(meanOnly);
    assertThat(bundle.headWidth()).isEqualTo(bundle.dimension());
    JsonNode manifest = ModelBundle.json().readTree(bundleDir.resolve("manifest.json").toFile());
    assertThat(manifest.at("/encoder/chunking/overlap_tokens").asInt()).isEqualTo(32);
    assertThat(manifest.at("/encoder/chunking/max_chunks").asInt()).isEqualTo(16);
    assertThat(manifest.at("/encoder/chunking/pooling").asText()).isEqualTo("token_weighted_mean");

    // Cooking first (inside the first window), then three times as much sport.
    String text =
        String.join(" ", COOKING)
            + " "
            + String.join(" ", SPORT)
            + " "
            + String.join(" ", SPORT)
            + " "
            + String.join(" ", SPORT);
    try (Classifier classifier =
        bundle.openClassifier(EncoderOptions.defaults().withIntraOpThreads(1))) {
      ClassifiedDocument whole = classifier.classifyDocuments(List.of(text)).get(0);
      assertThat(whole.embedding().chunks()).hasSizeGreaterThan(2);
      assertThat(whole.embedding().complete()).isTrue();
      assertThat(whole.prediction().label()).isEqualTo("sport");
      assertThat(classifier.classify(text).probabilities())
          .containsExactly(whole.prediction().probabilities());
      assertThat(
              classifier
                  .head()
                  .predict(new float[][] {whole.embedding().vector()})
                  .get(0)
                  .probabilities())
          .containsExactly(whole.prediction().probabilities());
      ClassifiedDocument first =
          classifier.classifyDocuments(List.of(text), Chunking.FIRST_WINDOW).get(0);
      assertThat(first.embedding().chunks()).hasSize(1);
      assertThat(first.prediction().label()).isEqualTo("cooking");
    }

    // A bundle made before chunking existed reads the first window only.
    Path manifestFile = bundleDir.resolve("manifest.json");
    ((com.fasterxml.jackson.databind.node.ObjectNode) manifest.get("encoder")).remove("chunking");
    ModelBundle.json().writeValue(manifestFile.toFile(), manifest);
    assertThat(ModelBundle.open(bundleDir).chunking()).isEqualTo(Chunking.FIRST_WINDOW);
    ((com.fasterxml.jackson.databind.node.ObjectNode) manifest.get("encoder"))
        .putObject("chunking")
        .put("max_tokens", 64)
        .put("overlap_tokens", 40)
        .put("max_chunks", 4)
        .put("pooling", "token_weighted_mean");
    ModelBundle.json().writeValue(manifestFile.toFile(), manifest);
    assertThatThrownBy(() -> ModelBundle.open(bundleDir))
        .isInstanceOf(BundleLoadException.class)
        .hasMessageContaining("manifest.json: encoder chunking:");
  }

  @Test
  void aChangedOrBrokenBundleIsRefusedWithTheReason() throws IOException {
    Path bundle = dir.resolve("bundle-tamper");
    Trainer.train(config(bundle, dir.resolve("cache-tamper")).build(), TrainingListener.NONE);
    ModelBundle.open(bundle);

    Path head = bundle.resolve("head.onnx");
    byte[] original = Files.readAllBytes(head);
    byte[] changed = original.clone();
    changed[changed.length - 1] ^= 1;
    Files.write(head, changed);
    assertThatThrownBy(() -> ModelBundle.open(bundle))
        .isInstanceOf(BundleLoadException.class)
        .hasMessageContaining("head.onnx: SHA-256 is")
        .hasMessageContaining("changed after the bundle was written");
    Files.write(head, original);

    Path manifest = bundle.resolve("manifest.json");
    String json = Files.readString(manifest);
    Files.writeString(manifest, json.replace("\"format_version\" : 1", "\"format_version\" : 9"));
    assertThatThrownBy(() -> ModelBundle.open(bundle))
        .hasMessageContaining("made by a newer Ferry");
    Files.writeString(manifest, json.replace("\"sport\" ]", "\"sport\", \"news\" ]"));
    assertThatThrownBy(() -> ModelBundle.open(bundle))
        .hasMessageContaining("gives 2 probabilities per text but the manifest has 3 labels");
    Files.writeString(manifest, "{ not json");
    assertThatThrownBy(() -> ModelBundle.open(bundle))
        .hasMessageContaining("manifest.json: not a valid manifest");
    Files.delete(manifest);
    assertThatThrownBy(() -> ModelBundle.open(bundle)).hasMessageContaining("not a model bundle");
  }

  @Test
  void refusesToOverwriteAFolderThatIsNotABundle() throws IOException {
    Path precious = Files.createDirectories(dir.resolve("precious"));
    Files.writeString(precious.resolve("notes.txt"), "keep me");
    assertThatThrownBy(
            () ->
                Trainer.train(
                    config(precious, dir.resolve("cache-p")).build(), TrainingListener.NONE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "output folder " + precious + " is not empty and is not a model bundle")
        .hasMessageContaining("notes.txt");
    assertThat(precious.resolve("notes.txt")).hasContent("keep me");
  }

  @Test
  void refusesABundleFolderHoldingOtherFilesBeforeReadingTheData() throws IOException {
    // A bundle (its own files) with the user's notes beside them.
    Path bundle = Files.createDirectories(dir.resolve("bundle-with-notes"));
    Files.writeString(bundle.resolve("manifest.json"), "{}");
    Files.writeString(bundle.resolve("head.onnx"), "");
    Files.createDirectories(bundle.resolve("report"));
    Files.writeString(bundle.resolve("notes.txt"), "keep me");
    Files.createDirectories(bundle.resolve("drafts"));
    // The data does not exist: the refusal comes before anything is read, embedded or trained.
    TrainingConfig config =
        TrainingConfig.builder(dir.resolve("no-such-data.jsonl"), bundle).build();
    assertThatThrownBy(config::checkOutput)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "output folder "
                + bundle
                + " holds drafts/, notes.txt besides the model bundle: replacing"
                + " the bundle would delete them; choose another output folder, or move those files out of it");
    assertThatThrownBy(() -> Trainer.train(config, TrainingListener.NONE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("notes.txt");
    assertThat(bundle.resolve("notes.txt")).hasContent("keep me");
    assertThat(bundle.resolve("manifest.json")).hasContent("{}");

    Path file = Files.writeString(dir.resolve("a-file"), "x");
    assertThatThrownBy(
            () ->
                Trainer.train(
                    TrainingConfig.builder(dir.resolve("no-such-data.jsonl"), file).build(),
                    TrainingListener.NONE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("output folder " + file + " is a file, not a folder");
    // An empty folder, a missing one and a bundle of its own files alone are fine.
    Files.delete(bundle.resolve("notes.txt"));
    Files.delete(bundle.resolve("drafts"));
    for (Path ok :
        List.of(
            bundle, Files.createDirectories(dir.resolve("empty")), dir.resolve("missing/deeper"))) {
      TrainingConfig.builder(trainFile, ok).build().checkOutput();
    }
  }
}
