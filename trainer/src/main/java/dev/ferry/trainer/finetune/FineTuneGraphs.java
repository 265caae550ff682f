package dev.ferry.trainer.finetune;

import dev.ferry.autodiff.Autodiff;
import dev.ferry.autodiff.GraphBuilder;
import dev.ferry.autodiff.OnnxImport;
import dev.ferry.models.encoder.ChunkPooling;
import dev.ferry.models.encoder.Pooling;
import dev.ferry.models.graph.ElementType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The graphs of fine-tuning: the frozen lower part of the encoder (run once per example, its output
 * cached), and one training step over the top layers, pooling, normalization, a linear head and the
 * class-weighted cross-entropy, with gradients ({@link InPlaceAdamW} applies them).
 */
final class FineTuneGraphs {
  /** Input: per example and class, its share of the batch loss. */
  static final String TARGET = "target";

  /** Output: the batch's weighted mean cross-entropy. */
  static final String LOSS = "loss";

  /** Output: per example, the class probabilities, float [batch, classes]. */
  static final String PROBABILITIES = "probabilities";

  /**
   * Evaluation output: the pooled (and normalized, if the encoder normalizes) vector the head
   * reads.
   */
  static final String EMBEDDING = "embedding";

  /**
   * Output of the lower graph: the hidden state where the trained layers begin (fed as {@code
   * Spec.cut()}).
   */
  static final String CUT = "cut";

  static final String ATTENTION_MASK = "attention_mask";

  /**
   * Input where the trained layers start from cached hidden states: what each layer adds to its
   * attention scores, float [rows, 1, tokens, tokens], 0 where a token may attend to another (both
   * of the same text) and a large negative number elsewhere, in place of the model's own mask
   * ({@code OnnxImport.attentionBias}). So a row holds several short texts side by side ({@link
   * Batches#packed}) and the layers run on fewer padding tokens.
   */
  static final String ATTENTION_BIAS = "attention.bias";

  /**
   * Input with {@link #ATTENTION_BIAS}: per chunk, its pooling weights over the batch's tokens (the
   * rows laid end to end), float [chunks, rows × tokens]: 1 / its length on each of its tokens
   * (mean pooling) or 1 on its first (CLS).
   */
  static final String TOKEN_POOLING = "token.pooling";

  /**
   * In training with dropout, the scalar input 1 / (1 − p) that multiplies the values a {@link
   * #dropoutMask} keeps.
   */
  static final String DROPOUT_SCALE = "dropout.scale";

  static final String HEAD_WEIGHT = "head.weight";
  static final String HEAD_BIAS = "head.bias";

  /**
   * Document objective input: per document, 1 at its first chunk's row of the batch, float
   * [documents, chunks].
   */
  static final String DOCUMENT_FIRST = "document.first";

  /**
   * Document objective input: per document, each of its chunks' share of its token-weighted mean
   * (the rest 0), float [documents, chunks].
   */
  static final String DOCUMENT_MEAN = "document.mean";

  /**
   * Document objective input: per document and slot, 1 at one of its chunks' rows, float
   * [documents, slots, chunks]; a document with fewer chunks than slots repeats its first.
   */
  static final String DOCUMENT_SLOTS = "document.slots";

  /**
   * Contrastive input: per pair of the batch's texts, the similarity it is pulled towards ({@link
   * Objective#COSINE_PAIRS}: 1 for the same label, 0 otherwise) or its share of the loss ({@link
   * Objective#SUPCON}: 1 / (positives of the row × rows with positives) for the same label, 0
   * otherwise), float [documents, documents].
   */
  static final String PAIR_TARGET = "pair.target";

  /**
   * Contrastive input: {@link Objective#COSINE_PAIRS}, each pair's weight in the loss (0 for a text
   * with itself, the rest summing to 1); {@link Objective#SUPCON}, added to the similarities before
   * the softmax (a large negative number for a text with itself, 0 elsewhere), float [documents,
   * documents].
   */
  static final String PAIR_WEIGHT = "pair.weight";

  /** The name of the documents' count in the graphs' shapes (the batch's is its chunks'). */
  private static final String DOCUMENTS = "documents";

