package dev.ferry.eval.finetune;

import dev.ferry.eval.accuracy.Task;
import dev.ferry.eval.accuracy.Tasks;
import dev.ferry.eval.baseline.Baselines;
import dev.ferry.eval.baseline.Baselines.LabeledTexts;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The accuracy suite's tasks ({@link Tasks}) as fine-tuning is measured on them: the same pools and
 * test sets, optionally a smaller stratified test set, since a fine-tuned encoder must embed the
 * whole test set again for every run.
 */
final class FineTuneTasks {
  private FineTuneTasks() {}

  /**
   * Reads a task from the shared data folder.
   *
   * @param spamTest emails in the SpamAssassin test subset
   * @param testLimit above 0: at most this many test texts, a stratified subset (seed 0)
   */
  static Task read(Path dir, String id, int spamTest, int testLimit) throws IOException {
    Task task = Tasks.read(dir, List.of(id), spamTest).get(0);
    if (testLimit <= 0 || testLimit >= task.test().size()) {
      return task;
    }
    LabeledTexts test = Baselines.stratifiedSplit(task.test(), testLimit, 0).train();
    return new Task(
        task.id(),
        task.title(),
        task.pool(),
        test,
        task.runs(),
        task.split() + "; scored on a stratified " + testLimit + " of the test set (seed 0)");
  }
}
