package dev.ferry.models.encoder;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class BatchPlannerTest {
  private static final long SEED = Long.getLong("tests.seed", System.nanoTime());

  @RepeatedTest(20)
  void bucketedBatchesCoverEveryTextOnceWithinBudget() {
    Random random = new Random(SEED + System.identityHashCode(this));
    int[] lengths =
        IntStream.range(0, 1 + random.nextInt(500)).map(i -> 2 + random.nextInt(255)).toArray();
    List<BatchPlanner.Batch> plan =
        BatchPlanner.plan(lengths, Batching.LENGTH_BUCKETED, 32, 4096, 256);
    int[] seen = new int[lengths.length];
    for (BatchPlanner.Batch b : plan) {
      assertThat(b.indices().length).isBetween(1, 32);
      int longest = Arrays.stream(b.indices()).map(i -> lengths[i]).max().orElseThrow();
      assertThat(b.paddedLength()).isEqualTo(longest);
      if (b.indices().length > 1) {
        assertThat((long) b.indices().length * b.paddedLength()).isLessThanOrEqualTo(4096);
      }
      for (int i : b.indices()) {
        seen[i]++;
      }
    }
    assertThat(seen).as("seed %d", SEED).containsOnly(1);
  }

  @Test
  void similarLengthsShareABatch() {
    int[] lengths = {10, 200, 11, 199, 12, 198};
    List<BatchPlanner.Batch> plan =
        BatchPlanner.plan(lengths, Batching.LENGTH_BUCKETED, 3, 10_000, 256);
    assertThat(plan).hasSize(2);
    assertThat(plan.get(0).indices()).containsExactlyInAnyOrder(1, 3, 5);
    assertThat(plan.get(0).paddedLength()).isEqualTo(200);
    assertThat(plan.get(1).indices()).containsExactlyInAnyOrder(0, 2, 4);
    assertThat(plan.get(1).paddedLength()).isEqualTo(12);
  }

  @Test
  void aTextLongerThanTheBudgetStillGetsABatchOfItsOwn() {
    List<BatchPlanner.Batch> plan =
        BatchPlanner.plan(new int[] {512, 3}, Batching.LENGTH_BUCKETED, 8, 100, 512);
    assertThat(plan).hasSize(2);
    assertThat(plan.get(0).indices()).containsExactly(0);
  }

  @Test
  void padToMaxKeepsInputOrderAndPadsEverythingToMaxLength() {
    List<BatchPlanner.Batch> plan =
        BatchPlanner.plan(new int[] {5, 9, 2, 7, 3}, Batching.PAD_TO_MAX_LENGTH, 2, 10_000, 128);
    assertThat(plan).extracting(b -> b.indices().length).containsExactly(2, 2, 1);
    assertThat(plan.get(1).indices()).containsExactly(2, 3);
    assertThat(plan).allMatch(b -> b.paddedLength() == 128);
    // The token budget limits rows at full length, as on the bucketed path; never below one.
    assertThat(BatchPlanner.plan(new int[5], Batching.PAD_TO_MAX_LENGTH, 32, 300, 128))
        .extracting(b -> b.indices().length)
        .containsExactly(2, 2, 1);
    assertThat(BatchPlanner.plan(new int[2], Batching.PAD_TO_MAX_LENGTH, 32, 10, 128)).hasSize(2);
  }
}
