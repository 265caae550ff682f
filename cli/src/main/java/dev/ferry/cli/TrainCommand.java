package dev.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.models.encoder.BuiltinEncoder;
import dev.ferry.trainer.EpochMetrics;
import dev.ferry.trainer.Provenance;
import dev.ferry.trainer.Trainer;
import dev.ferry.trainer.TrainingConfig;
import dev.ferry.trainer.TrainingDivergedException;
import dev.ferry.trainer.TrainingListener;
import dev.ferry.trainer.TrainingMode;
import dev.ferry.trainer.TrainingResult;
import dev.ferry.trainer.data.BadDataException;
import dev.ferry.trainer.finetune.FineTuneSettings;
import dev.ferry.trainer.finetune.HeadStart;
import dev.ferry.trainer.finetune.Objective;
import dev.ferry.trainer.finetune.Quantization;
import dev.ferry.trainer.finetune.UnfreezeSchedule;
import dev.ferry.trainer.head.HeadKind;
import dev.ferry.trainer.head.HeadSettings;
import dev.ferry.trainer.selection.BudgetTooSmallException;
import dev.ferry.trainer.selection.SelectionSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ferry train}: a classifier head on frozen embeddings, or a fine-tuned encoder with a
 * linear head, written as a model bundle.
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    resourceBundle = "dev.ferry.cli.LibraryDefaults",
    description = {
      "Train a classifier on labeled examples and write a model bundle with manifest.json,"
          + " head.onnx and report/index.html.",
      "--mode features (default): embed every text once with the frozen encoder (cached on disk, so"
          + " a second run with other settings skips the encoder), train a head, score it on"
          + " held-out examples.",
      "--mode finetune: train the encoder's top --unfreeze layers together with a linear head on"
          + " whole texts, the head reading --chunk-pooling of their --chunk-tokens chunks as the"
          + " bundle will, started from a linear probe; then a --head is fitted on the tuned"
          + " encoder's vectors as in features mode. The bundle carries the tuned encoder.onnx and"
          + " reads documents the same way.",
      "--mode lora: the same, but the encoder's weights stay frozen and rank --rank adapters on the"
          + " attention's query, key and value projections train instead, merged into encoder.onnx"
          + " at the end.",
      "--mode contrastive: first the encoder alone learns to put texts of one label together and"
          + " the others apart (SetFit's idea, one pass per text: --objective over every pair of a"
          + " --batch drawn evenly over the labels), then a --head is fitted on its vectors as in"
          + " features mode; for few examples per class.",
      "--encoder auto (--mode features): embed the data with each of --candidates, score every"
          + " encoder x head by stratified k-fold cross-validation on the training examples, and"
          + " train with the best by macro-F1 (within 0.005: the faster encoder); the report and"
          + " the manifest record every candidate's score and speed.",
      "--quantize int8 (finetune, lora, contrastive) writes the tuned encoder in int8, as the -q"
          + " built-ins are; an int8 built-in as --encoder fine-tunes its float twin and writes"
          + " int8."
    },
    footer = {
      "",
      "Data: JSONL with text and label (optional id), or CSV/TSV with a header;"
          + " .gz is read transparently."
    })