  /**
   * What to build.
   *
   * @param model the imported encoder
   * @param unfreeze how many top layers the graph runs from the cut (the cached hidden state);
   *     {@code model.layerCount()} runs the whole encoder from the token ids
   * @param open how many of those top layers train now (0 to {@code unfreeze}; the rest run with
   *     their pretrained values as constants), for gradual unfreezing; with {@code
   *     model.layerCount()} the embeddings train too
   * @param classes the number of labels
   * @param pooling how token vectors become one
   * @param normalize whether the pooled vector is scaled to unit length before the head
   * @param rank 0: the layers' own parameters train; above 0: they stay frozen and low-rank
   *     adapters of this rank on the attention's query, key and value projections train instead
   *     (LoRA: {@code W + alpha / rank · A · B})
   * @param alpha the adapters' scale numerator
   * @param adaptOutput whether the attention's output projection gets an adapter too
   * @param trainOn {@link TrainOn#CHUNKS}: each example is one chunk and the head reads its vector;
   *     {@link TrainOn#DOCUMENTS}: the examples of a batch are the chunks of whole documents
   *     ({@link #DOCUMENT_FIRST}, {@link #DOCUMENT_MEAN}, {@link #DOCUMENT_SLOTS}) and the head
   *     reads each document's chunk vectors pooled by {@code chunkPooling}, as {@link
   *     ChunkPooling#features} pools them in a bundle
   * @param chunkPooling with {@link TrainOn#DOCUMENTS}, what the head reads of a document's chunks
   * @param objective the head's cross-entropy, or a contrastive loss over the token-weighted means
   *     of the batch's documents (no head)
   * @param temperature {@link Objective#SUPCON}'s divisor of the similarities
   * @param trainEmbeddings with every layer unfrozen: whether the embedding tables train too, the
   *     graph starting from the token ids; otherwise it starts from the embeddings' output
   */
  record Spec(
      OnnxImport model,
      int unfreeze,
      int open,
      int classes,
      Pooling pooling,
      boolean normalize,
      int rank,
      double alpha,
      boolean adaptOutput,
      TrainOn trainOn,
      ChunkPooling chunkPooling,
      Objective objective,
      double temperature,
      boolean trainEmbeddings) {

    Spec {
      if (unfreeze < 1 || unfreeze > model.layerCount()) {
        throw new IllegalArgumentException(
            "unfreeze must be between 1 and "
                + model.layerCount()
                + " (the encoder's layers), was "
                + unfreeze);
      }
      if (open < 0 || open > unfreeze) {
        throw new IllegalArgumentException(
            "open layers must be between 0 and " + unfreeze + ", was " + open);
      }
      if (rank < 0) {
        throw new IllegalArgumentException("adapter rank must not be negative, was " + rank);
      }
    }

    /** Each example a chunk of its own. */
    Spec(
        OnnxImport model,
        int unfreeze,
        int open,
        int classes,
        Pooling pooling,
        boolean normalize,
        int rank,
        double alpha,
        boolean adaptOutput) {
      this(
          model,
          unfreeze,
          open,
          classes,
          pooling,
          normalize,
          rank,
          alpha,
          adaptOutput,
          TrainOn.CHUNKS,
          ChunkPooling.TOKEN_WEIGHTED_MEAN,
          Objective.CLASSIFIER,
          1,
          true);
    }

    /** Every layer from the cut trains its own parameters. */
    Spec(OnnxImport model, int unfreeze, int classes, Pooling pooling, boolean normalize) {
      this(model, unfreeze, unfreeze, classes, pooling, normalize, 0, 0, false);
    }

    /** What {@link FineTuner} builds from its settings. */
    static Spec of(OnnxImport model, FineTuneSettings s, int classes, Pooling pooling, boolean n) {
      return new Spec(
          model,
          s.unfreeze(),
          s.unfreeze(),
          classes,
          pooling,
          n,
          s.rank(),
          s.alpha(),
          s.adaptOutput(),
          s.trainOn(),
          // A contrastive loss compares documents by their chunks' mean; the head reads what the
          // settings say, and is fitted afterwards.
          s.objective().contrastive() ? ChunkPooling.TOKEN_WEIGHTED_MEAN : s.chunkPooling(),
          s.objective(),
          s.temperature(),
          s.trainEmbeddings());
    }

    /** The same graph with {@code n} layers open. */
    Spec withOpen(int n) {
      return with(n, trainOn, chunkPooling, objective, temperature, trainEmbeddings);
    }

    /** The same graph training on whole documents, the head reading {@code p} of their chunks. */
    Spec onDocuments(ChunkPooling p) {
      return with(open, TrainOn.DOCUMENTS, p, objective, temperature, trainEmbeddings);
    }

    /** The same graph minimizing {@code o} ({@code t}: {@link Objective#SUPCON}'s temperature). */
    Spec withObjective(Objective o, double t) {
      return with(open, trainOn, chunkPooling, o, t, trainEmbeddings);
    }

    /** The same graph with the embedding tables trained or not when every layer is. */
    Spec withTrainEmbeddings(boolean value) {
      return with(open, trainOn, chunkPooling, objective, temperature, value);
    }

    private Spec with(
        int n, TrainOn on, ChunkPooling p, Objective o, double t, boolean embeddings) {
      return new Spec(
          model,
          unfreeze,
          n,
          classes,
          pooling,
          normalize,
          rank,
          alpha,
          adaptOutput,
          on,
          p,
          o,
          t,
          embeddings);
    }

    /** Whether a head trains with the encoder (not a contrastive loss). */
    boolean classifier() {
      return !objective.contrastive();
    }

    /** Whether the units are whole documents. */
    boolean documents() {
      return trainOn == TrainOn.DOCUMENTS;
    }

    /** How many values the head reads. */
    int headWidth() {
      return documents() ? chunkPooling.width(dimension()) : dimension();
    }

    /** The attention projections that get adapters ({@link OnnxImport#attentionWeights} keys). */
    List<String> adaptedProjections() {
      return adaptOutput
          ? List.of("query", "key", "value", "output")
          : List.of("query", "key", "value");
    }

    boolean lora() {
      return rank > 0;
    }

    /** The factor on an adapter's product A · B. */
    double scale() {
      return alpha / rank;
    }

    /** The weights that get adapters in the top {@code layers} layers (LoRA), top layer last. */
    List<String> adaptedWeights(int layers) {
      List<String> out = new ArrayList<>();
      for (int layer = model.layerCount() - layers; layer < model.layerCount(); layer++) {
        Map<String, String> weights = model.attentionWeights(layer);
        adaptedProjections().forEach(kind -> out.add(weights.get(kind)));
      }
      return out;
    }

    /** What trains in the top {@code layers} layers: their parameters, or their adapters. */
    private List<String> trained(int layers) {
      if (layers == 0) {
        return List.of();
      }
      if (lora()) {
        List<String> out = new ArrayList<>();
        for (String w : adaptedWeights(layers)) {
          out.add(adapterA(w));
          out.add(adapterB(w));
        }
        return out;
      }
      return layers == model.layerCount() && trainEmbeddings
          ? model.parameters()
          : model.topLayerParameters(layers);
    }

    /** Everything of the encoder that fine-tuning changes: the state besides the head. */
    List<String> stateParameters() {
      return lora() ? trained(unfreeze) : encoderParameters();
    }

    /** Whether everything trains, the embedding tables too: the graph starts from token ids. */
    boolean full() {
      return unfreeze == model.layerCount() && trainEmbeddings;
    }

    /**
     * The value the trained part starts from: null (token ids) when everything trains, the
     * embeddings' output when every layer but not the tables does.
     */
    String cut() {
      if (full()) {
        return null;
      }
      return unfreeze == model.layerCount()
          ? model.embeddingsOutput()
          : model.layerOutput(model.layerCount() - unfreeze - 1);
    }

    /** The encoder parameters above the cut: what fine-tuning may change. */
    List<String> encoderParameters() {
      return full() ? model.parameters() : model.topLayerParameters(unfreeze);
    }

    /** The encoder parameters (or adapters) that train now. */
    List<String> openParameters() {
      return trained(open);
    }

    int dimension() {
      long[] s = model.shape(model.outputNames().get(0));
      return (int) s[s.length - 1];
    }

    long[] headWeightShape() {
      return new long[] {headWidth(), classes};
    }
  }

