package dev.ferry.indexer;

import dev.ferry.indexer.input.DocumentSource;
import dev.ferry.indexer.input.InputFingerprint;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a commit records of the last ingest, in the commit user data beside the index's metadata:
 * the input, how many of its records were handled (indexed or rejected), whether it was read to its
 * end, the input's {@link InputFingerprint} at that point, and the rejects file with its length.
 * Every commit of an ingest records it, the first one as the ingest starts.
 *
 * @param input the input's name ({@link DocumentSource#name()})
 * @param position records of the input handled
 * @param complete whether the input was read to its end
 * @param fingerprint what those records were, or null where the commit (or the source) has none
 * @param rejects the rejects file's absolute path
 * @param rejectsBytes the rejects file's length at the commit
 */
public record IngestProgress(
    String input,
    long position,
    boolean complete,
    InputFingerprint fingerprint,
    String rejects,
    long rejectsBytes) {
  private static final Logger LOG = LoggerFactory.getLogger(IngestProgress.class);

  /** The last ingest's progress in {@code commitData}, or null if no ingest has committed. */
  public static IngestProgress of(Map<String, String> commitData) {
    String input = commitData.get(Indexer.INPUT);
    if (input == null) {
      return null;
    }
    long position = Long.parseLong(commitData.getOrDefault(Indexer.INPUT_POSITION, "0"));
    String sha = commitData.get(Indexer.INPUT_SHA256);
    InputFingerprint fingerprint =
        sha == null
            ? null
            : new InputFingerprint(
                position, Long.parseLong(commitData.getOrDefault(Indexer.INPUT_BYTES, "0")), sha);
    return new IngestProgress(
        input,
        position,
        Boolean.parseBoolean(commitData.get(Indexer.INPUT_COMPLETE)),
        fingerprint,
        commitData.get(Indexer.REJECTS),
        Long.parseLong(commitData.getOrDefault(Indexer.REJECTS_BYTES, "0")));
  }

  /** As commit user data. */
  Map<String, String> toCommitData() {
    Map<String, String> data = new HashMap<>();
    data.put(Indexer.INPUT, input);
    data.put(Indexer.INPUT_POSITION, Long.toString(position));
    data.put(Indexer.INPUT_COMPLETE, Boolean.toString(complete));
    if (fingerprint != null) {
      data.put(Indexer.INPUT_BYTES, Long.toString(fingerprint.bytes()));
      data.put(Indexer.INPUT_SHA256, fingerprint.sha256());
    }
    data.put(Indexer.REJECTS, rejects);
    data.put(Indexer.REJECTS_BYTES, Long.toString(rejectsBytes));
    return data;
  }

  /**
   * Where a resumed ingest of {@code source} starts: after the records {@code last} committed,
   * which are read again (not indexed) to check that they are the ones committed; at the start if
   * no ingest committed, or if the last one read another input to its end.
   *
   * @param last the last ingest's progress, or null
   * @throws InvalidSettingException if the last ingest left another input unfinished, or the input
   *     changed before the committed position
   */
  static long resume(Path folder, IngestProgress last, DocumentSource source) throws IOException {
    if (last == null || !last.input.equals(source.name()) && last.complete) {
      LOG.info(
          "{}: nothing to resume ({}); reading {} from the beginning",
          folder,
          last == null
              ? "no ingest has committed in this index"
              : "the last ingest read " + last.input + " to its end",
          source.name());
      return 0;
    }
    if (!last.input.equals(source.name())) {
      throw new InvalidSettingException(
          InvalidSettingException.Setting.RESUME,
          folder
              + ": the last ingest read "
              + last.input
              + " and did not finish it, not "
              + source.name(),
          "resume with that input, or ingest this one without resume");
    }
    source.skip(last.position);
    last.requireSameStart(folder, source.name(), source.fingerprint());
    LOG.info("{}: resuming {} after {} records", folder, source.name(), last.position);
    return last.position;
  }

  /**
   * Refuses an input whose first {@link #position} records are not the ones this progress recorded.
   */
  private void requireSameStart(Path folder, String name, InputFingerprint now) {
    if (fingerprint == null || now == null) {
      LOG.warn(
          "{}: cannot check that {} still begins with the {} records committed ({} no fingerprint); resuming"
              + " by position alone",
          folder,
          name,
          position,
          fingerprint == null ? "the commit has" : "the input gives");
      return;
    }
    if (!fingerprint.equals(now)) {
      throw new InvalidSettingException(
          InvalidSettingException.Setting.RESUME,
          String.format(
              Locale.ROOT,
              "%s changed since the last ingest into %s committed it: its first %,d records were %s, and are now %s%s",
              name,
              folder,
              position,
              fingerprint.describe(),
              now.describe(),
              now.records() < position
                  ? String.format(Locale.ROOT, " (it has only %,d records)", now.records())
                  : ""),
          "ingest it without resume to read it again from its start (records with the ids of indexed documents"
              + " replace them), or into a new index folder");
    }
  }
}
