package dev.ferry.autodiff;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Appends an AdamW update (Loshchilov and Hutter, decoupled weight decay) to a training graph, with
 * optional clipping of the gradients' global L2 norm.
 *
 * <p>For every parameter {@code p} with gradient {@code g} the graph takes the optimizer state
 * {@code p.adam_m} and {@code p.adam_v} as inputs and returns {@code p.next}, {@code p.adam_m.next}
 * and {@code p.adam_v.next}; the caller feeds the outputs back in as the next step's inputs.
 * Step-dependent scalars are inputs too, so one graph serves every step: {@link #LEARNING_RATE} and
 * the bias corrections {@code 1 - beta1^t} ({@link #BIAS_CORRECTION1}) and {@code 1 - beta2^t}
 * ({@link #BIAS_CORRECTION2}). Every next value is computed after every gradient (it reads the
 * gradients' global norm). So where every read of a parameter feeds some gradient, as in a training
 * graph whose loss reads the whole forward pass, a runtime may write the outputs over the inputs
 * they replace.
 */
public final class AdamW {
  /** Input: the learning rate of this step (a scalar, so schedules need no new graph). */
  public static final String LEARNING_RATE = "learning_rate";

  /** Input: {@code 1 - beta1^t} for step {@code t} (1-based). */
  public static final String BIAS_CORRECTION1 = "bias_correction1";

  /** Input: {@code 1 - beta2^t} for step {@code t} (1-based). */
  public static final String BIAS_CORRECTION2 = "bias_correction2";

  /** Output: the global L2 norm of the gradients before clipping. */
  public static final String GRADIENT_NORM = "gradient_norm";

  /**
   * Optimizer settings.
   *
   * @param beta1 decay of the first-moment average (0.9)
   * @param beta2 decay of the second-moment average (0.999)
   * @param epsilon added to the denominator (1e-8)
   * @param weightDecay decoupled weight decay per unit learning rate (0.01)
   * @param clipNorm clip the global gradient norm to this; 0 disables clipping
   */
  public record Settings(
      double beta1, double beta2, double epsilon, double weightDecay, double clipNorm) {
    /** The usual defaults: 0.9, 0.999, 1e-8, weight decay 0.01, clipping at norm 1. */
    public static Settings defaults() {
      return new Settings(0.9, 0.999, 1e-8, 0.01, 1.0);
    }

    /** A copy with another weight decay. */
    public Settings withWeightDecay(double decay) {
      return new Settings(beta1, beta2, epsilon, decay, clipNorm);
    }

    /** A copy with another clipping norm (0 disables clipping). */
    public Settings withClipNorm(double norm) {
      return new Settings(beta1, beta2, epsilon, weightDecay, norm);
    }
  }

  private AdamW() {}

  /** The state input holding a parameter's first moment. */
  public static String firstMoment(String parameter) {
    return parameter + ".adam_m";
  }

  /** The state input holding a parameter's second moment. */
  public static String secondMoment(String parameter) {
    return parameter + ".adam_v";
  }

  /** The output holding the value of {@code name} (a parameter or a moment) after the step. */
  public static String next(String name) {
    return name + ".next";
  }

  /**
   * Appends the update.
   *
   * @param g the graph, which already computes the gradients
   * @param gradients parameter name → gradient name (from {@link Autodiff#gradients})
   * @param decayed the parameters that get weight decay (weights, usually not biases)
   * @return every output name the update added, in a stable order
   */
  public static List<String> append(
      GraphBuilder g, Map<String, String> gradients, Set<String> decayed, Settings settings) {
    return append(g, gradients, decayed, settings, Map.of());
  }

  /**
   * Appends the update with a constant learning-rate factor per parameter (1 where absent): a lower
   * rate for a pretrained encoder than for a new head, or one that decays layer by layer downwards.
   * The schedule still comes in through {@link #LEARNING_RATE}.
   *
   * @param rateScale parameter name → factor on the learning rate
   * @return every output name the update added, in a stable order
   */
  public static List<String> append(
      GraphBuilder g,
      Map<String, String> gradients,
      Set<String> decayed,
      Settings settings,
      Map<String, Double> rateScale) {
    return append(g, gradients, decayed, settings, rateScale, Map.of());
  }

  /**
   * The bias-correction inputs of a group of parameters whose step count started later than the
   * others' (a layer that began training mid-run): {@code [bias_correction1.GROUP,
   * bias_correction2.GROUP]}, or the shared {@link #BIAS_CORRECTION1} and {@link #BIAS_CORRECTION2}
   * for the empty group.
   */
  public static List<String> biasCorrections(String group) {
    return group.isEmpty()
        ? List.of(BIAS_CORRECTION1, BIAS_CORRECTION2)
        : List.of(BIAS_CORRECTION1 + "." + group, BIAS_CORRECTION2 + "." + group);
  }

  /**
   * Appends the update with per-parameter rate factors and step counts: the parameters of a group
   * (name → group; absent: the empty group) take their bias corrections from {@link
   * #biasCorrections(String) the group's inputs}, fed with {@code 1 - beta^t} for the group's own
   * step {@code t}, as an optimizer with a step count per parameter does.
   *
   * @return every output name the update added, in a stable order
   */
  public static List<String> append(
      GraphBuilder g,
      Map<String, String> gradients,
      Set<String> decayed,
      Settings settings,
      Map<String, Double> rateScale,
      Map<String, String> group) {
    String lr = g.input(LEARNING_RATE);
    Map<String, List<String>> corrections = new LinkedHashMap<>();
    for (String p : gradients.keySet()) {
      corrections.computeIfAbsent(
          group.getOrDefault(p, ""),
          k -> biasCorrections(k).stream().map(n -> g.input(n)).toList());
    }
    List<String> outputs = new ArrayList<>();

    // Each line below is a pass over every trained value, and at a few texts per step these
    // passes, not the matrix products, were a third of a top-2 step (eval/RESULTS.md, "Fewer
    // passes in the update"). So the clipping factor, the bias corrections and the weight decay
    // are folded into scalars, and each next value is written by the node that computes it.
    Map<String, String> squares = new LinkedHashMap<>();
    String squaredNorm = null;
    for (Map.Entry<String, String> e : gradients.entrySet()) {
      String square = g.mul(e.getValue(), e.getValue());
      squares.put(e.getKey(), square);
      String s = g.sumAll(square);
      squaredNorm = squaredNorm == null ? s : g.add(squaredNorm, s);
    }
    String norm = g.sqrt(squaredNorm);
    outputs.add(g.output(norm, GRADIENT_NORM));
    // Every update reads the norm, so each next value comes after every gradient (and so after
    // every read of a parameter that feeds one): what writing the next values over the current
    // ones needs. Without clipping the scale is 1, still computed after the norm.
    String clip =
        settings.clipNorm() > 0
            ? g.min(g.scalar(1), g.div(g.scalar(settings.clipNorm()), g.add(norm, g.scalar(1e-6))))
            : g.after(g.scalar(1), norm);
    // m' = beta1 m + (1 - beta1) clip g;  v' = beta2 v + (1 - beta2) clip^2 g^2
    String beta1 = g.scalar(settings.beta1());
    String beta2 = g.scalar(settings.beta2());
    String gradientFactor = g.mul(g.scalar(1 - settings.beta1()), clip);
    String squareFactor = g.mul(g.scalar(1 - settings.beta2()), g.mul(clip, clip));
    Map<UpdateKey, Update> updates = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : gradients.entrySet()) {
      String p = e.getKey();
      long[] shape = g.shape(p);
      String m = g.input(firstMoment(p), shape);
      String v = g.input(secondMoment(p), shape);
      String m2 = g.binary("Add", g.mul(m, beta1), g.mul(e.getValue(), gradientFactor), next(m));
      String v2 = g.binary("Add", g.mul(v, beta2), g.mul(squares.get(p), squareFactor), next(v));
      // p' = p (1 - rate decay) - rate / bc1 * m' / (sqrt(v' / bc2) + eps)
      //    = p keep - step * m' / (sqrt(v') + eps sqrt(bc2)),  step = rate sqrt(bc2) / bc1
      boolean decays = decayed.contains(p) && settings.weightDecay() > 0;
      UpdateKey key =
          new UpdateKey(group.getOrDefault(p, ""), rateScale.getOrDefault(p, 1.0), decays);
      Update u =
          updates.computeIfAbsent(
              key,
              k -> update(g, settings, lr, corrections.get(k.group()), k.rateScale(), k.decays()));
      String change = g.mul(g.div(m2, g.add(g.sqrt(v2), u.epsilon())), u.step());
      String kept = decays ? g.mul(p, u.keep()) : p;
      outputs.add(g.output(g.binary("Sub", kept, change, next(p)), next(p)));
      outputs.add(g.output(m2, next(m)));
      outputs.add(g.output(v2, next(v)));
    }
    return outputs;
  }

  private record UpdateKey(String group, double rateScale, boolean decays) {}

  /** The scalars of the update shared by parameters with the same group, rate and decay. */
  private record Update(String step, String epsilon, String keep) {}

  private static Update update(
      GraphBuilder g,
      Settings settings,
      String learningRate,
      List<String> biasCorrections,
      double rateScale,
      boolean decays) {
    String rate = rateScale == 1.0 ? learningRate : g.mul(learningRate, g.scalar(rateScale));
    String rootCorrection2 = g.sqrt(biasCorrections.get(1));
    String step = g.div(g.mul(rate, rootCorrection2), biasCorrections.get(0));
    String epsilon = g.mul(g.scalar(settings.epsilon()), rootCorrection2);
    String keep = decays ? g.sub(g.scalar(1), g.mul(rate, g.scalar(settings.weightDecay()))) : null;
    return new Update(step, epsilon, keep);
  }
}
