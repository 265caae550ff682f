package dev.ferry.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.indexer.FerryIndex;
import dev.ferry.indexer.IngestProgress;
import dev.ferry.indexer.InvalidSettingException;
import dev.ferry.indexer.search.Hit;
import dev.ferry.indexer.search.Search;
import dev.ferry.indexer.search.SearchMode;
import dev.ferry.indexer.search.SearchRequest;
import dev.ferry.indexer.search.SearchResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ferry search}: a thin shell over {@link Search#search}. */
@Command(
    name = "search",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Search an index by keywords (bm25), meaning (knn: the query's vector against every"
          + " chunk's, filtered HNSW) or both (hybrid: reciprocal rank fusion, k = 60).",
      "The matching documents are, in every mode, those that pass the filters and hold a word of the"
          + " query (bm25, hybrid) or are among the 100 (or -k, if more) nearest by meaning (knn,"
          + " hybrid). The label counts are those of the matches without the --label filter, so"
          + " filtering by one label still shows the others' counts.",
      "--json prints one object: {query, mode, matches, keyword_matches, meaning_matches, labels:"
          + " {label: count}, hits: [{id, score, label, confidence, probabilities, chunk: {index,"
          + " start, end}, snippet, fields?, source, bundle}]}."
    })
final class SearchCommand implements Callable<Integer>, HelpLayout.Examples {
  private static final ObjectMapper JSON = new ObjectMapper();
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public List<String> examples() {
    return List.of(
        "ferry search --index news-index \"wheat exports to China\"",
        "ferry search --index news-index --mode knn --label grain --min-confidence 0.8 --json \"crop failure\"");
  }

  @Option(names = "--index", required = true, paramLabel = "DIR", description = "Index folder.")
  Path index;

  @Option(names = "--mode", paramLabel = "bm25|knn|hybrid", description = "Default: hybrid.")
  String mode = "hybrid";

  @Option(
      names = "--label",
      paramLabel = "L",
      description = "Only documents with this label (repeatable).")
  List<String> labels = new ArrayList<>();

  @Option(
      names = "--min-confidence",
      paramLabel = "X",
      description = "Only documents whose label's probability is at least X.")
  float minConfidence;

  @Option(
      names = {"-k", "--k"},
      paramLabel = "N",
      description = "Hits. Default: ${DEFAULT-VALUE}.")
  int k = 10;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Option(
      names = "--bundle",
      paramLabel = "DIR",
      description = "Bundle whose encoder embeds the query, if the index's last bundle has moved.")
  Path bundle;

  @Parameters(paramLabel = "QUERY", arity = "1..*", description = "What to look for.")
  List<String> query;

  @Mixin RuntimeOptionsMixin runtime;

  @Override
  public Integer call() throws IOException {
    SearchRequest request;
    try {
      request =
          new SearchRequest(
              String.join(" ", query), SearchMode.fromId(mode), labels, minConfidence, k);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    SearchResult r;
    try (FerryIndex idx = FerryIndex.openExisting(index);
        Search search = Search.open(idx, runtime.options(), bundle)) {
      r = search.search(request);
      noteIncompleteIngest(idx, spec.commandLine().getErr());
    } catch (InvalidSettingException e) {
      throw SettingErrors.usage(spec, e);
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(JSON.writeValueAsString(json(request, r)));
    } else {
      out.printf(
          Locale.ROOT,
          "%,d matching documents (%s; %s, %.0f ms)%n",
          r.matches(),
          describeMatches(request, r),
          request.mode().id(),
          r.millis());
      out.printf(
          "labels of the matches%s: %s%n",
          request.labels().isEmpty() ? "" : " before the --label filter", counts(r.labels()));
      int rank = 1;
      for (Hit h : r.hits()) {
        out.printf(
            Locale.ROOT,
            "%2d. %s  %s %.2f  score %.4f  chunk %d%n    %s%n",
            rank++,
            h.id(),
            h.label(),
            h.confidence(),
            h.score(),
            h.chunk().index(),
            h.snippet());
      }
    }
    out.flush();
    return 0;
  }

  /**
   * Says on {@code err} that results cover only what the last ingest committed, if it has not
   * finished.
   */
  static void noteIncompleteIngest(FerryIndex idx, PrintWriter err) {
    IngestProgress last = idx.lastIngest();
    if (last != null && !last.complete()) {
      err.printf(
          Locale.ROOT,
          "ferry search: note: the last ingest into %s is incomplete (still running, or stopped:"
              + " 'ferry index --resume' goes on); it has committed %,d records of %s%n",
          idx.folder(),
          last.position(),
          last.input());
      err.flush();
    }
  }

  /** What the matches are: "12 hold a query word, 100 are among the 100 nearest by meaning". */
  static String describeMatches(SearchRequest request, SearchResult r) {
    List<String> parts = new ArrayList<>();
    if (request.mode() != SearchMode.KNN) {
      parts.add(String.format(Locale.ROOT, "%,d hold a word of the query", r.keywordMatches()));
    }
    if (request.mode() != SearchMode.BM25) {
      parts.add(
          String.format(
              Locale.ROOT,
              "%,d among the %,d nearest by meaning",
              r.meaningMatches(),
              Math.max(request.k(), Search.KNN_CANDIDATES)));
    }
    return String.join(", ", parts);
  }

  static String counts(Map<String, Long> counts) {
    StringBuilder sb = new StringBuilder();
    counts.forEach(
        (label, n) -> sb.append(sb.length() > 0 ? ", " : "").append(label).append(' ').append(n));
    return sb.length() == 0 ? "none" : sb.toString();
  }

  static ObjectNode json(SearchRequest request, SearchResult r) throws IOException {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("query", request.query());
    o.put("mode", request.mode().id());
    o.put("matches", r.matches());
    o.put("keyword_matches", r.keywordMatches());
    o.put("meaning_matches", r.meaningMatches());
    ObjectNode labels = o.putObject("labels");
    r.labels().forEach(labels::put);
    ArrayNode hits = o.putArray("hits");
    for (Hit h : r.hits()) {
      ObjectNode hit = hits.addObject();
      hit.put("id", h.id());
      hit.put("score", h.score());
      hit.put("label", h.label());
      hit.put("confidence", h.confidence());
      ObjectNode p = hit.putObject("probabilities");
      h.probabilities().forEach(p::put);
      ObjectNode chunk = hit.putObject("chunk");
      chunk.put("index", h.chunk().index());
      chunk.put("start", h.chunk().start());
      chunk.put("end", h.chunk().end());
      hit.put("snippet", h.snippet());
      if (h.fields() != null) {
        hit.set("fields", JSON.readTree(h.fields()));
      }
      hit.put("source", h.source());
      hit.put("bundle", h.bundle());
    }
    return o;
  }
}
