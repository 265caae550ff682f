package dev.ferry.trainer.data;

import java.io.IOException;
import java.util.List;

/**
 * A data file has rows that cannot be used, and skipping them was not asked for. The message
 * lists the first {@value #LISTED} problems, one {@code file:line: problem} per line, and says how
 * to skip bad rows instead.
 */
public class BadDataException extends IOException {
  private static final long serialVersionUID = 1L;
  /** How many problems the message lists. */
  public static final int LISTED = 10;

  private final transient List<String> problems;

  BadDataException(String source, List<String> problems) {
    super(format(source, problems));
    this.problems = List.copyOf(problems);
  }

  /** Every problem found, {@code file:line: problem} each, in file order. */
  public List<String> problems() {
    return problems;
  }

  private static String format(String source, List<String> problems) {
    int n = problems.size();
    StringBuilder sb = new StringBuilder()
        .append(source).append(": ").append(n).append(n == 1 ? " bad row" : " bad rows").append('\n');
    problems.stream().limit(LISTED).forEach(p -> sb.append(p).append('\n'));
    if (n > LISTED) {
      sb.append("and ").append(n - LISTED).append(" more\n");
    }
    return sb.append("use --skip-bad to skip bad rows and go on").toString();
  }
}