final class TrainCommand
    implements Callable<Integer>, HelpLayout.Examples, HelpLayout.OptionGroups {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public List<String> examples() {
    return List.of(
        "ferry train --data tickets.jsonl --out tickets-bundle",
        "ferry train --data train.csv --valid test.csv --head mlp --epochs 50 --out bundle",
        "ferry train --data train.jsonl.gz --encoder bge-small-en-v1.5 --max-examples 500 --out bundle",
        "ferry train --data train.jsonl --encoder auto --budget 10m --out bundle",
        "ferry train --data train.jsonl --mode finetune --unfreeze 2 --epochs 3 --out tuned-bundle",
        "ferry train --data train.jsonl --mode finetune --unfreeze-schedule gradual --resume --out tuned-bundle",
        "ferry train --data train.jsonl --mode lora --rank 8 --out lora-bundle",
        "ferry train --data train.jsonl --mode contrastive --quantize int8 --out tuned-bundle");
  }

  @Override
  public Map<String, List<String>> optionGroups() {
    Map<String, List<String>> groups = new LinkedHashMap<>();
    groups.put(
        "Data",
        List.of(
            "--data",
            "--valid",
            "--valid-split",
            "--out",
            "--text-field",
            "--label-field",
            "--id-field",
            "--skip-bad",
            "--max-examples",
            "--no-cache"));
    groups.put(
        "Head and training",
        List.of(
            "--mode",
            "--head",
            "--regularization",
            "--epochs",
            "--lr",
            "--examples-per-step",
            "--seed",
            "--patience",
            "--weight-decay",
            "--dropout",
            "--hidden",
            "--no-class-weights",
            "--no-refit"));
    groups.put(
        "Fine-tuning (--mode finetune, lora or contrastive)",
        List.of(
            "--unfreeze",
            "--train-embeddings",
            "--objective",
            "--temperature",
            "--tokens-per-pass",
            "--quantize",
            "--unfreeze-schedule",
            "--train-on",
            "--head-start",
            "--checkpoint-dir",
            "--resume"));
    groups.put("LoRA (--mode lora)", List.of("--rank", "--adapt-output"));
    groups.put(
        "Encoder and long texts",
        List.of(
            "--encoder",
            "--candidates",
            "--budget",
            "--chunk-tokens",
            "--chunk-overlap",
            "--max-chunks",
            "--chunk-pooling"));
    groups.put("Runtime", List.of("--device", "--threads", "--batch-size", "--batch-tokens"));
    return groups;
  }

  @Option(
      names = "--data",
      required = true,
      paramLabel = "FILE",
      description = "Labeled training examples.")
  Path data;

  @ArgGroup(exclusive = true)
  Validation validation = new Validation();

  static final class Validation {
    @Option(
        names = "--valid",
        paramLabel = "FILE",
        description = "Held-out examples to score and stop on.")
    Path file;

    @Option(
        names = "--valid-split",
        paramLabel = "X",
        description =
            "Without --valid, hold out this fraction of --data, stratified by label."
                + " Default: ${bundle:default.config.valid_split}.")
    Double split;
  }

  @Option(
      names = "--out",
      required = true,
      paramLabel = "BUNDLE_DIR",
      description =
          "Bundle folder to write: new, empty, or a bundle with nothing else in it, which is"
              + " replaced (a folder holding other files is refused before training).")
  Path out;

  @Option(
      names = "--mode",
      paramLabel = "features|finetune|lora|contrastive",
      description =
          "features: a head on frozen embeddings; finetune: the encoder's layers too (how many:"
              + " --unfreeze); lora: low-rank adapters on the layers' attention; contrastive: the"
              + " encoder by a contrastive loss. After the last three, a head is fitted on the"
              + " tuned encoder's vectors. Default: ${bundle:default.config.mode}.")
  String mode;

  @Option(
      names = "--unfreeze",
      paramLabel = "K|all",
      description =
          "finetune, lora, contrastive: how many top layers train (lora: get adapters); all: every"
              + " layer (and the embedding tables with --train-embeddings). Default:"
              + " ${bundle:default.finetune.unfreeze} (lora: ${bundle:default.lora.unfreeze},"
              + " contrastive: ${bundle:default.contrastive.unfreeze}).")
  String unfreeze;

  @Option(
      names = "--train-embeddings",
      negatable = true,
      description =
          "finetune, contrastive with --unfreeze all: the embedding tables train too"
              + " (--no-train-embeddings: they stay as they are and are computed once). Default:"
              + " ${bundle:default.finetune.train_embeddings} (contrastive:"
              + " ${bundle:default.contrastive.train_embeddings}).")
  Boolean trainEmbeddings;

  @Option(
      names = "--objective",
      paramLabel = "cosine-pairs|supcon",
      description =
          "contrastive: cosine-pairs pulls every same-label pair of a batch to cosine 1 and the"
              + " others to 0 (SetFit's loss); supcon is the supervised contrastive loss at"
              + " --temperature. Default: ${bundle:default.contrastive.objective}.")
  String objective;

  @Option(
      names = "--temperature",
      paramLabel = "X",
      description =
          "contrastive with --objective supcon: the similarities are divided by X."
              + " Default: ${bundle:default.contrastive.temperature}.")
  Double temperature;

  @Option(
      names = "--tokens-per-pass",
      paramLabel = "N",
      description =
          "finetune, lora, contrastive: the most tokens (chunks × the longest, as padded) one"
              + " forward and backward pass holds. A step over more (whole long texts) runs in"
              + " passes of at most N with the same gradient (a gradient cache): memory grows"
              + " with N, not with the texts' length, at the cost of a second forward pass."
              + " Default: ${bundle:default.finetune.tokens_per_pass}.")
  Integer tokensPerPass;

  @Option(
      names = "--quantize",
      paramLabel = "none|int8",
      description =
          "finetune, lora, contrastive: int8 writes the tuned encoder dynamically quantized, as the"
              + " -q built-ins are (faster to embed; the report gives the held-out scores before"
              + " and after). Default: ${bundle:default.finetune.quantization}, or int8 when"
              + " --encoder is an int8 built-in.")
  String quantize;

  @Option(
      names = "--rank",
      paramLabel = "R",
      description =
          "lora: the adapters' rank; their product is scaled by ${bundle:default.lora.alpha} / R."
              + " Default: ${bundle:default.lora.rank}.")
  Integer rank;

  @Option(
      names = "--adapt-output",
      description =
          "lora: put an adapter on the attention's output projection"
              + " too (default: query, key and value only).")
  boolean adaptOutput;

  @Option(
      names = "--unfreeze-schedule",
      paramLabel = "fixed|gradual",
      description =
          "finetune: fixed trains the --unfreeze layers from the start; gradual trains the head"
              + " alone first, then opens one more layer per epoch, top down. Default:"
              + " ${bundle:default.finetune.unfreeze_schedule}.")
  String unfreezeSchedule;

  @Option(
      names = "--train-on",
      paramLabel = "chunks|documents",
      description =
          "finetune, lora: documents trains on whole texts (--examples-per-step texts per step, default"
              + " ${bundle:default.finetune.batch_size}), the head reading --chunk-pooling of their chunks as the bundle"
              + " will; chunks trains on every chunk alone with its text's label (--examples-per-step"
              + " ${bundle:default.auto_epochs.chunks_per_step} chunks), and the bundle's head reads the chunks' mean."
              + " Default: ${bundle:default.finetune.train_on}.")
  String trainOn;

  @Option(
      names = "--head-start",
      paramLabel = "random|probe",
      description =
          "finetune, lora: the head starts from random weights, or from a linear head fitted on the"
              + " untrained encoder's reading of the training texts (a linear probe, LP-FT)."
              + " Default: ${bundle:default.finetune.head_start}.")
  String headStart;

  @Option(
      names = "--checkpoint-dir",
      paramLabel = "DIR",
      description =
          "finetune: save the state after each epoch here (kept). Default: .BUNDLE_DIR.checkpoints"
              + " beside --out, removed once the bundle is written.")
  Path checkpointDir;

  @Option(
      names = "--resume",
      description =
          "finetune: continue from the last checkpoint of the same run"
              + " (same data and settings), if there is one.")
  boolean resume;

  @Mixin EncoderOptionsMixin encoderOptions;

  @Option(
      names = "--candidates",
      split = ",",
      paramLabel = "ENCODER,...",
      description =
          "--encoder auto: the built-in encoders to compare. Default:"
              + " ${bundle:default.auto.candidates} (int8 matches fp32 within noise at about twice"
              + " the speed).")
  List<String> candidates;

  @Option(
      names = "--budget",
      paramLabel = "DURATION",
      description =
          "--encoder auto: at most this long embedding (90s, 10m, 1h30m), estimated from each"
              + " candidate's speed on your texts and what the cache lacks; the slowest candidates"
              + " are left out first. Default: no bound.")
  String budget;

  @Mixin ChunkingMixin chunking;

  @Option(
      names = "--head",
      paramLabel = "linear|mlp|centroid",
      description =
          "linear: softmax regression; mlp: one hidden layer with dropout; centroid: nearest class"
              + " mean, for a handful of examples per class. Default:"
              + " ${bundle:default.config.head}.")
  String head;

  @Option(
      names = "--epochs",
      paramLabel = "N",
      description =
          "Most passes over the data (mlp and fine-tuning; the linear head is fitted exactly)."
              + " Default: ${bundle:default.mlp.epochs} (finetune: enough"
              + " for about ${bundle:default.auto_epochs.steps} steps, at least"
              + " ${bundle:default.auto_epochs.min} and at most"
              + " ${bundle:default.auto_epochs.max}).")
  Integer epochs;

  @Option(
      names = "--lr",
      paramLabel = "X",
      description =
          "AdamW learning rate. Default: ${bundle:default.mlp.learning_rate} (mlp; the linear"
              + " head is fitted exactly and has none); finetune: the encoder's peak rate,"
              + " ${bundle:default.finetune.learning_rate} (the head's is"
              + " ${bundle:default.finetune.head_rate_factor}x, each lower layer's"
              + " ${bundle:default.finetune.layer_decay}x the one above); lora:"
              + " ${bundle:default.lora.learning_rate}.")
  Double learningRate;

  @Option(
      names = "--examples-per-step",
      paramLabel = "N",
      description =
          "Examples per training step (--batch-size is texts per model batch, when embedding)."
              + " Default: ${bundle:default.mlp.batch_size} (mlp; finetune: ${bundle:default.finetune.batch_size} texts, or"
              + " ${bundle:default.auto_epochs.chunks_per_step} chunks with --train-on chunks).")
  Integer batch;

  /** The old name of --examples-per-step, refused with the new names. */
  @Option(names = "--batch", hidden = true, paramLabel = "N")
  void oldBatch(String value) {
    throw SettingErrors.renamed(
        spec, "--batch", "--examples-per-step (examples per training step)");
  }

  @Option(
      names = "--seed",
      paramLabel = "N",
      description =
          "Seeds the split, initialization, shuffling and dropout. Default:"
              + " ${bundle:default.linear.seed}.")
  Long seed;

  @Option(
      names = "--max-examples",
      paramLabel = "N",
      description = "Train on at most N examples (a stratified sample). Default: all.")
  int maxExamples;

  @Option(
      names = "--hidden",
      paramLabel = "N",
      description = "MLP hidden width. Default: ${bundle:default.mlp.hidden_size}.")
  Integer hidden;

  @Option(
      names = "--dropout",
      paramLabel = "X",
      description =
          "Dropout in training only. Default: ${bundle:default.mlp.dropout} (mlp's hidden layer);"
              + " finetune, lora: ${bundle:default.finetune.dropout} on the trained layers'"
              + " attention and outputs.")
  Double dropout;

  @Option(
      names = "--weight-decay",
      paramLabel = "X",
      description =
          "AdamW weight decay. Default: ${bundle:default.mlp.weight_decay} (mlp; finetune:"
              + " ${bundle:default.finetune.weight_decay}). The linear head's is"
              + " --regularization.")
  Double weightDecay;

  @Option(
      names = "--regularization",
      paramLabel = "X",
      description =
          "The linear head's L2 strength (scikit-learn's 1/C): larger keeps it nearer the class"
              + " centroids. Default: chosen from ${bundle:default.regularization_grid} on the"
              + " held-out examples (by cross-validation when there are too few to hold out).")
  Double regularization;

  @Option(
      names = "--patience",
      paramLabel = "N",
      description =
          "Stop after N epochs without a better validation macro-F1; 0 never stops early. Default:"
              + " ${bundle:default.mlp.patience} (mlp; finetune:"
              + " ${bundle:default.finetune.patience}).")
  Integer patience;

  @Option(
      names = "--no-class-weights",
      negatable = false,
      description = "Weigh every example the same (default: balance classes by inverse frequency).")
  boolean noClassWeights;

  @Option(
      names = "--no-refit",
      description =
          "Keep the head trained without the held-out examples"
              + " (default: train it again on all examples for the best number of epochs).")
  boolean noRefit;

  @Option(names = "--no-cache", description = "Do not read or write the embedding cache.")
  boolean noCache;

  @Mixin DataOptionsMixin dataOptions;

  @Option(
      names = "--id-field",
      paramLabel = "NAME",
      description = "Field/column with an optional id. Default: ${bundle:default.config.id_field}.")
  String idField;

  @Override
  public Integer call() throws IOException {
    TrainingConfig config = config();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    TrainingResult result;
    try (ConsoleTrainingListener listener =
        new ConsoleTrainingListener(err, config.head().epochs(), config.fineTune().epochs())) {
      result = Trainer.train(config, listener);
    } catch (BadDataException e) {
      throw SettingErrors.badData(e);
    } catch (BudgetTooSmallException e) {
      throw SettingErrors.usage(spec, e);
    } catch (TrainingDivergedException e) {
      throw new IllegalStateException(
          String.format(
              Locale.ROOT,
              "%s diverged at epoch %d, step %d: %s. --lr %s is"
                  + " very likely too high: try a lower one, such as --lr %s",
              e.training(),
              e.epoch(),
              e.step(),
              e.problem(),
              TrainingDivergedException.brief(e.learningRate()),
              TrainingDivergedException.brief(e.learningRate() / 10)),
          e);
    }
    printSummary(out, result);
    return 0;
  }

  TrainingConfig config() {
    HeadSettings s;
    try {
      TrainingConfig.Builder builder = TrainingConfig.builder(data, out);
      TrainingConfig defaults = builder.build();
      s = head != null ? HeadSettings.defaults(HeadKind.fromId(head)) : defaults.head();
      if (epochs != null) {
        s = s.withEpochs(epochs);
      }
      if (learningRate != null) {
        s = s.withLearningRate(learningRate);
      }
      if (batch != null) {
        s = s.withBatchSize(batch);
      }
      if (seed != null) {
        s = s.withSeed(seed);
      }
      if (hidden != null) {
        s = s.withHiddenSize(hidden);
      }
      if (dropout != null) {
        s = s.withDropout(dropout);
      }
      if (weightDecay != null) {
        s = s.withWeightDecay(weightDecay);
      }
      if (patience != null) {
        s = s.withPatience(patience);
      }
      if (regularization != null) {
        if (!(regularization > 0)) {
          throw new IllegalArgumentException(
              "--regularization must be above 0, was " + regularization);
        }
        s = s.withRegularization(regularization);
      }
      s = s.withBalanceClasses(!noClassWeights);
      TrainingMode trainingMode = mode != null ? TrainingMode.fromId(mode) : defaults.mode();
      if (trainingMode == TrainingMode.FEATURES && s.kind() == HeadKind.LINEAR) {
        refuseGradientOptions();
      }
      boolean onChunks = "chunks".equals(trainOn);
      if (trainOn != null && !onChunks && !trainOn.equals("documents")) {
        throw new IllegalArgumentException(
            "--train-on takes chunks or documents, found '" + trainOn + "'");
      }
      if (headStart != null && !headStart.equals("random") && !headStart.equals("probe")) {
        throw new IllegalArgumentException(
            "--head-start takes random or probe, found '" + headStart + "'");
      }
      if (trainingMode != TrainingMode.FEATURES && chunking.chunkPooling != null && onChunks) {
        throw new IllegalArgumentException(
            "--chunk-pooling applies to --mode features and to --train-on"
                + " documents; trained on chunks one by one, a fine-tuned head reads their mean");
      }
      if (trainingMode == TrainingMode.FEATURES
          && (unfreeze != null
              || unfreezeSchedule != null
              || checkpointDir != null
              || resume
              || rank != null
              || adaptOutput
              || trainOn != null
              || headStart != null
              || trainEmbeddings != null
              || tokensPerPass != null
              || quantize != null)) {
        throw new IllegalArgumentException(
            "--unfreeze, --unfreeze-schedule, --rank, --adapt-output, --train-on, --head-start,"
                + " --train-embeddings, --tokens-per-pass, --quantize, --checkpoint-dir and"
                + " --resume need --mode finetune, lora or contrastive");
      }
      if (trainingMode != TrainingMode.CONTRASTIVE && (objective != null || temperature != null)) {
        throw new IllegalArgumentException("--objective and --temperature need --mode contrastive");
      }
      if (trainingMode != TrainingMode.FEATURES) {
        // The flags of steps set the encoder's training; the head fitted on the tuned encoder's
        // vectors keeps its own defaults.
        s = (head != null ? HeadSettings.defaults(HeadKind.fromId(head)) : defaults.head());
        if (seed != null) {
          s = s.withSeed(seed);
        }
        s = s.withBalanceClasses(!noClassWeights);
      }
      boolean auto = TrainingConfig.AUTO_ENCODER.equalsIgnoreCase(encoderOptions.encoder);
      if (!auto && (candidates != null || budget != null)) {
        throw new IllegalArgumentException("--candidates and --budget need --encoder auto");
      }
      if (auto && trainingMode != TrainingMode.FEATURES) {
        throw new IllegalArgumentException(
            "--encoder auto supports --mode features only, not --mode "
                + trainingMode.id()
                + "; name the encoder (one of "
                + BuiltinEncoder.ids()
                + ", or a directory) to train with --mode "
                + trainingMode.id());
      }
      if (auto) {
        builder.selection(selection());
      }
      if (validation.split != null) {
        builder.validSplit(validation.split);
      }
      dataOptions.applyTo(builder);
      if (idField != null) {
        builder.idField(idField);
      }
      TrainingConfig config =
          builder
              .mode(trainingMode)
              .fineTune(fineTuneSettings(trainingMode))
              .checkpointDirectory(checkpointDir)
              .resume(resume)
              .valid(validation.file)
              .encoder(encoderOptions.encoder)
              .encoderOptions(encoderOptions.options())
              // Fine-tuning reads chunks of --chunk-tokens (fineTuneSettings) with these overlap
              // and limit.
              .chunking(chunking.chunking())
              .head(s)
              .maxExamples(maxExamples)
              .cacheEmbeddings(!noCache)
              .refit(!noRefit)
              .build();
      // Before minutes of embedding and training, not after.
      config.checkOutput();
      return config;
    } catch (IllegalArgumentException e) {
      throw SettingErrors.usage(spec, e);
    }
  }

  /**
   * What {@code --encoder auto} tries: {@code --candidates}, {@code --budget}, and the one head
   * {@code --head} names, or every head.
   */
  private SelectionSettings selection() {
    SelectionSettings.Builder b = SelectionSettings.builder();
    if (candidates != null) {
      b.candidateIds(candidates);
    }
    if (budget != null) {
      b.budget(DurationOption.parse("--budget", budget));
    }
    if (head != null) {
      b.heads(List.of(HeadKind.fromId(head)));
    }
    return b.build();
  }

  /**
   * The linear head on frozen features is fitted exactly: an option of gradient training would be
   * silently ignored, so it is refused, naming what it applies to instead.
   */
  private void refuseGradientOptions() {
    Map<String, Object> given = new LinkedHashMap<>();
    given.put("--lr", learningRate);
    given.put("--epochs", epochs);
    given.put("--examples-per-step", batch);
    given.put("--patience", patience);
    given.put("--weight-decay", weightDecay);
    given.put("--dropout", dropout);
    given.put("--hidden", hidden);
    given.values().removeIf(java.util.Objects::isNull);
    if (!given.isEmpty()) {
      throw new IllegalArgumentException(
          String.join(", ", given.keySet())
              + (given.size() == 1 ? " applies" : " apply")
              + " to the mlp head and to fine-tuning: the linear head is fitted exactly"
              + " (its one setting is --regularization). Add --head mlp, or a --mode that"
              + " fine-tunes, or leave it out");
    }
  }

  /** The fine-tuning settings from the shared options, with fine-tuning's own defaults. */
  private FineTuneSettings fineTuneSettings(TrainingMode trainingMode) {
    FineTuneSettings f = FineTuneSettings.preset(trainingMode);
    if (rank != null) {
      f = f.withRank(rank);
    }
    if (adaptOutput) {
      f = f.withAdaptOutput(true);
    }
    if (unfreeze != null) {
      f = f.withUnfreeze(unfreeze.equals("all") ? FineTuneSettings.ALL : parseLayers(unfreeze));
    }
    if (unfreezeSchedule != null) {
      f = f.withUnfreezeSchedule(UnfreezeSchedule.fromId(unfreezeSchedule));
    }
    if (epochs != null) {
      f = f.withEpochs(epochs);
    }
    if (learningRate != null) {
      f = f.withLearningRate(learningRate);
    }
    f = "chunks".equals(trainOn) ? f.onChunks() : f.onDocuments(chunking.chunking().pooling());
    if ("random".equals(headStart)) {
      f = f.withHeadStart(HeadStart.RANDOM);
    }
    if (batch != null) {
      f = f.withBatchSize(batch);
    }
    if (seed != null) {
      f = f.withSeed(seed);
    }
    if (weightDecay != null) {
      f = f.withWeightDecay(weightDecay);
    }
    if (patience != null) {
      f = f.withPatience(patience);
    }
    if (dropout != null) {
      f = f.withDropout(dropout);
    }
    if (chunking.chunkTokens > 0) {
      f = f.withMaxTokens(chunking.chunkTokens);
    }
    if (trainEmbeddings != null) {
      f = f.withTrainEmbeddings(trainEmbeddings);
    }
    if (objective != null) {
      f = f.withObjective(Objective.fromId(objective));
    }
    if (tokensPerPass != null) {
      f = f.withTokensPerPass(tokensPerPass);
    }
    if (temperature != null) {
      f = f.withTemperature(temperature);
    }
    if (quantize != null) {
      f = f.withQuantization(Quantization.fromId(quantize));
    }
    return f.withBalanceClasses(!noClassWeights);
  }

  private static int parseLayers(String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "--unfreeze takes a number of layers or 'all', found '" + value + "'");
    }
  }

  static void printSummary(PrintWriter out, TrainingResult r) {
    boolean exact = r.head().settings().kind() == HeadKind.LINEAR && r.head().bestEpoch() == 0;
    String regularization = Provenance.text(r.head().settings().regularization());
    String epochs =
        r.head().bestEpoch() > 0
            ? "best epoch " + r.head().bestEpoch() + " of " + r.head().history().size()
            : exact ? "fitted exactly at regularization " + regularization : "no epochs needed";
    if (r.mode() != TrainingMode.FEATURES) {
      out.printf(
          Locale.ROOT,
          "Fine-tuned %s%s, then a %s head on it, on %,d examples (head: %s; %.1f examples/s).%n",
          r.bundle().manifest().encoder().id(),
          r.mode() == TrainingMode.CONTRASTIVE ? " by a contrastive loss" : "",
          r.head().settings().kind().id(),
          r.trainExamples(),
          epochs,
          r.fineTuneExamplesPerSecond());
    } else {
      out.printf(
          Locale.ROOT,
          "Trained a %s head on %,d examples (%s).%n",
          r.head().settings().kind().id(),
          r.trainExamples(),
          epochs);
    }
    JsonNode selection = r.bundle().manifest().training().get("encoder_selection");
    if (selection != null) {
      out.printf("%s.%n", selection.get("summary").asText());
    }
    if (r.refitExamples() > 0) {
      out.printf(
          Locale.ROOT,
          "Then trained %s again on all %,d examples %s (--no-refit to skip).%n",
          r.mode() == TrainingMode.FEATURES ? "it" : "the encoder and the head",
          r.refitExamples(),
          exact ? "at the same regularization" : "for " + r.head().bestEpoch() + " epochs");
    }
    if (r.mode() == TrainingMode.FEATURES) {
      out.printf(
          Locale.ROOT,
          "Embeddings: %,d from the cache, %,d computed (%.1f s); head training %.2f s.%n",
          r.embeddingCacheHits(),
          r.embeddedTexts(),
          r.embedSeconds(),
          r.head().trainingSeconds());
    }
    if (r.validation().isPresent()) {
      out.printf(Locale.ROOT, "%nHeld-out examples: %,d%n", r.validExamples());
      MetricsTable.print(out, r.validation().get());
    } else {
      String reason = r.noValidationReason();
      out.printf(
          "%n%s%n  (--valid FILE scores on examples of their own)%n",
          Character.toUpperCase(reason.charAt(0)) + reason.substring(1));
    }
    out.printf("%nBundle: %s%nReport: %s%n", r.bundle().directory(), r.bundle().reportIndex());
    out.flush();
  }

  /**
   * Stages and notes on stderr, one line each; on a terminal, a progress bar for embedding, for the
   * head's epochs (with the last epoch's loss and held-out macro-F1) and for fine-tuning steps.
   */
  static final class ConsoleTrainingListener implements TrainingListener, AutoCloseable {
    private final PrintWriter err;
    private final int headEpochs;
    private final int fineTuneEpochs;
    private Progress progress;
    private String bar;
    private boolean fineTuning;

    /**
     * @param headEpochs the head's most epochs
     * @param fineTuneEpochs fine-tuning's epochs, or {@link FineTuneSettings#AUTO_EPOCHS}
     */
    ConsoleTrainingListener(PrintWriter err, int headEpochs, int fineTuneEpochs) {
      this.err = err;
      this.headEpochs = headEpochs;
      this.fineTuneEpochs = fineTuneEpochs;
    }

    @Override
    public void stage(String description) {
      // A new stage: a head fitted after fine-tuning reports its own epochs.
      fineTuning = false;
      endProgress();
      err.println(description + " ...");
      err.flush();
    }

    @Override
    public void note(String message) {
      endProgress();
      message.lines().forEach(line -> err.println("  " + line));
      err.flush();
    }

    @Override
    public void embedded(int done, int total) {
      bar("texts embedded", total, 0).moveTo(done);
    }

    @Override
    public void trained(int done, int total) {
      fineTuning = true;
      // Steps count over the whole run: a bar started after an epoch (or a resume) starts there.
      bar("training steps", total, done - 1).moveTo(done);
    }

    @Override
    public void epoch(EpochMetrics m) {
      if (fineTuning) {
        // Few, slow epochs: one line each, kept (the step bar starts again after it).
        note(
            String.format(
                Locale.ROOT,
                "epoch %d%s: loss %.4f, train accuracy %.4f%s",
                m.epoch(),
                fineTuneEpochs == FineTuneSettings.AUTO_EPOCHS ? "" : "/" + fineTuneEpochs,
                m.trainLoss(),
                m.trainAccuracy(),
                validF1(m)));
      } else {
        Progress p = bar("head epochs", headEpochs, 0);
        p.moveTo(m.epoch());
        p.message(String.format(Locale.ROOT, "· loss %.4f%s", m.trainLoss(), validF1(m)));
      }
    }

    /** The bar named {@code name}, started now at {@code startAt} if another (or none) shows. */
    private Progress bar(String name, long total, long startAt) {
      if (progress == null || !name.equals(bar)) {
        endProgress();
        progress = new Progress(name, total, Progress.Unit.COUNT, startAt);
        bar = name;
      }
      return progress;
    }

    /** ", valid macro-F1 0.8123", or nothing without held-out examples. */
    private static String validF1(EpochMetrics m) {
      return Double.isNaN(m.validMacroF1())
          ? ""
          : String.format(Locale.ROOT, ", valid macro-F1 %.4f", m.validMacroF1());
    }

    private void endProgress() {
      if (progress != null) {
        progress.close();
        progress = null;
        bar = null;
      }
    }

    @Override
    public void close() {
      endProgress();
    }
  }
}
