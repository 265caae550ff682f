package dev.ferry.trainer.loop;

import dev.ferry.autodiff.AdamW;
import dev.ferry.models.graph.ElementType;
import dev.ferry.models.graph.HostTensor;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * One AdamW step from the host's side, where the update is part of the step graph ({@link
 * AdamW#append}; the head's training loop): the trained parameters and their moments go into the
 * graph with the learning rate and the bias corrections {@code 1 − β^t} (the betas of {@link
 * AdamW.Settings}, {@code t} counted per group of parameters that started training together), and
 * their next values come back into the state. Fine-tuning applies the same update in Java, over
 * native memory ({@code dev.ferry.trainer.finetune.InPlaceAdamW}).
 */
public final class AdamWStep {
  private final AdamW.Settings settings;

  /** Steps with these settings (the graph was built with the same ones). */
  public AdamWStep(AdamW.Settings settings) {
    this.settings = settings;
  }

  /** Adds zero first and second moments for every parameter in {@code state}. */
  public static void addZeroMoments(Map<String, HostTensor> state) {
    for (String p : List.copyOf(state.keySet())) {
      state.put(AdamW.firstMoment(p), HostTensor.zeros(ElementType.FLOAT, state.get(p).shape()));
      state.put(AdamW.secondMoment(p), HostTensor.zeros(ElementType.FLOAT, state.get(p).shape()));
    }
  }

  /**
   * Puts a step's inputs into {@code feed}: each trained parameter and its moments from {@code
   * state}, the learning rate, and the bias corrections of each group.
   *
   * @param stepOfGroup per group ({@code ""}: the parameters trained from the start; see {@link
   *     AdamW#biasCorrections}), the group's own step count, 1 at its first step
   */
  public void feed(
      Map<String, HostTensor> feed,
      Map<String, HostTensor> state,
      Collection<String> trained,
      double learningRate,
      Map<String, Integer> stepOfGroup) {
    for (String name : trained) {
      feed.put(name, state.get(name));
      feed.put(AdamW.firstMoment(name), state.get(AdamW.firstMoment(name)));
      feed.put(AdamW.secondMoment(name), state.get(AdamW.secondMoment(name)));
    }
    feedRates(feed, learningRate, stepOfGroup);
  }

  /** Puts the learning rate and the bias corrections of each group into {@code feed}. */
  private void feedRates(
      Map<String, HostTensor> feed, double learningRate, Map<String, Integer> stepOfGroup) {
    feed.put(AdamW.LEARNING_RATE, HostTensor.scalar(ElementType.FLOAT, learningRate));
    stepOfGroup.forEach(
        (group, step) -> {
          List<String> names = AdamW.biasCorrections(group);
          feed.put(
              names.get(0),
              HostTensor.scalar(ElementType.FLOAT, 1 - Math.pow(settings.beta1(), step)));
          feed.put(
              names.get(1),
              HostTensor.scalar(ElementType.FLOAT, 1 - Math.pow(settings.beta2(), step)));
        });
  }

  /** A trained parameter's state names: the parameter, its first and its second moment. */
  public static List<String> stateNames(String parameter) {
    return List.of(parameter, AdamW.firstMoment(parameter), AdamW.secondMoment(parameter));
  }

  /**
   * Takes the trained parameters' and moments' next values from the step's outputs into {@code
   * state}.
   */
  public static void update(
      Map<String, HostTensor> state, Map<String, HostTensor> outputs, Collection<String> trained) {
    for (String name : trained) {
      for (String key : stateNames(name)) {
        state.put(key, outputs.get(AdamW.next(key)));
      }
    }
  }
}
