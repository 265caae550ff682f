package dev.ferry.plugin.query;

import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.lucene.search.Query;
import org.apache.lucene.util.SetOnce;
import org.opensearch.core.action.ActionListener;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.xcontent.XContentBuilder;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.index.query.AbstractQueryBuilder;
import org.opensearch.index.query.QueryBuilder;
import org.opensearch.index.query.QueryRewriteContext;
import org.opensearch.index.query.QueryShardContext;

/**
 * The {@code ferry_semantic} query: documents nearest in meaning to a text, by a bundle's encoder.
 *
 * <pre>{@code
 * {"ferry_semantic": {"field": "ferry.vector", "query_text": "wheat exports", "bundle": "news-v1",
 *                     "k": 10, "num_candidates": 100, "filter": {"term": {"ferry.label": "grain"}}}}
 * }</pre>
 *
 * <p>The text is embedded once per request, on the coordinating node, while the query is rewritten:
 * the rewrite registers an asynchronous action that runs the encoder on the {@link QueryEmbedder}'s
 * pool, and the rewritten query carries the vector to every shard. Each shard then searches its
 * HNSW graph for the best {@code k} of {@code num_candidates} documents matching {@code filter}
 * ({@link VectorFieldQueries}). Instead of a text, {@code vector} gives the query vector itself.
 *
 * <p>It is a query like any other: inside a {@code bool} its score (the field's similarity, from 0
 * to 1) adds to the other clauses' (BM25 for a {@code match}), and aggregations count what it
 * matched, at most {@code k} documents per shard.
 */
public final class FerrySemanticQueryBuilder
    extends AbstractQueryBuilder<FerrySemanticQueryBuilder> {
  /** The query's name. */
  public static final String NAME = "ferry_semantic";

  private static final String WITHOUT_VECTOR =
      "["
          + NAME
          + "] reached a shard without its query vector: the text is "
          + "embedded while the coordinating node rewrites the request, as _search and the APIs built on it do; this API "
          + "rewrites it only on the shard, so search with _search (or give \"vector\" instead of \"query_text\")";

  private final SemanticQuerySpec spec;
  private final QueryEmbedder embedder;
  private final float[] vector;

  /** Set while the coordinating node waits for the encoder; never sent to shards. */
  private final Supplier<float[]> pending;

  FerrySemanticQueryBuilder(
      SemanticQuerySpec spec, float[] vector, Supplier<float[]> pending, QueryEmbedder embedder) {
    this.spec = spec;
    this.vector = vector;
    this.pending = pending;
    this.embedder = embedder;
  }

  /** Parses the query from a request body (the parser stands on the query's opening brace). */
  public static FerrySemanticQueryBuilder fromXContent(
      XContentParser parser, QueryEmbedder embedder) throws IOException {
    SemanticQuerySpec.Parsed parsed = SemanticQuerySpec.parse(parser);
    FerrySemanticQueryBuilder query =
        new FerrySemanticQueryBuilder(parsed.spec(), parsed.vector(), null, embedder);
    query.boost(parsed.boost()).queryName(parsed.queryName());
    return query;
  }

  /** Reads the query as another node sent it. */
  public FerrySemanticQueryBuilder(StreamInput in, QueryEmbedder embedder) throws IOException {
    super(in);
    this.spec = SemanticQuerySpec.readFrom(in);
    this.vector = in.readBoolean() ? in.readFloatArray() : null;
    this.pending = null;
    this.embedder = embedder;
  }

  @Override
  protected void doWriteTo(StreamOutput out) throws IOException {
    if (vector == null && pending != null) {
      throw new IllegalStateException(
          "[" + NAME + "] is being sent before its text was embedded; rewrite it first");
    }
    spec.writeTo(out);
    out.writeBoolean(vector != null);
    if (vector != null) {
      out.writeFloatArray(vector);
    }
  }

  String field() {
    return spec.field();
  }

  String bundle() {
    return spec.bundle();
  }

  int k() {
    return spec.k();
  }

  int numCandidates() {
    return spec.numCandidates();
  }

  QueryBuilder filter() {
    return spec.filter();
  }

  boolean ignoreUnmapped() {
    return spec.ignoreUnmapped();
  }

  /** The query vector, once the text was embedded (or as given). */
  float[] vector() {
    return vector;
  }

  @Override
  protected QueryBuilder doRewrite(QueryRewriteContext context) throws IOException {
    if (vector == null) {
      if (pending != null) {
        float[] embedded = pending.get();
        return embedded == null ? this : copy(spec, embedded, null);
      }
      if (context.convertToShardContext() != null) {
        throw new IllegalArgumentException(WITHOUT_VECTOR);
      }
      SetOnce<float[]> result = new SetOnce<>();
      context.registerAsyncAction(
          (client, listener) ->
              embedder.embed(
                  spec.bundle(),
                  spec.queryText(),
                  ActionListener.wrap(
                      v -> {
                        result.set(v);
                        listener.onResponse(null);
                      },
                      listener::onFailure)));
      return copy(spec, null, result::get);
    }
    if (spec.filter() != null) {
      QueryBuilder filter = spec.filter().rewrite(context);
      if (filter != spec.filter()) {
        return copy(spec.withFilter(filter), vector, null);
      }
    }
    return this;
  }

  private FerrySemanticQueryBuilder copy(
      SemanticQuerySpec newSpec, float[] newVector, Supplier<float[]> newPending) {
    FerrySemanticQueryBuilder copy =
        new FerrySemanticQueryBuilder(newSpec, newVector, newPending, embedder);
    copy.boost(boost()).queryName(queryName());
    return copy;
  }

  @Override
  protected Query doToQuery(QueryShardContext context) throws IOException {
    if (vector == null) {
      throw new IllegalArgumentException(WITHOUT_VECTOR);
    }
    return VectorFieldQueries.build(context, this, vector);
  }

  @Override
  protected void doXContent(XContentBuilder builder, Params params) throws IOException {
    builder.startObject(NAME);
    spec.toXContent(builder, params);
    if (spec.queryText() == null) {
      builder.array("vector", vector);
    }
    printBoostAndQueryName(builder);
    builder.endObject();
  }

  @Override
  protected boolean doEquals(FerrySemanticQueryBuilder other) {
    return spec.equals(other.spec)
        && Arrays.equals(vector, other.vector)
        && Objects.equals(pending, other.pending);
  }

  @Override
  protected int doHashCode() {
    return Objects.hash(spec, Arrays.hashCode(vector), pending);
  }

  @Override
  public String getWriteableName() {
    return NAME;
  }
}
