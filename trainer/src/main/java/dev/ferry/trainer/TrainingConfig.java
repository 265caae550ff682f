package dev.ferry.trainer;

import dev.ferry.models.bundle.BundleWriter;
import dev.ferry.models.encoder.BuiltinEncoder;
import dev.ferry.models.encoder.Chunking;
import dev.ferry.models.encoder.EncoderOptions;
import dev.ferry.trainer.data.LabeledDataReader;
import dev.ferry.trainer.finetune.FineTuneSettings;
import dev.ferry.trainer.head.HeadKind;
import dev.ferry.trainer.head.HeadSettings;
import dev.ferry.trainer.selection.SelectionSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link Trainer#train} needs: the data, the encoder, the head's hyperparameters and where to
 * write the bundle. Build one with {@link #builder(Path, Path)}; every field has a sensible default
 * except the data and the output folder.
 *
 * @param data labeled training examples (JSONL, CSV or TSV, optionally gzipped)
 * @param valid held-out examples, or null to split {@code validSplit} off the training data
 * @param validSplit fraction held out when there is no {@code valid} file (stratified by label)
 * @param encoder a built-in encoder id, a directory with {@code model.onnx} + {@code
 *     tokenizer.json}, or {@value #AUTO_ENCODER}: choose among {@code selection}'s candidates by
 *     cross-validation on the training examples ({@link TrainingMode#FEATURES} only)
 * @param encoderOptions execution provider, threads, batching
 * @param chunking how a long text is read: token windows whose vectors are pooled into the text's
 *     vector, recorded in the bundle so classification reads documents the same way
 * @param head the bundle's head, its kind and hyperparameters; in the modes that tune the encoder,
 *     fitted on the tuned encoder's vectors
 * @param maxExamples keep at most this many training examples (a stratified sample); 0 keeps all
 * @param out the bundle folder to write: created, or replaced if it is a bundle holding nothing
 *     else; a folder holding anything else is refused ({@link #checkOutput})
 * @param skipBad skip bad rows with a warning instead of failing
 * @param textField the field (or CSV column) holding the text
 * @param labelField the field (or CSV column) holding the label
 * @param idField the field (or CSV column) holding an optional id
 * @param cacheEmbeddings keep embeddings in the on-disk cache so later runs skip the encoder
 * @param cacheDirectory where the embedding cache lives; null for the default under the Ferry cache
 * @param refit after early stopping has chosen the number of epochs on the held-out examples, train
 *     the final head again on all examples (training and held-out) for that many epochs; the
 *     reported metrics stay those of the head that never saw the held-out examples ({@link
 *     TrainingMode#FEATURES} only)
 * @param mode feature extraction (default), fine-tuning or LoRA
 * @param fineTune the fine-tuning settings ({@link TrainingMode#FINETUNE}, {@link
 *     TrainingMode#LORA} with a {@code rank} of at least 1; {@code chunking} then gives only the
 *     overlap and chunk limit: the encoder trains, and the bundle reads each text, as {@link
 *     FineTuneSettings#chunking} says, which the bundle records)
 * @param checkpointDirectory where fine-tuning saves its state after each epoch; null for a folder
 *     beside {@code out} ({@code .NAME.checkpoints}), removed once the bundle is written
 * @param resume continue fine-tuning from the last checkpoint there
 * @param selection with {@code encoder} {@value #AUTO_ENCODER}: the candidate encoders and heads,
 *     the folds and the time budget; unused otherwise
 */
public record TrainingConfig(
    Path data,
    Path valid,
    double validSplit,
    String encoder,
    EncoderOptions encoderOptions,
    Chunking chunking,
    HeadSettings head,
    int maxExamples,
    Path out,
    boolean skipBad,
    String textField,
    String labelField,
    String idField,
    boolean cacheEmbeddings,
    Path cacheDirectory,
    boolean refit,
    TrainingMode mode,
    FineTuneSettings fineTune,
    Path checkpointDirectory,
    boolean resume,
    SelectionSettings selection) {

  /**
   * The {@code encoder} that asks for the encoder to be chosen from the data ({@code --encoder
   * auto}).
   */
  public static final String AUTO_ENCODER = "auto";

  /** Checks the fields. */
  public TrainingConfig {
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(encoder, "encoder");
    Objects.requireNonNull(encoderOptions, "encoderOptions");
    Objects.requireNonNull(chunking, "chunking");
    Objects.requireNonNull(head, "head");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(fineTune, "fineTune");
    Objects.requireNonNull(selection, "selection");
    if (encoder.equalsIgnoreCase(AUTO_ENCODER) && mode != TrainingMode.FEATURES) {
      throw new IllegalArgumentException(
          "encoder auto (chosen by cross-validation) supports mode features only, not "
              + mode.id()
              + "; name the encoder to "
              + mode.id()
              + ", or train with mode features");
    }
    if (mode == TrainingMode.LORA && fineTune.rank() < 1) {
      throw new IllegalArgumentException(
          "rank must be at least 1 in mode lora, was " + fineTune.rank());
    }
    if (mode != TrainingMode.LORA && fineTune.adaptOutput()) {
      throw new IllegalArgumentException(
          "adapt output (an adapter on the attention output) needs mode lora, not " + mode.id());
    }
    if (mode == TrainingMode.CONTRASTIVE != fineTune.objective().contrastive()) {
      throw new IllegalArgumentException(
          "objective "
              + fineTune.objective().id()
              + (mode == TrainingMode.CONTRASTIVE
                  ? " is not contrastive; mode contrastive needs cosine-pairs or supcon"
                  : " needs mode contrastive, not " + mode.id()));
    }
    if (mode != TrainingMode.LORA && fineTune.rank() != 0) {
      throw new IllegalArgumentException(
          "rank " + fineTune.rank() + " (adapters) needs mode lora, not " + mode.id());
    }
    if (valid == null) {
      SettingChecks.fraction("validation split", validSplit);
    }
    if (maxExamples < 0) {
      throw new IllegalArgumentException("max examples must not be negative, was " + maxExamples);
    }
  }

  /** Whether the encoder is to be chosen from the data ({@value #AUTO_ENCODER}). */
  public boolean autoEncoder() {
    return encoder.equalsIgnoreCase(AUTO_ENCODER);
  }

  /** This configuration with the encoder and head that {@code --encoder auto} chose. */
  TrainingConfig withChoice(String chosenEncoder, HeadSettings chosenHead) {
    return new TrainingConfig(
        data,
        valid,
        validSplit,
        chosenEncoder,
        encoderOptions,
        chunking,
        chosenHead,
        maxExamples,
        out,
        skipBad,
        textField,
        labelField,
        idField,
        cacheEmbeddings,
        cacheDirectory,
        refit,
        mode,
        fineTune,
        checkpointDirectory,
        resume,
        selection);
  }

  /** The seed of the split and of training: the head's, or fine-tuning's. */
  public long seed() {
    return mode == TrainingMode.FEATURES ? head.seed() : fineTune.seed();
  }

  /**
   * Checks that a bundle can be written to {@code out} without deleting anything that is not part
   * of one: it is missing, an empty folder, or a bundle holding nothing else (see {@link
   * BundleWriter#conflict}). {@link Trainer#train} checks this before it reads anything; call it to
   * find out sooner still.
   *
   * @throws IllegalArgumentException naming the output folder and what is in the way
   */
  public void checkOutput() {
    try {
      Optional<String> conflict = BundleWriter.conflict(out.toAbsolutePath().normalize());
      if (conflict.isPresent()) {
        throw new IllegalArgumentException(
            "output folder "
                + out
                + " "
                + conflict.get()
                + "; choose another output folder, or move those files out of it");
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "output folder "
              + out
              + " cannot be read ("
              + e.getMessage()
              + "); choose another output folder",
          e);
    }
  }

  /** A builder with the defaults: 20% validation split, the default encoder, a linear head. */
  public static Builder builder(Path data, Path out) {
    return new Builder(data, out);
  }

  /** Builds a {@link TrainingConfig}. */
  public static final class Builder {
    private final Path data;
    private final Path out;
    private Path valid;
    private double validSplit = 0.2;
    private String encoder = BuiltinEncoder.DEFAULT.id();
    private EncoderOptions encoderOptions = EncoderOptions.defaults();
    private Chunking chunking = Chunking.DEFAULT;
    private HeadSettings head = HeadSettings.defaults(HeadKind.LINEAR);
    private int maxExamples;
    private boolean skipBad;
    private String textField = LabeledDataReader.Options.defaults().textField();
    private String labelField = LabeledDataReader.Options.defaults().labelField();
    private String idField = LabeledDataReader.Options.defaults().idField();
    private boolean cacheEmbeddings = true;
    private Path cacheDirectory;
    private boolean refit = true;
    private TrainingMode mode = TrainingMode.FEATURES;
    private FineTuneSettings fineTune;
    private Path checkpointDirectory;
    private boolean resume;
    private SelectionSettings selection = SelectionSettings.defaults();

    private Builder(Path data, Path out) {
      this.data = data;
      this.out = out;
    }

    /** A held-out file instead of a split. */
    public Builder valid(Path value) {
      this.valid = value;
      return this;
    }

    /** The fraction to hold out when there is no validation file. */
    public Builder validSplit(double value) {
      this.validSplit = value;
      return this;
    }

    /**
     * The encoder: a built-in id, a directory, or {@value TrainingConfig#AUTO_ENCODER} to choose
     * one by cross-validation ({@link #selection}).
     */
    public Builder encoder(String value) {
      this.encoder = value;
      return this;
    }

    /** How long texts are read; default {@link Chunking#DEFAULT}. */
    public Builder chunking(Chunking value) {
      this.chunking = value;
      return this;
    }

    /** How the encoder runs. */
    public Builder encoderOptions(EncoderOptions value) {
      this.encoderOptions = value;
      return this;
    }

    /** The head's kind and hyperparameters. */
    public Builder head(HeadSettings value) {
      this.head = value;
      return this;
    }

    /** Caps the training examples (stratified sample); 0 keeps all. */
    public Builder maxExamples(int value) {
      this.maxExamples = value;
      return this;
    }

    /** Skip bad rows instead of failing. */
    public Builder skipBad(boolean value) {
      this.skipBad = value;
      return this;
    }

    /** Field names for text, label and id. */
    public Builder fields(String text, String label, String id) {
      this.textField = text;
      this.labelField = label;
      this.idField = id;
      return this;
    }

    /** The field name of the id alone. */
    public Builder idField(String id) {
      this.idField = id;
      return this;
    }

    /** Whether to use the embedding cache. */
    public Builder cacheEmbeddings(boolean value) {
      this.cacheEmbeddings = value;
      return this;
    }

    /** Where the embedding cache lives (null for the default). */
    public Builder cacheDirectory(Path value) {
      this.cacheDirectory = value;
      return this;
    }

    /** Whether to refit the final head on all examples (default true). */
    public Builder refit(boolean value) {
      this.refit = value;
      return this;
    }

    /** Feature extraction (default) or fine-tuning. */
    public Builder mode(TrainingMode value) {
      this.mode = value;
      return this;
    }

    /**
     * The fine-tuning settings; by default the mode's preset ({@link FineTuneSettings#finetune()},
     * {@link FineTuneSettings#lora()}, {@link FineTuneSettings#contrastive()}).
     */
    public Builder fineTune(FineTuneSettings value) {
      this.fineTune = value;
      return this;
    }

    /** Where fine-tuning checkpoints go (null: beside the output folder). */
    public Builder checkpointDirectory(Path value) {
      this.checkpointDirectory = value;
      return this;
    }

    /** Whether to continue fine-tuning from the last checkpoint. */
    public Builder resume(boolean value) {
      this.resume = value;
      return this;
    }

    /**
     * What {@code encoder("auto")} tries: candidates, heads, folds, budget; default {@link
     * SelectionSettings#defaults()}.
     */
    public Builder selection(SelectionSettings value) {
      this.selection = value;
      return this;
    }

    /** The configuration. */
    public TrainingConfig build() {
      return new TrainingConfig(
          data,
          valid,
          validSplit,
          encoder,
          encoderOptions,
          chunking,
          head,
          maxExamples,
          out,
          skipBad,
          textField,
          labelField,
          idField,
          cacheEmbeddings,
          cacheDirectory,
          refit,
          mode,
          fineTune != null ? fineTune : FineTuneSettings.preset(mode),
          checkpointDirectory,
          resume,
          selection);
    }
  }
}
