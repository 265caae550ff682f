package dev.ferry.indexer.search;

import dev.ferry.indexer.BundleRef;
import dev.ferry.indexer.FerryFields;
import dev.ferry.indexer.FerryIndex;
import dev.ferry.indexer.IndexMetadata;
import dev.ferry.indexer.InvalidSettingException;
import dev.ferry.models.encoder.Encoder;
import dev.ferry.models.encoder.EncoderOptions;
import dev.ferry.models.encoder.TextRole;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.queryparser.simple.SimpleQueryParser;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.ConstantScoreQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.Weight;
import org.apache.lucene.search.join.BitSetProducer;
import org.apache.lucene.search.join.DiversifyingChildrenFloatKnnVectorQuery;
import org.apache.lucene.search.join.QueryBitSetProducer;
import org.apache.lucene.search.join.ToChildBlockJoinQuery;
import org.apache.lucene.util.BitSet;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.FixedBitSet;

/**
 * Searches a {@link FerryIndex} as of its last commit: by keywords (BM25), by meaning (the query's
 * vector against every chunk's, in Lucene's HNSW graph, filtered), or both fused by reciprocal
 * rank; with label and confidence filters, and label counts in every result. Thread-safe; close it
 * to release the reader and the query encoder.
 *
 * <pre>{@code
 * try (FerryIndex index = FerryIndex.openExisting(Path.of("news-index"));
 *      Search search = Search.open(index, EncoderOptions.defaults(), null)) {
 *   SearchResult r = search.search(SearchRequest.of("wheat exports to China", SearchMode.HYBRID)
 *       .withLabels(List.of("grain")).withMinConfidence(0.6f));
 * }
 * }</pre>
 *
 * <p><b>kNN over chunks, one hit per document.</b> Each chunk is a child document holding one
 * vector; the query runs {@link DiversifyingChildrenFloatKnnVectorQuery}, which walks the HNSW
 * graph but keeps only the best chunk of each parent, so k hits are k different documents and each
 * names its best chunk. Label and confidence filters are on the parent; they reach the chunks
 * through {@link ToChildBlockJoinQuery} and are applied <em>during</em> the graph search (Lucene's
 * filtered HNSW, exact search when the filter is very selective), not after it.
 *
 * <p><b>Hybrid</b> is reciprocal rank fusion (Cormack, Clarke and Büttcher, SIGIR 2009): each of
 * the BM25 and kNN lists contributes {@code 1 / (RRF_K + rank)} for a document at 1-based {@code
 * rank}; both lists are {@link #RANK_WINDOW} deep or {@code k}, whichever is more. RRF needs no
 * score normalization, which BM25 scores (unbounded) and similarities (0 to 1) would otherwise
 * need.
 */
public final class Search implements AutoCloseable {
  /**
   * The reciprocal rank fusion constant: 60, the value of the original paper and of most engines.
   */
  public static final int RRF_K = 60;

  /** How deep each list goes before fusion, at least. */
  public static final int RANK_WINDOW = 50;

  /**
   * HNSW candidates a kNN search collects (the graph search's queue size) before the best k are
   * kept: with only k = 10 candidates, recall@10 on 100k clustered vectors was 0.90
   * (eval/RESULTS.md).
   */
  public static final int KNN_CANDIDATES = 100;

  /** Longest snippet, in chars. */
  static final int SNIPPET_CHARS = 240;

  private final FerryIndex index;
  private final DirectoryReader reader;
  private final IndexSearcher searcher;
  private final IndexMetadata metadata;
  private final BitSetProducer parents;
  private final Analyzer analyzer = FerryIndex.analyzer();
  private final EncoderOptions encoderOptions;
  private final Path bundle;
  private Encoder encoder;
  private Set<String> labels;

  private Search(
      FerryIndex index, DirectoryReader reader, EncoderOptions encoderOptions, Path bundle) {
    this.index = index;
    this.reader = reader;
    this.searcher = new IndexSearcher(reader);
    this.metadata = index.metadata();
    this.parents =
        new QueryBitSetProducer(
            new TermQuery(new Term(FerryFields.KIND, FerryFields.DOCUMENT_KIND)));
    this.encoderOptions = encoderOptions;
    this.bundle = bundle;
  }

  /**
   * Opens a search on the index's last commit. The query encoder is opened on the first kNN or
   * hybrid search: the index's current bundle's, or {@code bundle}'s when given.
   */
  public static Search open(FerryIndex index, EncoderOptions encoderOptions, Path bundle)
      throws IOException {
    return new Search(index, index.openReader(), encoderOptions, bundle);
  }