  private FineTuneGraphs() {}

  /**
   * The values dropped out in training: per layer above the cut, its attention probabilities and
   * the results of its two output projections.
   */
  static List<String> dropoutValues(Spec s) {
    List<String> out = new ArrayList<>();
    for (int layer = s.model().layerCount() - s.unfreeze();
        layer < s.model().layerCount();
        layer++) {
      out.addAll(s.model().dropoutValues(layer));
    }
    return out;
  }

  /**
   * The boolean input that says per element of {@code value}, in training, whether it is kept (and
   * multiplied by {@link #DROPOUT_SCALE}) or dropped (0).
   */
  static String dropoutMask(String value) {
    return "dropout." + value;
  }

  /** The name of the adapter matrix A [in, rank] of weight {@code w}. */
  static String adapterA(String w) {
    return "lora." + w + ".A";
  }

  /** The name of the adapter matrix B [rank, out] of weight {@code w}. */
  static String adapterB(String w) {
    return "lora." + w + ".B";
  }

  /** Token inputs → the hidden state at the cut, output {@link #CUT}. */
  static byte[] lower(Spec s) {
    GraphBuilder g = new GraphBuilder("ferry-finetune-lower", ElementType.FLOAT);
    String cut = s.cut();
    g.output(s.model().addTo(g, Set.of(), null, List.of(cut)).get(cut), CUT);
    return g.toBytes();
  }

