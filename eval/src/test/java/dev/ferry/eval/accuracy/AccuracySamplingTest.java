package dev.ferry.eval.accuracy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Few-shot sampling and the mean ± sd the learning curve reports. */
class AccuracySamplingTest {
  /** 100 "other", 30 "grain", 5 "corn", interleaved. */
  private static List<String> pool() {
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      labels.add("other");
      if (i % 3 == 0 && i < 90) {
        labels.add("grain");
      }
      if (i % 20 == 0) {
        labels.add("corn");
      }
    }
    return labels;
  }

  @Test
  void takesKOfEachClassAndAllOfASmallerClass() {
    List<String> labels = pool();
    PerClassSample s = PerClassSample.draw(labels, 8, 1);
    assertThat(s.taken())
        .containsExactly(Map.entry("corn", 5), Map.entry("grain", 8), Map.entry("other", 8));
    assertThat(s.capped()).containsExactly(Map.entry("corn", 5));
    assertThat(s.size()).isEqualTo(21);
    Map<String, Long> counted =
        Arrays.stream(s.indices())
            .mapToObj(labels::get)
            .collect(Collectors.groupingBy(l -> l, Collectors.counting()));
    assertThat(counted)
        .containsEntry("corn", 5L)
        .containsEntry("grain", 8L)
        .containsEntry("other", 8L);
    assertThat(s.indices()).isSorted().doesNotHaveDuplicates();

    PerClassSample small = PerClassSample.draw(labels, 2, 1);
    assertThat(small.capped()).isEmpty();
    assertThat(small.size()).isEqualTo(6);
  }

  @Test
  void isDeterministicPerSeedAndDiffersAcrossSeeds() {
    List<String> labels = pool();
    assertThat(PerClassSample.draw(labels, 8, 3).indices())
        .isEqualTo(PerClassSample.draw(labels, 8, 3).indices());
    Set<List<Integer>> distinct = new java.util.HashSet<>();
    for (long seed = 1; seed <= 5; seed++) {
      distinct.add(Arrays.stream(PerClassSample.draw(labels, 8, seed).indices()).boxed().toList());
    }
    assertThat(distinct).hasSize(5);
  }

  @Test
  void aLargerKExtendsTheSameSeedsSample() {
    List<String> labels = pool();
    Set<Integer> small =
        Arrays.stream(PerClassSample.draw(labels, 4, 2).indices())
            .boxed()
            .collect(Collectors.toSet());
    Set<Integer> large =
        Arrays.stream(PerClassSample.draw(labels, 16, 2).indices())
            .boxed()
            .collect(Collectors.toSet());
    assertThat(large).containsAll(small);
  }

  @Test
  void refusesKBelowOne() {
    assertThatThrownBy(() -> PerClassSample.draw(List.of("a", "b"), 0, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1");
  }

  @Test
  void meanAndSampleStandardDeviation() {
    MeanSd m = MeanSd.of(0.7, 0.8, 0.9);
    assertThat(m.mean()).isCloseTo(0.8, within(1e-12));
    assertThat(m.sd()).isCloseTo(0.1, within(1e-12));
    assertThat(m.n()).isEqualTo(3);
    assertThat(m).hasToString("0.800 ± 0.100");
    assertThat(MeanSd.of(0.5).sd()).isZero();
    assertThat(MeanSd.of(0.5)).hasToString("0.500");
    assertThat(MeanSd.of().mean()).isNaN();
  }
}
