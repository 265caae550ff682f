package dev.ferry.trainer;

import dev.ferry.models.graph.HostTensor;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;
import java.util.Map;

/**
 * Training stopped because its loss, or a parameter, stopped being a finite number: the parameters
 * overflowed, nearly always because the learning rate is far too high. Going on would only write a
 * model of {@code NaN}s (and a report of meaningless curves), so training stops at the first step
 * whose loss is not finite, or after the epoch whose last update made a parameter so.
 */
public final class TrainingDivergedException extends IllegalStateException {
  private final String training;
  private final String problem;
  private final int epoch;
  private final int step;
  private final double loss;
  private final double learningRate;

  /**
   * @param training what was training, e.g. "head training" or "fine-tuning"
   * @param epoch the 1-based epoch of the step
   * @param step the 1-based step, counted over the whole run
   * @param loss the step's loss (NaN or infinite when the loss diverged)
   * @param learningRate the learning rate setting the run was given
   * @param problem what is not finite, e.g. "the loss is NaN"
   */
  private TrainingDivergedException(
      String training, int epoch, int step, double loss, double learningRate, String problem) {
    super(
        String.format(
            Locale.ROOT,
            "%s diverged at epoch %d, step %d: %s. The learning rate (%s) is very"
                + " likely too high: try a lower one, such as %s",
            training,
            epoch,
            step,
            problem,
            brief(learningRate),
            brief(learningRate / 10)));
    this.training = training;
    this.problem = problem;
    this.epoch = epoch;
    this.step = step;
    this.loss = loss;
    this.learningRate = learningRate;
  }

  /**
   * Throws when {@code loss} is NaN or infinite.
   *
   * @throws TrainingDivergedException naming the epoch, the step, the loss and the learning rate
   */
  public static void requireFinite(
      double loss, String training, int epoch, int step, double learningRate) {
    if (!Double.isFinite(loss)) {
      throw new TrainingDivergedException(
          training, epoch, step, loss, learningRate, "the loss is " + loss);
    }
  }

  /**
   * Throws when a value of {@code parameters} is NaN or infinite: the last update overflowed.
   *
   * @param loss the loss of step {@code step}, the last one run
   * @throws TrainingDivergedException naming the parameter, the epoch, the step and the learning
   *     rate
   */
  public static void requireFinite(
      Map<String, HostTensor> parameters,
      String training,
      int epoch,
      int step,
      double loss,
      double learningRate) {
    for (Map.Entry<String, HostTensor> p : parameters.entrySet()) {
      HostTensor t = p.getValue();
      for (int i = 0; i < t.size(); i++) {
        if (!Double.isFinite(t.get(i))) {
          throw new TrainingDivergedException(
              training,
              epoch,
              step,
              loss,
              learningRate,
              "parameter '"
                  + p.getKey()
                  + "' is "
                  + t.get(i)
                  + " after the update (the loss before it was "
                  + loss
                  + ")");
        }
      }
    }
  }

  /** Three significant digits, as the message writes numbers: 1E+7, 0.002. */
  public static String brief(double value) {
    return new BigDecimal(value).round(new MathContext(3)).stripTrailingZeros().toString();
  }

  /** What was training, e.g. "head training" or "fine-tuning". */
  public String training() {
    return training;
  }

  /** What is not finite, e.g. "the loss is NaN". */
  public String problem() {
    return problem;
  }

  /** The 1-based epoch of the step whose loss was not finite. */
  public int epoch() {
    return epoch;
  }

  /** The 1-based step, counted over the whole run. */
  public int step() {
    return step;
  }

  /** The step's loss: NaN or infinite, or finite when an update made a parameter overflow. */
  public double loss() {
    return loss;
  }

  /** The learning rate the run was given. */
  public double learningRate() {
    return learningRate;
  }
}