  /**
   * The loss and its gradients (outputs named {@link InPlaceAdamW#gradient}) in the given real
   * type: to check them.
   */
  static GraphBuilder lossAndGradients(Spec s, ElementType realType) {
    GraphBuilder g = new GraphBuilder("ferry-finetune-gradients", realType);
    Map<String, String> gradients = Autodiff.gradients(g, loss(g, s, false), parameters(s));
    gradients.forEach((p, grad) -> g.output(grad, InPlaceAdamW.gradient(p)));
    return g;
  }

  /**
   * Class probabilities ({@link #PROBABILITIES}, with a head) and the vector the head reads or the
   * contrastive loss compares ({@link #EMBEDDING}) with every parameter above the cut and the
   * head's as inputs: to score examples between epochs, and to fit the head's starting point on the
   * untrained encoder.
   */
  static byte[] evaluation(Spec s) {
    GraphBuilder g = new GraphBuilder("ferry-finetune-eval", ElementType.FLOAT);
    String vectors =
        s.lora()
            ? forward(g, s, Set.of(), s.adaptedWeights(s.unfreeze()), List.of())
            : forward(g, s, new HashSet<>(s.encoderParameters()), List.of(), List.of());
    g.output(vectors, EMBEDDING, rows(s));
    if (s.classifier()) {
      head(g, s, vectors);
    }
    return g.toBytes();
  }

  /**
   * One training step's forward and backward pass: inputs the batch (the cut hidden state packed
   * into rows with {@link #ATTENTION_BIAS} and {@link #TOKEN_POOLING}, or the token ids and {@link
   * #ATTENTION_MASK}; {@link #TARGET} or the pair inputs) and every trained parameter; outputs
   * {@link #LOSS} (and {@link #PROBABILITIES} with a head) and each parameter's gradient, named
   * {@link InPlaceAdamW#gradient}, which the update then applies.
   *
   * @param dropout whether the {@link #dropoutValues} are multiplied by {@link #dropoutMask} inputs
   */
  static byte[] trainingStep(Spec s, boolean dropout) {
    GraphBuilder g = new GraphBuilder("ferry-finetune-step", ElementType.FLOAT);
    String loss = loss(g, s, dropout);
    Autodiff.gradients(g, loss, parameters(s))
        .forEach((p, grad) -> g.output(grad, InPlaceAdamW.gradient(p)));
    return g.toBytes();
  }

  /** Every trained parameter: the encoder's open ones, then the head's (if it has one). */
  static List<String> parameters(Spec s) {
    List<String> out = new ArrayList<>(s.openParameters());
    if (s.classifier()) {
      out.add(HEAD_WEIGHT);
      out.add(HEAD_BIAS);
    }
    return out;
  }

  /**
   * Declares the inputs and adds the forward pass; returns the loss (also output {@link #LOSS}).
   */
  private static String loss(GraphBuilder g, Spec s, boolean dropout) {
    String chunks = trainedChunkVectors(g, s, dropout);
    return lossOn(g, s, s.documents() ? documentFeatures(g, s, chunks) : chunks);
  }

