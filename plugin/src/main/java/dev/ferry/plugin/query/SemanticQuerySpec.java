package dev.ferry.plugin.query;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.opensearch.core.common.ParsingException;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.xcontent.ToXContent;
import org.opensearch.core.xcontent.XContentBuilder;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.index.query.AbstractQueryBuilder;
import org.opensearch.index.query.QueryBuilder;

/**
 * What a {@code ferry_semantic} query asks, as the user wrote it: the field, the text and bundle
 * (or a vector, which {@link FerrySemanticQueryBuilder} keeps), how many documents, how many
 * candidates, the filter.
 *
 * @param field the {@code ferry_vector} field
 * @param queryText the text to embed, or null when the query gives a vector
 * @param bundle the bundle whose encoder embeds the text, or null with a vector
 * @param k documents each shard answers with
 * @param numCandidates HNSW candidates each shard collects before keeping the best {@code k}
 * @param filter documents the search is limited to, or null
 * @param ignoreUnmapped match nothing (rather than fail) in an index without the field
 */
record SemanticQuerySpec(
    String field,
    String queryText,
    String bundle,
    int k,
    int numCandidates,
    QueryBuilder filter,
    boolean ignoreUnmapped) {
  /** Documents per shard unless the query says. */
  static final int DEFAULT_K = 10;

  /**
   * Candidates unless the query says: what Ferry's embedded search uses (recall@10 of 1.0 on 100k
   * vectors).
   */
  static final int DEFAULT_CANDIDATES = 100;

  /** The most candidates a query may ask for. */
  static final int MAX_CANDIDATES = 10_000;

  /** The query as parsed: the spec, the vector if one was given, boost and name. */
  record Parsed(SemanticQuerySpec spec, float[] vector, float boost, String queryName) {}

  SemanticQuerySpec withFilter(QueryBuilder value) {
    return new SemanticQuerySpec(field, queryText, bundle, k, numCandidates, value, ignoreUnmapped);
  }

  static SemanticQuerySpec readFrom(StreamInput in) throws IOException {
    return new SemanticQuerySpec(
        in.readString(),
        in.readOptionalString(),
        in.readOptionalString(),
        in.readVInt(),
        in.readVInt(),
        in.readOptionalNamedWriteable(QueryBuilder.class),
        in.readBoolean());
  }

  void writeTo(StreamOutput out) throws IOException {
    out.writeString(field);
    out.writeOptionalString(queryText);
    out.writeOptionalString(bundle);
    out.writeVInt(k);
    out.writeVInt(numCandidates);
    out.writeOptionalNamedWriteable(filter);
    out.writeBoolean(ignoreUnmapped);
  }

  /** The fields, without the vector (the builder writes it when the query gave one). */
  void toXContent(XContentBuilder builder, ToXContent.Params params) throws IOException {
    builder.field("field", field);
    if (queryText != null) {
      builder.field("query_text", queryText).field("bundle", bundle);
    }
    builder.field("k", k).field("num_candidates", numCandidates);
    if (filter != null) {
      builder.field("filter", filter);
    }
    if (ignoreUnmapped) {
      builder.field("ignore_unmapped", true);
    }
  }

  /**
   * Parses the query's body (the parser stands on its opening brace).
   *
   * @throws ParsingException naming what is unknown, missing, or out of range
   */
  static Parsed parse(XContentParser parser) throws IOException {
    String field = null;
    String text = null;
    String bundle = null;
    float[] vector = null;
    Integer k = null;
    Integer candidates = null;
    QueryBuilder filter = null;
    boolean ignoreUnmapped = false;
    float boost = AbstractQueryBuilder.DEFAULT_BOOST;
    String name = null;
    String key = null;
    for (XContentParser.Token t = parser.nextToken();
        t != XContentParser.Token.END_OBJECT;
        t = parser.nextToken()) {
      if (t == XContentParser.Token.FIELD_NAME) {
        key = parser.currentName();
      } else if ("filter".equals(key) && t == XContentParser.Token.START_OBJECT) {
        filter = AbstractQueryBuilder.parseInnerQueryBuilder(parser);
      } else if ("vector".equals(key) && t == XContentParser.Token.START_ARRAY) {
        vector = readVector(parser);
      } else if (t.isValue()) {
        switch (String.valueOf(key)) {
          case "field" -> field = parser.text();
          case "query_text" -> text = parser.text();
          case "bundle" -> bundle = parser.text();
          case "k" -> k = parser.intValue();
          case "num_candidates" -> candidates = parser.intValue();
          case "ignore_unmapped" -> ignoreUnmapped = parser.booleanValue();
          case "boost" -> boost = parser.floatValue();
          case "_name" -> name = parser.text();
          default -> throw error(parser, "unknown field [" + key + "]");
        }
      } else {
        throw error(parser, "[" + key + "] cannot be " + t);
      }
    }
    if (field == null) {
      throw error(parser, "[field] is required: the ferry_vector field to search");
    }
    if ((text == null) == (vector == null)) {
      throw error(parser, "give exactly one of [query_text] (with [bundle]) and [vector]");
    }
    if (text != null && bundle == null) {
      throw error(
          parser,
          "[bundle] is required with [query_text]: the bundle whose encoder filled ["
              + field
              + "]");
    }
    int keep = k == null ? DEFAULT_K : k;
    int collect = candidates == null ? Math.max(keep, DEFAULT_CANDIDATES) : candidates;
    if (keep < 1 || collect < keep || collect > MAX_CANDIDATES) {
      throw error(
          parser,
          "need 1 <= k <= num_candidates <= "
              + MAX_CANDIDATES
              + ", found k "
              + keep
              + " and num_candidates "
              + collect);
    }
    return new Parsed(
        new SemanticQuerySpec(field, text, bundle, keep, collect, filter, ignoreUnmapped),
        vector,
        boost,
        name);
  }

  private static float[] readVector(XContentParser parser) throws IOException {
    List<Float> values = new ArrayList<>();
    for (XContentParser.Token t = parser.nextToken();
        t != XContentParser.Token.END_ARRAY;
        t = parser.nextToken()) {
      if (t != XContentParser.Token.VALUE_NUMBER) {
        throw error(parser, "[vector] must be an array of numbers, found " + t);
      }
      values.add(parser.floatValue());
    }
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }

  private static ParsingException error(XContentParser parser, String message) {
    return new ParsingException(
        parser.getTokenLocation(), "[" + FerrySemanticQueryBuilder.NAME + "] " + message);
  }
}
