package dev.ferry.trainer.selection;

import dev.ferry.models.encoder.BuiltinEncoder;
import dev.ferry.models.encoder.Chunking;
import dev.ferry.models.encoder.Encoder;
import dev.ferry.models.encoder.EncoderOptions;
import dev.ferry.trainer.TrainingListener;
import dev.ferry.trainer.cache.EmbeddingCache;
import dev.ferry.trainer.data.LabeledExample;
import dev.ferry.trainer.data.StratifiedSplit;
import dev.ferry.trainer.head.HeadKind;
import dev.ferry.trainer.head.HeadSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Chooses the encoder and head from the user's data. For each candidate it measures the speed on a
 * probe of the texts ({@link SelectionSettings#probeTexts}) and counts the texts the embedding
 * cache lacks; a {@link SelectionSettings#budget} leaves out the slowest candidates until the
 * estimated embedding time fits. Each remaining candidate then embeds every text once (through the
 * cache, held-out texts too, so that training the chosen pair afterwards embeds nothing), and each
 * head is scored by stratified k-fold cross-validation on the training examples alone. The choice
 * is the highest mean macro-F1; pairs within {@link SelectionSettings#TIE_MARGIN} of it tie, and
 * the fastest encoder among them wins.
 */
public final class EncoderSelector {
  private EncoderSelector() {}

  /**
   * What the selection runs on.
   *
   * @param train the training examples: they are embedded and cross-validated
   * @param heldOutTexts texts embedded too (into the cache) but never scored, so that training with
   *     the chosen encoder finds every vector cached
   * @param labels the class names, sorted; a class id is an index into it
   * @param head the head settings the user gave: the head of that kind uses them, the other kinds
   *     their presets with its seed and class balancing ({@link #headSettings})
   * @param innerSplit the share of each fold's training examples held out for early stopping
   * @param encoderOptions how the encoders run
   * @param chunking how long texts are read
   * @param cache whether to use the embedding cache
   * @param cacheDirectory the cache's folder; null for the default
   */
  public record Input(
      List<LabeledExample> train,
      List<String> heldOutTexts,
      List<String> labels,
      HeadSettings head,
      double innerSplit,
      EncoderOptions encoderOptions,
      Chunking chunking,
      boolean cache,
      Path cacheDirectory) {
    /** Checks and copies the lists. */
    public Input {
      train = List.copyOf(train);
      heldOutTexts = List.copyOf(heldOutTexts);
      labels = List.copyOf(labels);
      Objects.requireNonNull(head, "head");
      Objects.requireNonNull(encoderOptions, "encoderOptions");
      Objects.requireNonNull(chunking, "chunking");
    }
  }

  /**
   * The settings of a head of {@code kind}: {@code given} when it is of that kind, otherwise the
   * kind's preset with {@code given}'s seed and class balancing.
   */
  public static HeadSettings headSettings(HeadSettings given, HeadKind kind) {
    return given.kind() == kind
        ? given
        : HeadSettings.defaults(kind)
            .withSeed(given.seed())
            .withBalanceClasses(given.balanceClasses());
  }

  /**
   * Runs the selection.
   *
   * @throws BudgetTooSmallException if the budget does not cover even the fastest candidate
   * @throws IOException if the embedding cache cannot be read or written
   */
  public static EncoderSelection select(
      SelectionSettings settings, Input input, TrainingListener listener) throws IOException {
    long start = System.nanoTime();
    long seed = input.head().seed();
    List<String> texts = new ArrayList<>(input.train().size() + input.heldOutTexts().size());
    input.train().forEach(e -> texts.add(e.text()));
    texts.addAll(input.heldOutTexts());
    int folds = StratifiedSplit.foldCount(input.train(), settings.folds());
    int[] fold = StratifiedSplit.folds(input.train(), settings.folds(), seed);
    listener.stage(
        String.format(
            Locale.ROOT,
            "Choosing the encoder: %d encoder%s x %d head%s, %d-fold cross-validation on %,d"
                + " training examples",
            settings.candidates().size(),
            settings.candidates().size() == 1 ? "" : "s",
            settings.heads().size(),
            settings.heads().size() == 1 ? "" : "s",
            folds,
            input.train().size()));

    List<String> probe = SpeedProbe.sample(texts, settings.probeTexts());
    List<Budget.Estimate> estimates = new ArrayList<>();
    Map<BuiltinEncoder, Double> speed = new LinkedHashMap<>();
    for (BuiltinEncoder candidate : settings.candidates()) {
      listener.stage("Measuring " + candidate.id() + " on " + probe.size() + " of your texts");
      try (Encoder encoder = Encoder.open(candidate, input.encoderOptions())) {
        double perSecond = SpeedProbe.textsPerSecond(encoder, probe, input.chunking());
        int uncached;
        if (input.cache()) {
          try (EmbeddingCache cache = openCache(input, encoder)) {
            uncached = cache.missing(texts);
          }
        } else {
          uncached = new HashSet<>(texts).size();
        }
        speed.put(candidate, perSecond);
        estimates.add(new Budget.Estimate(candidate, perSecond, uncached));
        listener.note(
            String.format(
                Locale.ROOT,
                "%s: %.1f texts/s; %,d of %,d texts to embed (about %.0f s)",
                candidate.id(),
                perSecond,
                uncached,
                new HashSet<>(texts).size(),
                estimates.getLast().seconds()));
      }
    }
    List<BuiltinEncoder> leftOut = List.of();
    if (settings.budget() != null) {
      double left = settings.budget().toMillis() / 1000.0 - (System.nanoTime() - start) / 1e9;
      leftOut = Budget.leaveOut(estimates, left, settings.budget());
      for (BuiltinEncoder e : leftOut) {
        listener.note(e.id() + " is left out: the budget does not cover embedding with it");
      }
    }

    List<EncoderSelection.Candidate> candidates = new ArrayList<>();
    List<EncoderSelection.Pick> pairs = new ArrayList<>();
    int n = 0;
    int kept = settings.candidates().size() - leftOut.size();
    for (Budget.Estimate estimate : estimates) {
      BuiltinEncoder candidate = estimate.encoder();
      if (leftOut.contains(candidate)) {
        candidates.add(
            new EncoderSelection.Candidate(
                candidate,
                estimate.textsPerSecond(),
                estimate.uncached(),
                0,
                Map.of(),
                "over the budget"));
        continue;
      }
      n++;
      listener.stage(
          String.format(
              Locale.ROOT,
              "Embedding %,d texts with %s (encoder %d of %d)",
              texts.size(),
              candidate.id(),
              n,
              kept));
      long embedStart = System.nanoTime();
      float[][] vectors = embed(input, candidate, texts, listener);
      double embedSeconds = (System.nanoTime() - embedStart) / 1e9;
      Map<HeadKind, FoldScores> scores = new LinkedHashMap<>();
      for (HeadKind kind : settings.heads()) {
        HeadSettings head = headSettings(input.head(), kind);
        FoldScores s =
            CrossValidation.score(
                input.train(), vectors, input.labels(), fold, folds, head, input.innerSplit());
        scores.put(kind, s);
        pairs.add(new EncoderSelection.Pick(candidate, head, s));
        listener.note(
            String.format(
                Locale.ROOT,
                "%s + %s: cross-validated macro-F1 %.3f ± %.3f",
                candidate.id(),
                kind.id(),
                s.mean(),
                s.std()));
      }
      candidates.add(
          new EncoderSelection.Candidate(
              candidate,
              estimate.textsPerSecond(),
              estimate.uncached(),
              embedSeconds,
              scores,
              null));
    }
    List<EncoderSelection.Pick> ranked = Chooser.choose(pairs, speed);
    EncoderSelection selection =
        new EncoderSelection(
            settings,
            folds,
            seed,
            candidates,
            ranked.get(0),
            ranked.size() > 1 ? ranked.get(1) : null);
    listener.note(selection.summary());
    return selection;
  }

  private static float[][] embed(
      Input input, BuiltinEncoder candidate, List<String> texts, TrainingListener listener)
      throws IOException {
    try (Encoder encoder = Encoder.open(candidate, input.encoderOptions())) {
      if (input.cache()) {
        try (EmbeddingCache cache = openCache(input, encoder)) {
          return cache.embed(encoder, texts, listener::embedded);
        }
      }
      float[][] vectors =
          encoder.embedDocuments(texts, input.chunking()).stream()
              .map(input.chunking().pooling()::features)
              .toArray(float[][]::new);
      listener.embedded(texts.size(), texts.size());
      return vectors;
    }
  }

  private static EmbeddingCache openCache(Input input, Encoder encoder) throws IOException {
    return input.cacheDirectory() == null
        ? EmbeddingCache.openDefault(encoder.descriptor(), input.chunking())
        : EmbeddingCache.open(input.cacheDirectory(), encoder.descriptor(), input.chunking());
  }
}