  /**
   * Declares the batch inputs and the open parameters as inputs, and adds the encoder and its
   * pooling as a training step runs them; returns the vector of each of the batch's chunks (before
   * any pooling of a document's chunks).
   */
  static String trainedChunkVectors(GraphBuilder g, Spec s, boolean dropout) {
    List<String> dropped = dropout ? dropoutValues(s) : List.of();
    return s.lora()
        ? chunkVectors(g, s, Set.of(), s.adaptedWeights(s.open()), dropped)
        : chunkVectors(g, s, new HashSet<>(s.openParameters()), List.of(), dropped);
  }

  /**
   * Declares the objective's inputs and adds the loss on {@code vectors}, the rows the head reads
   * or the contrastive loss compares; returns the loss (also output {@link #LOSS}).
   */
  static String lossOn(GraphBuilder g, Spec s, String vectors) {
    String loss;
    if (s.classifier()) {
      String target =
          s.documents()
              ? g.namedInput(TARGET, DOCUMENTS, "classes")
              : g.input(TARGET, GraphBuilder.UNKNOWN, s.classes());
      loss = g.neg(g.sumAll(g.mul(target, g.logSoftmax(head(g, s, vectors)))));
    } else {
      loss = contrastive(g, s, vectors);
    }
    g.output(loss, LOSS);
    return loss;
  }

  /**
   * The contrastive loss over the similarity matrix of the batch's rows ({@link #PAIR_TARGET},
   * {@link #PAIR_WEIGHT}): one pass of the encoder per text, every pair compared.
   */
  private static String contrastive(GraphBuilder g, Spec s, String vectors) {
    String e = s.normalize() ? vectors : unitLength(g, vectors);
    String similarity = g.matMul(e, g.transpose(e, 1, 0));
    String target = g.namedInput(PAIR_TARGET, rows(s), rows(s));
    String weight = g.namedInput(PAIR_WEIGHT, rows(s), rows(s));
    if (s.objective() == Objective.COSINE_PAIRS) {
      String d = g.sub(similarity, target);
      return g.sumAll(g.mul(weight, g.mul(d, d)));
    }
    String logits = g.add(g.mul(similarity, g.scalar(1 / s.temperature())), weight);
    return g.neg(g.sumAll(g.mul(target, g.logSoftmax(logits))));
  }

  /** The name of the rows the head or the loss reads: documents, or the batch's chunks. */
  private static String rows(Spec s) {
    return s.documents() ? DOCUMENTS : "batch";
  }

  /** The linear head on {@code vectors}: returns the logits, outputs the probabilities. */
  private static String head(GraphBuilder g, Spec s, String vectors) {
    String weight = g.input(HEAD_WEIGHT, s.headWeightShape());
    String bias = g.input(HEAD_BIAS, s.classes());
    String logits = g.add(g.matMul(vectors, weight), bias);
    g.output(g.softmax(logits), PROBABILITIES, rows(s));
    return logits;
  }

  /**
   * Declares the batch and parameter inputs ({@code inputs}: the encoder parameters fed rather than
   * baked in; {@code adapted}: weights that get adapter inputs; {@code dropped}: values multiplied
   * by dropout masks) and adds encoder, pooling, normalization and, for documents, their chunks'
   * pooling; returns the vectors the head reads (or the contrastive loss compares), one per row.
   */
  private static String forward(
      GraphBuilder g, Spec s, Set<String> inputs, List<String> adapted, List<String> dropped) {
    String pooled = chunkVectors(g, s, inputs, adapted, dropped);
    return s.documents() ? documentFeatures(g, s, pooled) : pooled;
  }

