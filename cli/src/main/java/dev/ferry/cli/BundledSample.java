package dev.ferry.cli;

import dev.ferry.models.data.JsonlLine;
import dev.ferry.models.data.JsonlReader;
import dev.ferry.models.data.TextRecord;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The Reuters sample the quick start trains and scores on, bundled as resources of this module (see
 * cli/README.md for where the stories come from).
 */
public final class BundledSample {
  /** 200 stories of the Reuters-21578 ModApte training split: 40 grain, 40 corn, 120 other. */
  public static final String TRAIN = "reuters-sample.jsonl";

  /** 150 stories of the test split: 24 corn, 33 grain, 93 other. */
  public static final String TEST = "reuters-sample-test.jsonl";

  private BundledSample() {}

  /** The training sample's records (the benchmarks fall back to them without ../shared). */
  public static List<TextRecord> trainingRecords() throws IOException {
    List<TextRecord> docs = new ArrayList<>();
    try (InputStream in = BundledSample.class.getResourceAsStream(TRAIN);
        JsonlReader reader = JsonlReader.of(in, TRAIN, "text")) {
      for (JsonlLine line : reader) {
        if (line instanceof TextRecord r) {
          docs.add(r);
        }
      }
    }
    return docs;
  }

  /** Copies the sample {@code resource} ({@link #TRAIN} or {@link #TEST}) to {@code to}. */
  static Path copy(String resource, Path to) throws IOException {
    try (InputStream in = BundledSample.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("the bundled sample " + resource + " is missing from the build");
      }
      Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
    }
    return to;
  }
}
