package dev.ferry.trainer.finetune;

import dev.ferry.models.encoder.Pooling;
import dev.ferry.models.graph.AdamW;
import dev.ferry.models.graph.Autodiff;
import dev.ferry.models.graph.ElementType;
import dev.ferry.models.graph.GraphBuilder;
import dev.ferry.models.graph.OnnxImport;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The graphs of fine-tuning: the frozen lower part of the encoder (run once per example, its
 * output cached), and one training step over the top layers, pooling, normalization, a linear
 * head and the class-weighted cross-entropy, with gradients and the AdamW update.
 */
final class FineTuneGraphs {
  /** Input: per example and class, its share of the batch loss. */
  static final String TARGET = "target";
  /** Output: the batch's weighted mean cross-entropy. */
  static final String LOSS = "loss";
  /** Output of the lower graph: the hidden state where the trained layers begin (fed as {@code Spec.cut()}). */
  static final String CUT = "cut";
  static final String ATTENTION_MASK = "attention_mask";
  static final String HEAD_WEIGHT = "head.weight";
  static final String HEAD_BIAS = "head.bias";

  /**
   * What to build.
   *
   * @param model the imported encoder
   * @param unfreeze how many top layers train; {@code model.layerCount()} trains every
   *     parameter, the embeddings included
   * @param classes the number of labels
   * @param pooling how token vectors become one
   * @param normalize whether the pooled vector is scaled to unit length before the head
   */
  record Spec(OnnxImport model, int unfreeze, int classes, Pooling pooling, boolean normalize) {
    Spec {
      if (unfreeze < 1 || unfreeze > model.layerCount()) {
        throw new IllegalArgumentException("unfreeze must be between 1 and " + model.layerCount()
            + " (the encoder's layers), was " + unfreeze);
      }
    }

    boolean full() {
      return unfreeze == model.layerCount();
    }

    /** The value the trained part starts from: null (token ids) when everything trains. */
    String cut() {
      return full() ? null : model.layerOutput(model.layerCount() - unfreeze - 1);
    }

    /** The encoder parameters that train. */
    List<String> encoderParameters() {
      return full() ? model.parameters() : model.topLayerParameters(unfreeze);
    }

    int dimension() {
      long[] s = model.shape(model.outputNames().get(0));
      return (int) s[s.length - 1];
    }

    long[] headWeightShape() {
      return new long[] {dimension(), classes};
    }
  }

  private FineTuneGraphs() {}

  /** Token inputs → the hidden state at the cut, output {@link #CUT}. */
  static byte[] lower(Spec s) {
    GraphBuilder g = new GraphBuilder("ferry-finetune-lower", ElementType.FLOAT);
    String cut = s.cut();
    g.output(s.model().addTo(g, Set.of(), null, List.of(cut)).get(cut), CUT);
    return g.toBytes();
  }

  /** The loss and its gradients (outputs {@code grad.NAME}) in the given real type: to check them. */
  static GraphBuilder lossAndGradients(Spec s, ElementType realType) {
    GraphBuilder g = new GraphBuilder("ferry-finetune-gradients", realType);
    Map<String, String> gradients = Autodiff.gradients(g, loss(g, s), parameters(s));
    gradients.forEach((p, grad) -> g.output(grad, "grad." + p));
    return g;
  }

  /**
   * One AdamW step: inputs the batch (the cut hidden state or the token ids, {@link #ATTENTION_MASK},
   * {@link #TARGET}), every trained parameter and its moments, the learning rate and bias
   * corrections; outputs {@link #LOSS}, the gradient norm and the next parameters and moments.
   *
   * @param rateScale per parameter, a factor on the learning rate (layer-wise decay, head factor)
   */
  static byte[] trainingStep(Spec s, AdamW.Settings optimizer, Map<String, Double> rateScale) {
    GraphBuilder g = new GraphBuilder("ferry-finetune-step", ElementType.FLOAT);
    String loss = loss(g, s);
    List<String> parameters = parameters(s);
    Map<String, String> gradients = Autodiff.gradients(g, loss, parameters);
    Set<String> decayed = new HashSet<>();
    for (String p : parameters) {
      if (g.shape(p).length >= 2) {
        decayed.add(p);  // matrices decay; biases and LayerNorm scales do not
      }
    }
    AdamW.append(g, gradients, decayed, optimizer, rateScale);
    return g.toBytes();
  }

  /** Every trained parameter: the encoder's, then the head's. */
  static List<String> parameters(Spec s) {
    List<String> out = new ArrayList<>(s.encoderParameters());
    out.add(HEAD_WEIGHT);
    out.add(HEAD_BIAS);
    return out;
  }

  /** Declares the inputs and adds the forward pass; returns the loss (also output {@link #LOSS}). */
  private static String loss(GraphBuilder g, Spec s) {
    String mask = g.input(ATTENTION_MASK, ElementType.INT64, GraphBuilder.UNKNOWN, GraphBuilder.UNKNOWN);
    String output = s.model().outputNames().get(0);
    Set<String> trainable = new HashSet<>(s.encoderParameters());
    String hidden;
    if (s.full()) {
      hidden = s.model().addTo(g, trainable).get(output);
    } else {
      // The cut becomes an input under the model's own name for that value (Spec.cut()).
      hidden = s.model().addTo(g, trainable, s.cut(), List.of(output)).get(output);
    }
    String pooled = pool(g, hidden, mask, s.pooling());
    if (s.normalize()) {
      String norm = g.sqrt(g.add(g.reduceSum(g.mul(pooled, pooled), true, 1), g.scalar(1e-12)));
      pooled = g.div(pooled, norm);
    }
    String weight = g.input(HEAD_WEIGHT, s.headWeightShape());
    String bias = g.input(HEAD_BIAS, s.classes());
    String logits = g.add(g.matMul(pooled, weight), bias);
    String target = g.input(TARGET, GraphBuilder.UNKNOWN, s.classes());
    String loss = g.neg(g.sumAll(g.mul(target, g.logSoftmax(logits))));
    g.output(loss, LOSS);
    return loss;
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