  /** {@link #forward} up to each chunk's pooled (and normalized) vector. */
  private static String chunkVectors(
      GraphBuilder g, Spec s, Set<String> inputs, List<String> adapted, List<String> dropped) {
    String output = s.model().outputNames().get(0);
    Map<String, UnaryOperator<String>> rewrite = adapters(g, s, adapted);
    String scale = dropped.isEmpty() ? null : g.input(DROPOUT_SCALE);
    for (String value : dropped) {
      long[] shape = s.model().shape(value);
      long[] dynamic = new long[shape.length];
      for (int i = 0; i < shape.length; i++) {
        dynamic[i] = i == 0 ? GraphBuilder.UNKNOWN : shape[i];
      }
      rewrite.put(
          value,
          v -> {
            // A Where, not a product with the mask as floats: its gradient needs only the
            // booleans, so the backward pass keeps one byte per element instead of four.
            String kept = g.input(dropoutMask(value), ElementType.BOOL, dynamic);
            return g.where(kept, g.mul(v, scale), g.scalarLike(0, v));
          });
    }
    String pooled;
    if (s.cut() == null) {
      // Token ids in, right-padded rows, the model's own attention mask.
      String mask =
          g.input(ATTENTION_MASK, ElementType.INT64, GraphBuilder.UNKNOWN, GraphBuilder.UNKNOWN);
      String hidden = s.model().addTo(g, inputs, null, List.of(output), rewrite).get(output);
      pooled = pool(g, hidden, mask, s.pooling());
    } else {
      // The cut becomes an input under the model's own name for that value; its rows are packed.
      long unknown = GraphBuilder.UNKNOWN;
      Map<String, String> given =
          Map.of(
              s.cut(),
              g.input(s.cut(), g.realType(), s.model().shape(s.cut())),
              s.model().attentionBias(),
              g.input(ATTENTION_BIAS, g.realType(), unknown, 1, unknown, unknown));
      String hidden = s.model().addFrom(g, inputs, given, List.of(output), rewrite).get(output);
      String tokens = g.reshape(hidden, g.ints(-1, s.dimension()), unknown, s.dimension());
      pooled = g.matMul(g.namedInput(TOKEN_POOLING, "batch", "tokens"), tokens);
    }
    if (s.normalize()) {
      pooled = unitLength(g, pooled);
    }
    return pooled;
  }

  /** Each row scaled to unit length. */
  private static String unitLength(GraphBuilder g, String rows) {
    return g.div(rows, g.sqrt(g.add(g.reduceSum(g.mul(rows, rows), true, 1), g.scalar(1e-12))));
  }

  /**
   * Per document, its chunk vectors [chunks, dimension] pooled as {@link ChunkPooling#features}
   * pools them: the first chunk's, the token-weighted mean (unit length if the encoder normalizes),
   * the maximum over chunks, as the pooling asks, side by side and scaled by 1 / blocks. Selection
   * and mean are matrix products with the document inputs, the maximum a ReduceMax over slots, so
   * every step has a gradient.
   */
  static String documentFeatures(GraphBuilder g, Spec s, String chunks) {
    String mean = g.matMul(g.namedInput(DOCUMENT_MEAN, DOCUMENTS, "batch"), chunks);
    if (s.normalize()) {
      mean = unitLength(g, mean);
    }
    ChunkPooling p = s.chunkPooling();
    if (p == ChunkPooling.TOKEN_WEIGHTED_MEAN) {
      return mean;
    }
    List<String> blocks =
        new ArrayList<>(
            List.of(g.matMul(g.namedInput(DOCUMENT_FIRST, DOCUMENTS, "batch"), chunks), mean));
    if (p == ChunkPooling.FIRST_MEAN_MAX) {
      blocks.add(
          g.reduceMax(
              g.matMul(g.namedInput(DOCUMENT_SLOTS, DOCUMENTS, "slots", "batch"), chunks),
              false,
              1));
    }
    return g.mul(g.concat(1, blocks.toArray(String[]::new)), g.scalar(1.0 / blocks.size()));
  }

  /** Each adapted weight W becomes W + scale · A · B, with A and B graph inputs. */
  static Map<String, UnaryOperator<String>> adapters(GraphBuilder g, Spec s, List<String> adapted) {
    Map<String, UnaryOperator<String>> rewrite = new HashMap<>();
    for (String w : adapted) {
      long[] shape = s.model().shape(w);
      rewrite.put(
          w,
          value -> {
            String a = g.input(adapterA(w), shape[0], s.rank());
            String b = g.input(adapterB(w), s.rank(), shape[1]);
            return g.add(value, g.mul(g.matMul(a, b), g.scalar(s.scale())));
          });
    }
    return rewrite;
  }

  /** Mean over the tokens the mask keeps, or the first token's vector. */
  private static String pool(GraphBuilder g, String hidden, String mask, Pooling pooling) {
    if (pooling == Pooling.CLS) {
      return g.squeeze(g.gather(hidden, g.ints(0), 1), 1);
    }
    String weights = g.cast(mask, g.realType());
    String summed = g.reduceSum(g.mul(hidden, g.unsqueeze(weights, 2)), false, 1);
    String count = g.max(g.reduceSum(weights, true, 1), g.scalar(1));
    return g.div(summed, count);
  }
}
