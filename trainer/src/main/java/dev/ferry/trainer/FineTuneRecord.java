package dev.ferry.trainer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.models.encoder.Chunking;
import dev.ferry.models.encoder.EncoderDescriptor;
import dev.ferry.trainer.finetune.FineTuneResult;
import dev.ferry.trainer.finetune.FineTuneSettings;
import dev.ferry.trainer.finetune.Quantization;
import dev.ferry.trainer.finetune.TrainOn;
import dev.ferry.trainer.finetune.UnfreezeSchedule;
import dev.ferry.trainer.head.HeadKind;
import dev.ferry.trainer.head.TrainedHead;
import dev.ferry.trainer.loop.EarlyStopping;
import dev.ferry.trainer.metrics.MetricsJson;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What a fine-tuning run records of itself, from its settings and results: the manifest's training
 * provenance, the report's facts and its note on how texts were read. {@link FineTuneJob} trains;
 * this class only describes.
 */
final class FineTuneRecord {
  private FineTuneRecord() {}

  static String readingNote(FineTuneSettings s, Chunking window, int chunks, boolean contrastive) {
    String steps;
    if (contrastive) {
      steps =
          s.batchSize()
              + " texts per step drawn evenly over the labels, each compared by its chunks' mean";
    } else if (s.trainOn() == TrainOn.DOCUMENTS) {
      steps =
          "whole texts per step, the training head reading "
              + s.chunkPooling().id()
              + " of each text's chunk vectors";
    } else {
      steps = "every chunk with its text's label, the training head reading each chunk alone";
    }
    return "Each text was read in training as "
        + window
        + " ("
        + chunks
        + " training chunks), "
        + steps
        + "; the bundle reads documents the same way, and its head, fitted on the tuned encoder's"
        + " vectors, classifies "
        + window.pooling().id()
        + " of a document's chunk vectors.";
  }

  /**
   * What trains, in words: "the top 2 layers", "rank-8 adapters on the attention of every layer
   * (opened one per epoch)".
   */
  static String describe(FineTuneSettings s) {
    return (s.rank() > 0 ? "rank-" + s.rank() + " adapters on the attention of " : "")
        + (s.unfreeze() == FineTuneSettings.ALL
            ? "every layer"
                + (s.rank() == 0 && !s.trainEmbeddings() ? " (the embeddings frozen)" : "")
            : "the top " + s.unfreeze() + (s.unfreeze() == 1 ? " layer" : " layers"))
        + (s.unfreezeSchedule() == UnfreezeSchedule.GRADUAL ? " (opened one per epoch)" : "");
  }

  static ObjectNode provenance(
      TrainingConfig config,
      TrainingData d,
      FineTuneSettings s,
      EncoderDescriptor base,
      FineTuneResult r,
      TrainedHead keptHead,
      double seconds)
      throws IOException {
    ObjectNode t = d.provenance(config);
    ObjectNode h = t.putObject("hyperparameters");
    h.put("mode", config.mode().id());
    h.put("head", keptHead.settings().kind().id());
    Provenance.put(h, s);
    h.put("max_examples", config.maxExamples());
    Provenance.put(t.putObject("head_hyperparameters"), keptHead.settings());
    ObjectNode b = t.putObject("base_encoder");
    b.put("id", base.id());
    b.put("source", base.source());
    b.put("sha256", base.modelSha256());
    t.put("epochs_run", r.history().size());
    t.put("best_epoch", r.bestEpoch());
    t.put("resumed_from_epoch", r.resumedFromEpoch());
    t.put("frozen_layers_seconds", MetricsJson.round(r.cacheSeconds()));
    t.put("examples_per_second", MetricsJson.round(r.examplesPerSecond()));
    t.put("device", r.device().id());
    t.put("total_seconds", MetricsJson.round(seconds));
    return t;
  }

  static Map<String, String> facts(
      TrainingConfig config,
      FineTuneSettings s,
      EncoderDescriptor base,
      FineTuneResult r,
      TrainedHead keptHead,
      TrainingData d) {
    boolean contrastive = config.mode() == TrainingMode.CONTRASTIVE;
    Map<String, String> facts = new LinkedHashMap<>();
    facts.put(
        "Mode",
        (contrastive
                ? "contrastive fine-tuning (" + s.objective().id() + ") of " + describe(s)
                : "fine-tuning " + describe(s) + " with a linear head")
            + ", then a "
            + keptHead.settings().kind().id()
            + " head fitted on the tuned encoder's vectors");
    facts.put(
        "Encoder",
        base.id()
            + " fine-tuned ("
            + base.pooling().id()
            + " pooling, "
            + base.dimension()
            + " dimensions; texts read in chunks of "
            + s.maxTokens()
            + " tokens"
            + (contrastive
                ? ""
                : ", "
                    + (s.trainOn() == TrainOn.DOCUMENTS
                        ? "whole texts per step, the training head reading "
                            + s.chunkPooling().id()
                            + " of their chunks"
                        : "each trained with its text's label")
                    + "; the training head started from "
                    + s.headStart().id())
            + (s.quantization() == Quantization.INT8 ? "; written in int8" : "")
            + ")");
    facts.putAll(d.facts(config));
    facts.put("Settings", Provenance.describe(s));
    facts.put("Head settings", Provenance.describe(keptHead.settings()));
    if (contrastive) {
      facts.put(
          "Contrastive loss per epoch",
          String.join(
              ", ",
              r.history().stream()
                  .map(m -> String.format(Locale.ROOT, "%.4f", m.trainLoss()))
                  .toList()));
    }
    facts.put(
        "Epochs",
        (contrastive
                ? r.history().size() + " of the encoder"
                : EarlyStopping.describe(
                        r.history().size(), s.epochs(), r.bestEpoch(), s.patience())
                    + " (the encoder)")
            + "; the head: "
            + headEpochs(keptHead));
    facts.put(
        "Speed",
        String.format(
            Locale.ROOT,
            "%.1f examples/s on %s; frozen layers %.1f s once",
            r.examplesPerSecond(),
            r.device().id(),
            r.cacheSeconds()));
    return facts;
  }

  /** How the bundle's head was trained: fitted exactly, or its epochs. */
  private static String headEpochs(TrainedHead head) {
    return head.settings().kind() == HeadKind.LINEAR && head.bestEpoch() == 0
        ? "fitted exactly at regularization " + Provenance.text(head.settings().regularization())
        : EarlyStopping.describe(
            head.history().size(),
            head.settings().epochs(),
            head.bestEpoch(),
            head.settings().patience());
  }
}
