package dev.ferry.cli;

import static dev.ferry.cli.FerryCliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.cli.FerryCliTest.Run;
import dev.ferry.models.encoder.BuiltinEncoder;
import dev.ferry.testing.Samples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ferry train --encoder auto}: its options, their errors, and a run on a small set. */
class AutoEncoderCliTest {
  @TempDir Path dir;

  private Path data() throws IOException {
    return Files.write(dir.resolve("train.jsonl"), Samples.sportCookingLines("sport", "cooking"));
  }

  private Run train(String... more) throws IOException {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "train",
                "--data",
                data().toString(),
                "--out",
                dir.resolve("bundle").toString(),
                "--threads",
                "1"));
    args.addAll(List.of(more));
    return run(args.toArray(String[]::new));
  }

  @Test
  void choosesSaysWhyAndWritesTheBundle() throws IOException {
    Run r =
        train(
            "--encoder",
            "auto",
            "--candidates",
            "all-minilm-l6-v2-q,bge-small-en-v1.5-q",
            "--head",
            "linear");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err())
        .contains("Choosing the encoder: 2 encoders x 1 head,")
        .contains("Embedding 24 texts with all-minilm-l6-v2-q (encoder 1 of 2)")
        .contains("bge-small-en-v1.5-q + linear: cross-validated macro-F1");
    assertThat(r.out())
        .containsPattern("Chose (all-minilm-l6-v2-q|bge-small-en-v1.5-q) \\+ linear:");
    assertThat(r.out()).contains("(5 folds), best of 2 encoders x 1 head; next best");
  }

  @Test
  void refusesBadOptionsWithExitTwo() throws IOException {
    Run budget = train("--encoder", "auto", "--budget", "ten minutes");
    assertThat(budget.code()).isEqualTo(2);
    assertThat(budget.err())
        .contains("--budget takes a duration such as 90s, 10m or 1h30m, found 'ten minutes'");
    Run unknown = train("--encoder", "auto", "--candidates", "all-minilm-l6-v2-q,bert");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err())
        .contains("--candidates: candidates must be built-in encoders; 'bert' is not one of")
        .contains(BuiltinEncoder.ids());
    Run mode = train("--encoder", "auto", "--mode", "finetune");
    assertThat(mode.code()).isEqualTo(2);
    assertThat(mode.err())
        .contains("--encoder auto supports --mode features only, not --mode finetune");
    Run withoutAuto = train("--budget", "10m");
    assertThat(withoutAuto.code()).isEqualTo(2);
    assertThat(withoutAuto.err()).contains("--candidates and --budget need --encoder auto");
  }

  @Test
  void aBudgetTooSmallForTheFastestIsAUsageError() throws IOException {
    // 2,400 texts no cache holds: embedding them takes longer than one second.
    String salt = UUID.randomUUID().toString();
    List<String> base = Samples.sportCookingLines("sport", "cooking");
    List<String> lines = new java.util.ArrayList<>();
    for (int i = 0; i < 100; i++) {
      for (String l : base) {
        lines.add(l.replace("\", \"label\"", " " + salt + " " + i + "\", \"label\""));
      }
    }
    Path data = Files.write(dir.resolve("salted.jsonl"), lines);
    Run r =
        run(
            "train",
            "--data",
            data.toString(),
            "--out",
            dir.resolve("b").toString(),
            "--encoder",
            "auto",
            "--candidates",
            "all-minilm-l6-v2-q",
            "--budget",
            "1s");
    assertThat(r.code()).as(r.err()).isEqualTo(2);
    assertThat(r.err())
        .contains("--budget: budget 1s is too small for even the fastest candidate:")
        .contains("all-minilm-l6-v2-q needs about");
  }

  @Test
  void helpPrintsTheDefaultCandidatesFromTheLibrary() {
    String help = FerryCliTest.help(400, "train");
    assertThat(help)
        .contains("Default: all-minilm-l6-v2-q,bge-small-en-v1.5-q,e5-small-v2-q")
        .contains("--encoder auto --budget 10m");
    // In the encoder's group, not under "Other".
    int group = help.indexOf("\nEncoder and long texts:\n");
    int runtime = help.indexOf("\nRuntime:\n");
    assertThat(group).isPositive();
    assertThat(help.indexOf("      --candidates=")).isBetween(group, runtime);
    assertThat(help.indexOf("      --budget=")).isBetween(group, runtime);
  }
}