  /** Documents searched. */
  public int documents() {
    try {
      return searcher.count(new TermQuery(new Term(FerryFields.KIND, FerryFields.DOCUMENT_KIND)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Runs a search.
   *
   * <p>What matches is the same in every mode: the documents that pass the filters and either hold
   * a word of the query (the keyword part, in {@code bm25} and {@code hybrid}) or are among the
   * {@link #KNN_CANDIDATES} (or k, if more) nearest by meaning (the meaning part, in {@code knn}
   * and {@code hybrid}). The label counts are those of the same search without the label filter, as
   * Elasticsearch's {@code post_filter} leaves aggregations: filtering by one label still shows how
   * many matches the other labels have.
   */
  public SearchResult search(SearchRequest request) throws IOException {
    long t0 = System.nanoTime();
    Query filter = filter(request, true);
    int window = Math.max(request.k(), RANK_WINDOW);
    int candidates = Math.max(request.k(), KNN_CANDIDATES);
    float[] vector =
        request.mode() == SearchMode.BM25
            ? null
            : encoder().embed(List.of(request.query()), TextRole.QUERY)[0];
    Matches matched = new Matches(reader.maxDoc());
    List<Ranked> ranked;
    Matches facets;
    try {
      ranked = rank(request, vector, filter, window, candidates, matched);
      facets = matched;
      if (!request.labels().isEmpty()) {
        // The same search without the label filter, for the label counts.
        facets = new Matches(reader.maxDoc());
        match(request, vector, filter(request, false), candidates, facets);
      }
    } catch (IndexSearcher.TooManyClauses e) {
      throw queryTooLong(request, e);
    }
    List<Hit> hits = new ArrayList<>(ranked.size());
    Set<String> queryTerms = request.mode() == SearchMode.KNN ? Set.of() : terms(request.query());
    for (Ranked r : ranked) {
      hits.add(hit(r, queryTerms));
    }
    return new SearchResult(
        hits,
        matched.all.cardinality(),
        countLabels(facets.all),
        (System.nanoTime() - t0) / 1e6,
        matched.keyword,
        matched.meaning);
  }

  /** The documents a search matched: all, and how many by each part. */
  private static final class Matches {
    final FixedBitSet all;
    long keyword;
    long meaning;

    Matches(int maxDoc) {
      all = new FixedBitSet(Math.max(maxDoc, 1));
    }
  }

  /** The documents found, best first, marking in {@code matched} every document that matched. */
  private List<Ranked> rank(
      SearchRequest request,
      float[] vector,
      Query filter,
      int window,
      int candidates,
      Matches matched)
      throws IOException {
    List<Ranked> keyword = List.of();
    List<Ranked> meaning = List.of();
    if (request.mode() != SearchMode.KNN) {
      Query q = bm25(request.query(), filter);
      keyword = bm25Hits(q, request.mode() == SearchMode.BM25 ? request.k() : window);
      matched.keyword = collectMatches(q, matched.all);
    }
    if (request.mode() != SearchMode.BM25) {
      meaning = knnHits(vector, filter, candidates);
      meaning.forEach(r -> matched.all.set(r.doc));
      matched.meaning = meaning.size();
    }
    return switch (request.mode()) {
      case BM25 -> keyword;
      case KNN -> meaning.subList(0, Math.min(request.k(), meaning.size()));
      case HYBRID ->
          fuse(keyword, meaning.subList(0, Math.min(window, meaning.size())), request.k());
    };
  }

  /** Marks what {@code request} matches under {@code filter}, as {@link #rank} does. */
  private void match(
      SearchRequest request, float[] vector, Query filter, int candidates, Matches matched)
      throws IOException {
    if (request.mode() != SearchMode.KNN) {
      matched.keyword = collectMatches(bm25(request.query(), filter), matched.all);
    }
    if (request.mode() != SearchMode.BM25) {
      List<Ranked> meaning = knnHits(vector, filter, candidates);
      meaning.forEach(r -> matched.all.set(r.doc));
      matched.meaning = meaning.size();
    }
  }

  /** Lucene's refusal of a query of more terms than a boolean query may have, said in words. */
  private InvalidSettingException queryTooLong(
      SearchRequest request, IndexSearcher.TooManyClauses e) {
    int[] terms = {0};
    analyze(request.query(), t -> terms[0]++);
    return new InvalidSettingException(
        InvalidSettingException.Setting.QUERY,
        String.format(
            Locale.ROOT,
            "the query is too long for keyword search (bm25, which %s mode runs too): it has %,d terms (%,d characters),"
                + " and Lucene takes at most %,d (its maxClauseCount)",
            SearchMode.HYBRID.id(),
            terms[0],
            request.query().length(),
            e.getMaxClauseCount()),
        "shorten it to its telling words, or search by meaning alone (SearchMode.KNN), which reads the first "
            + metadata.encoder().maxLength()
            + " tokens of a query");
  }

  /** A document's place in one ranking: parent doc id, score, and best chunk (doc id or -1). */
  record Ranked(int doc, float score, int chunk) {}

  /**
   * Refuses a label filter naming a label that no document has and the current bundle does not
   * give.
   */
  private void requireKnownLabels(List<String> requested) throws IOException {
    Set<String> known = labels();
    List<String> unknown = requested.stream().filter(l -> !known.contains(l)).toList();
    if (!unknown.isEmpty()) {
      throw new InvalidSettingException(
          InvalidSettingException.Setting.LABELS,
          index.folder()
              + ": no document has"
              + (unknown.size() == 1 ? " the label '" : " the labels '")
              + String.join("', '", unknown)
              + "'; the labels are "
              + (known.isEmpty() ? "none yet" : String.join(", ", known)),
          "filter by those");
    }
  }

  /**
   * The labels a filter may name, sorted: those the documents carry, and those of the current
   * bundle (which labels the documents an ingest adds). Read once: the reader does not change.
   */
  private synchronized Set<String> labels() throws IOException {
    if (labels != null) {
      return labels;
    }
    Set<String> found = new TreeSet<>();
    BundleRef current = metadata.bundle(metadata.currentBundle());
    if (current != null) {
      found.addAll(current.labels());
    }
    for (LeafReaderContext leaf : reader.leaves()) {
      NumericDocValues values = leaf.reader().getNumericDocValues(FerryFields.LABEL);
      Bits live = leaf.reader().getLiveDocs();
      for (int doc = values == null ? DocIdSetIterator.NO_MORE_DOCS : values.nextDoc();
          doc != DocIdSetIterator.NO_MORE_DOCS && found.size() < metadata.labels().size();
          doc = values.nextDoc()) {
        if (live == null || live.get(doc)) {
          found.add(FerryFields.labelName(metadata.labels(), values.longValue()));
        }
      }
    }
    labels = Collections.unmodifiableSet(found);
    return labels;
  }

  /**
   * The parent filter: documents only, with the confidence filter and, if {@code withLabels}, the
   * label filter.
   */
  private Query filter(SearchRequest request, boolean withLabels) throws IOException {
    BooleanQuery.Builder b =
        new BooleanQuery.Builder()
            .add(
                new TermQuery(new Term(FerryFields.KIND, FerryFields.DOCUMENT_KIND)),
                BooleanClause.Occur.FILTER);
    if (withLabels && !request.labels().isEmpty()) {
      requireKnownLabels(request.labels());
      long[] ordinals =
          request.labels().stream().mapToLong(l -> metadata.labels().indexOf(l)).toArray();
      b.add(
          NumericDocValuesField.newSlowSetQuery(FerryFields.LABEL, ordinals),
          BooleanClause.Occur.FILTER);
    }
    if (request.minConfidence() > 0) {
      b.add(
          NumericDocValuesField.newSlowRangeQuery(
              FerryFields.CONFIDENCE,
              FerryFields.encodeConfidence(request.minConfidence()),
              Integer.MAX_VALUE),
          BooleanClause.Occur.FILTER);
    }
    return b.build();
  }

  private Query bm25(String text, Query filter) {
    SimpleQueryParser parser = new SimpleQueryParser(analyzer, FerryFields.TEXT);
    Query parsed = parser.parse(text);
    if (parsed == null) {
      return new MatchNoDocsQuery("the query has no searchable words");
    }
    return new BooleanQuery.Builder()
        .add(parsed, BooleanClause.Occur.MUST)
        .add(filter, BooleanClause.Occur.FILTER)
        .build();
  }

  private List<Ranked> bm25Hits(Query q, int n) throws IOException {
    TopDocs top = searcher.search(q, n);
    List<Ranked> out = new ArrayList<>(top.scoreDocs.length);
    for (ScoreDoc sd : top.scoreDocs) {
      out.add(new Ranked(sd.doc, sd.score, -1));
    }
    return out;
  }

  private List<Ranked> knnHits(float[] vector, Query filter, int n) throws IOException {
    Query childFilter = new ToChildBlockJoinQuery(filter, parents);
    Query knn =
        new DiversifyingChildrenFloatKnnVectorQuery(
            FerryFields.CHUNK_VECTOR, vector, childFilter, n, parents);
    TopDocs top = searcher.search(knn, n);
    List<Ranked> out = new ArrayList<>(top.scoreDocs.length);
    List<LeafReaderContext> leaves = reader.leaves();
    for (ScoreDoc sd : top.scoreDocs) {
      LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(sd.doc, leaves));
      BitSet parentBits = parents.getBitSet(leaf);
      int parent = parentBits.nextSetBit(sd.doc - leaf.docBase) + leaf.docBase;
      out.add(new Ranked(parent, sd.score, sd.doc));
    }
    return out;
  }

  /** Reciprocal rank fusion of two rankings; the best chunk comes from kNN where it found one. */
  static List<Ranked> fuse(List<Ranked> keyword, List<Ranked> meaning, int k) {
    Map<Integer, Float> scores = new LinkedHashMap<>();
    Map<Integer, Integer> chunks = new HashMap<>();
    for (List<Ranked> list : List.of(keyword, meaning)) {
      for (int rank = 1; rank <= list.size(); rank++) {
        Ranked r = list.get(rank - 1);
        scores.merge(r.doc, 1f / (RRF_K + rank), Float::sum);
        if (r.chunk >= 0) {
          chunks.put(r.doc, r.chunk);
        }
      }
    }
    return scores.entrySet().stream()
        .sorted(
            Map.Entry.<Integer, Float>comparingByValue()
                .reversed()
                .thenComparing(Map.Entry.comparingByKey()))
        .limit(k)
        .map(e -> new Ranked(e.getKey(), e.getValue(), chunks.getOrDefault(e.getKey(), -1)))
        .toList();
  }

  /** Marks every live document {@code q} matches; returns how many it matched. */
  private long collectMatches(Query q, FixedBitSet matched) throws IOException {
    long count = 0;
    Weight w =
        searcher.createWeight(
            searcher.rewrite(new ConstantScoreQuery(q)), ScoreMode.COMPLETE_NO_SCORES, 1f);
    for (LeafReaderContext leaf : reader.leaves()) {
      Scorer s = w.scorer(leaf);
      if (s == null) {
        continue;
      }
      Bits live = leaf.reader().getLiveDocs();
      DocIdSetIterator it = s.iterator();
      for (int d = it.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = it.nextDoc()) {
        if (live == null || live.get(d)) {
          matched.set(leaf.docBase + d);
          count++;
        }
      }
    }
    return count;
  }

  private Map<String, Long> countLabels(FixedBitSet matched) throws IOException {
    Map<String, Long> counts = new HashMap<>();
    for (LeafReaderContext leaf : reader.leaves()) {
      NumericDocValues labels = leaf.reader().getNumericDocValues(FerryFields.LABEL);
      if (labels == null) {
        continue;
      }
      int end = leaf.docBase + leaf.reader().maxDoc();
      for (int d = matched.nextSetBit(leaf.docBase);
          d < end && d != DocIdSetIterator.NO_MORE_DOCS;
          d =
              d + 1 < matched.length()
                  ? matched.nextSetBit(d + 1)
                  : DocIdSetIterator.NO_MORE_DOCS) {
        if (labels.advanceExact(d - leaf.docBase)) {
          counts.merge(FerryFields.labelName(metadata.labels(), labels.longValue()), 1L, Long::sum);
        }
      }
    }
    Map<String, Long> out = new LinkedHashMap<>();
    counts.entrySet().stream()
        .sorted(
            Map.Entry.<String, Long>comparingByValue()
                .reversed()
                .thenComparing(Map.Entry.comparingByKey()))
        .forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }

  private Hit hit(Ranked r, Set<String> queryTerms) throws IOException {
    List<LeafReaderContext> leaves = reader.leaves();
    LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(r.doc, leaves));
    int doc = r.doc - leaf.docBase;
    StoredFields stored = leaf.reader().storedFields();
    Document d = stored.document(doc);
    String text = d.get(FerryFields.TEXT);
    String label = "?";
    NumericDocValues labels = leaf.reader().getNumericDocValues(FerryFields.LABEL);
    if (labels != null && labels.advanceExact(doc)) {
      label = FerryFields.labelName(metadata.labels(), labels.longValue());
    }
    float confidence = Float.NaN;
    NumericDocValues conf = leaf.reader().getNumericDocValues(FerryFields.CONFIDENCE);
    if (conf != null && conf.advanceExact(doc)) {
      confidence = FerryFields.decodeConfidence(conf.longValue());
    }
    Map<String, Float> probabilities = Map.of();
    BinaryDocValues probs = leaf.reader().getBinaryDocValues(FerryFields.PROBABILITIES);
    if (probs != null && probs.advanceExact(doc)) {
      probabilities = FerryFields.decodeProbabilities(probs.binaryValue(), metadata.labels());
    }
    String bundleKey = null;
    BinaryDocValues bundles = leaf.reader().getBinaryDocValues(FerryFields.BUNDLE);
    if (bundles != null && bundles.advanceExact(doc)) {
      bundleKey = FerryFields.decodeString(bundles.binaryValue());
    }
    Hit.Chunk chunk =
        r.chunk >= 0
            ? chunkAt(stored, r.chunk - leaf.docBase)
            : bestChunk(leaf, doc, text, queryTerms);
    return new Hit(
        d.get(FerryFields.ID),
        r.score,
        label,
        confidence,
        probabilities,
        bundleKey,
        chunk,
        snippet(text, chunk),
        d.get(FerryFields.FIELDS),
        d.get(FerryFields.SOURCE));
  }

  private static Hit.Chunk chunkAt(StoredFields stored, int doc) throws IOException {
    Document c =
        stored.document(
            doc, Set.of(FerryFields.CHUNK_INDEX, FerryFields.CHUNK_START, FerryFields.CHUNK_END));
    return new Hit.Chunk(
        c.getField(FerryFields.CHUNK_INDEX).numericValue().intValue(),
        c.getField(FerryFields.CHUNK_START).numericValue().intValue(),
        c.getField(FerryFields.CHUNK_END).numericValue().intValue());
  }

  /** For a keyword hit: the chunk of the document holding most query terms (the first on ties). */
  private Hit.Chunk bestChunk(
      LeafReaderContext leaf, int parent, String text, Set<String> queryTerms) throws IOException {
    BitSet parentBits = parents.getBitSet(leaf);
    int first = parent == 0 ? 0 : parentBits.prevSetBit(parent - 1) + 1;
    StoredFields stored = leaf.reader().storedFields();
    Hit.Chunk best = null;
    int bestCount = -1;
    for (int c = first; c < parent; c++) {
      Hit.Chunk chunk = chunkAt(stored, c);
      int count =
          queryTerms.isEmpty()
              ? 0
              : countTerms(text.substring(chunk.start(), chunk.end()), queryTerms);
      if (count > bestCount) {
        best = chunk;
        bestCount = count;
      }
    }
    return best != null ? best : new Hit.Chunk(0, 0, text.length());
  }

  private Set<String> terms(String text) {
    Set<String> out = new HashSet<>();
    analyze(text, out::add);
    return out;
  }

  private int countTerms(String text, Set<String> queryTerms) {
    int[] n = {0};
    analyze(
        text,
        t -> {
          if (queryTerms.contains(t)) {
            n[0]++;
          }
        });
    return n[0];
  }

  private void analyze(String text, java.util.function.Consumer<String> sink) {
    try (TokenStream ts = analyzer.tokenStream(FerryFields.TEXT, text)) {
      CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
      ts.reset();
      while (ts.incrementToken()) {
        sink.accept(term.toString());
      }
      ts.end();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String snippet(String text, Hit.Chunk chunk) {
    int start = Math.max(0, Math.min(chunk.start(), text.length()));
    int end = Math.max(start, Math.min(chunk.end(), text.length()));
    String s = text.substring(start, end).replaceAll("\\s+", " ").strip();
    if (s.length() <= SNIPPET_CHARS) {
      return s;
    }
    int cut = s.lastIndexOf(' ', SNIPPET_CHARS);
    return s.substring(0, cut > SNIPPET_CHARS / 2 ? cut : SNIPPET_CHARS) + " …";
  }

  private synchronized Encoder encoder() {
    if (encoder == null) {
      encoder = index.openQueryEncoder(encoderOptions, bundle);
    }
    return encoder;
  }

  @Override
  public synchronized void close() throws IOException {
    try {
      if (encoder != null) {
        encoder.close();
      }
    } finally {
      reader.close();
      analyzer.close();
    }
  }
}
