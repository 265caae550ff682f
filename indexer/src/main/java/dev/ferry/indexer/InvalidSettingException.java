package dev.ferry.indexer;

import java.util.Objects;

/**
 * A setting of an ingest or a search that cannot be used as given: bad usage rather than a failure,
 * refused before anything is written. The message names the file, input, label or query and says
 * what to do in terms of this library's settings; {@link #setting()} and {@link #problem()} let a
 * command line say the same in terms of its own flags.
 */
public class InvalidSettingException extends IndexException {
  private static final long serialVersionUID = 1L;

  /** Which setting was refused. */
  public enum Setting {
    /** {@link IngestOptions#rejects()}: a file that must not be emptied. */
    REJECTS,
    /**
     * {@link IngestOptions#resume()}: the input is not the one, or not as, the last ingest
     * committed.
     */
    RESUME,
    /** {@link IngestOptions#allowLabelChange()}: the bundle's labels differ from the documents'. */
    LABEL_CHANGE,
    /** {@link dev.ferry.indexer.search.SearchRequest#labels()}: a label no document has. */
    LABELS,
    /** {@link dev.ferry.indexer.search.SearchRequest#query()}: too long for keyword search. */
    QUERY,
    /** The bundle a search embeds queries with: needed, and none was given or found. */
    BUNDLE
  }

  private final Setting setting;
  private final String problem;

  /**
   * A refused setting.
   *
   * @param setting which
   * @param problem what is wrong, naming the path, input, label or query
   * @param advice what to do, in terms of this library's settings
   */
  public InvalidSettingException(Setting setting, String problem, String advice) {
    super(problem + "; " + advice);
    this.setting = Objects.requireNonNull(setting, "setting");
    this.problem = problem;
  }

  /** Which setting was refused. */
  public Setting setting() {
    return setting;
  }

  /** What is wrong, without the advice. */
  public String problem() {
    return problem;
  }
}
