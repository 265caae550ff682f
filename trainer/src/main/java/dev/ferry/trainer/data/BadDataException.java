package dev.ferry.trainer.data;

import java.io.IOException;
import java.util.List;

/**
 * A data file has rows that cannot be used, and skipping them was not asked for. The message lists
 * the first {@value #LISTED} problems, one {@code file:line: problem} per line ({@link #summary}),
 * and says which setting skips bad rows instead ({@link #SKIP_BAD_ADVICE}).
 */
public class BadDataException extends IOException {
  private static final long serialVersionUID = 1L;

  /** How many problems the message lists. */
  public static final int LISTED = 10;

  /** The message's last line: which setting skips bad rows. */
  public static final String SKIP_BAD_ADVICE =
      "set skip bad (LabeledDataReader.Options.withSkipBad,"
          + " TrainingConfig.Builder.skipBad) to skip bad rows and go on";

  private final transient List<String> problems;
  private final String summary;

  BadDataException(String source, List<String> problems) {
    super(summarize(source, problems) + SKIP_BAD_ADVICE);
    this.summary = summarize(source, problems);
    this.problems = List.copyOf(problems);
  }

  /** The message without its advice: the source, the count and the first problems, a line each. */
  public String summary() {
    return summary;
  }

  /** Every problem found, {@code file:line: problem} each, in file order. */
  public List<String> problems() {
    return problems;
  }

  private static String summarize(String source, List<String> problems) {
    int n = problems.size();
    StringBuilder sb =
        new StringBuilder()
            .append(source)
            .append(": ")
            .append(n)
            .append(n == 1 ? " bad row" : " bad rows")
            .append('\n');
    problems.stream().limit(LISTED).forEach(p -> sb.append(p).append('\n'));
    if (n > LISTED) {
      sb.append("and ").append(n - LISTED).append(" more\n");
    }
    return sb.toString();
  }
}
