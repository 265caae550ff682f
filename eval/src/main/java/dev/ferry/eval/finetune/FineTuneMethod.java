package dev.ferry.eval.finetune;

import dev.ferry.trainer.finetune.FineTuneSettings;
import dev.ferry.trainer.finetune.HeadStart;
import dev.ferry.trainer.finetune.Objective;
import java.util.Locale;

/**
 * One way of training that {@link FineTuneAccuracy} scores: {@code NAME} or {@code
 * NAME:key=value,...}, where NAME is {@code features}, {@code finetune} (its preset), {@code full}
 * (the preset with every layer and the embedding tables), {@code lora} or {@code contrastive}, and
 * the keys change the preset: {@code lr}, {@code head} (head rate factor), {@code epochs}, {@code
 * batch}, {@code unfreeze} (N or all), {@code embeddings} (true: the embedding tables train with
 * every layer), {@code loss} ({@code cosine-pairs}, {@code supcon}), {@code temp}, {@code dropout},
 * {@code warmup}, {@code decay} (layer decay), {@code wd}, {@code clip} (gradient-norm clipping, 0:
 * none), {@code start} ({@code probe}, {@code random}), {@code tokens}; {@code int8=true} scores
 * the int8-quantized encoder too.
 *
 * @param name as written, for the results
 */
record FineTuneMethod(String name, Kind kind, FineTuneSettings settings, boolean int8) {
  /** The base recipe. */
  enum Kind {
    FEATURES,
    FINETUNE,
    FULL,
    LORA,
    CONTRASTIVE;

    /** The tuned encoder's id suffix. */
    String id() {
      return this == FULL ? "finetune" : name().toLowerCase(Locale.ROOT);
    }
  }

  static FineTuneMethod parse(String spec) {
    String[] parts = spec.trim().split(":", 2);
    Kind kind = Kind.valueOf(parts[0].trim().toUpperCase(Locale.ROOT));
    FineTuneSettings s =
        switch (kind) {
          case FEATURES, FINETUNE -> FineTuneSettings.finetune();
          // Every layer and the embedding tables: full fine-tuning as the PyTorch reference does
          // it.
          case FULL ->
              FineTuneSettings.finetune()
                  .withUnfreeze(FineTuneSettings.ALL)
                  .withTrainEmbeddings(true);
          case LORA -> FineTuneSettings.lora();
          case CONTRASTIVE -> FineTuneSettings.contrastive();
        };
    boolean int8 = false;
    if (parts.length > 1) {
      for (String kv : parts[1].split(",")) {
        String[] p = kv.split("=", 2);
        if (p.length != 2) {
          throw new IllegalArgumentException("expected key=value in '" + spec + "', found " + kv);
        }
        String v = p[1].trim();
        FineTuneSettings.Builder b = s.toBuilder();
        switch (p[0].trim()) {
          case "lr" -> b.learningRate(Double.parseDouble(v));
          case "head" -> b.headRateFactor(Double.parseDouble(v));
          case "epochs" -> b.epochs(Integer.parseInt(v));
          case "batch" -> b.batchSize(Integer.parseInt(v));
          case "unfreeze" ->
              b.unfreeze(v.equals("all") ? FineTuneSettings.ALL : Integer.parseInt(v));
          case "embeddings" -> b.trainEmbeddings(Boolean.parseBoolean(v));
          case "loss" -> b.objective(Objective.fromId(v));
          case "temp" -> b.temperature(Double.parseDouble(v));
          case "dropout" -> b.dropout(Double.parseDouble(v));
          case "warmup" -> b.warmupFraction(Double.parseDouble(v));
          case "decay" -> b.layerDecay(Double.parseDouble(v));
          case "wd" -> b.weightDecay(Double.parseDouble(v));
          case "clip" -> b.clipNorm(Double.parseDouble(v));
          case "start" -> b.headStart(HeadStart.fromId(v));
          case "tokens" -> b.maxTokens(Integer.parseInt(v));
          case "int8" -> int8 = Boolean.parseBoolean(v);
          default -> throw new IllegalArgumentException("unknown key '" + p[0] + "' in " + spec);
        }
        s = b.build();
      }
    }
    return new FineTuneMethod(spec.trim(), kind, s, int8);
  }
}
