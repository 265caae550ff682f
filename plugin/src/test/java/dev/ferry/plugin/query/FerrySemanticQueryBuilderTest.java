package dev.ferry.plugin.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.opensearch.common.io.stream.BytesStreamOutput;
import org.opensearch.common.xcontent.json.JsonXContent;
import org.opensearch.core.common.ParsingException;
import org.opensearch.core.common.io.stream.NamedWriteableAwareStreamInput;
import org.opensearch.core.common.io.stream.NamedWriteableRegistry;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.xcontent.DeprecationHandler;
import org.opensearch.core.xcontent.NamedXContentRegistry;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.index.query.QueryBuilder;
import org.opensearch.index.query.TermQueryBuilder;

/** Parsing, validation and the wire form of {@code ferry_semantic}. */
class FerrySemanticQueryBuilderTest {
  private static final NamedWriteableRegistry WRITEABLES =
      new NamedWriteableRegistry(
          List.of(
              new NamedWriteableRegistry.Entry(
                  QueryBuilder.class, TermQueryBuilder.NAME, TermQueryBuilder::new)));

  private static FerrySemanticQueryBuilder parse(String body) throws IOException {
    try (XContentParser parser =
        JsonXContent.jsonXContent.createParser(
            NamedXContentRegistry.EMPTY, DeprecationHandler.THROW_UNSUPPORTED_OPERATION, body)) {
      parser.nextToken();
      return FerrySemanticQueryBuilder.fromXContent(parser, null);
    }
  }

  @Test
  void defaultsAndAllFields() throws IOException {
    FerrySemanticQueryBuilder q =
        parse("{\"field\": \"ferry.vector\", \"query_text\": \"wheat\", \"bundle\": \"news\"}");
    assertThat(q.k()).isEqualTo(10);
    assertThat(q.numCandidates()).isEqualTo(100);
    assertThat(q.vector()).isNull();
    FerrySemanticQueryBuilder v =
        parse(
            "{\"field\": \"v\", \"vector\": [0.6, 0.8], \"k\": 3, \"num_candidates\": 7, "
                + "\"ignore_unmapped\": true, \"boost\": 2, \"_name\": \"meaning\"}");
    assertThat(v.vector()).containsExactly(0.6f, 0.8f);
    assertThat(v.k()).isEqualTo(3);
    assertThat(v.numCandidates()).isEqualTo(7);
    assertThat(v.ignoreUnmapped()).isTrue();
    assertThat(v.boost()).isEqualTo(2f);
    assertThat(v.queryName()).isEqualTo("meaning");
    assertThat(
            parse(
                v.toString()
                    .substring(v.toString().indexOf(':') + 1, v.toString().lastIndexOf('}'))))
        .isEqualTo(v);
  }

  @Test
  void mistakesAreNamed() {
    assertThatThrownBy(() -> parse("{\"query_text\": \"x\", \"bundle\": \"b\"}"))
        .isInstanceOf(ParsingException.class)
        .hasMessageContaining("[field] is required");
    assertThatThrownBy(() -> parse("{\"field\": \"f\", \"query_text\": \"x\", \"vector\": [1]}"))
        .hasMessageContaining("exactly one of [query_text] (with [bundle]) and [vector]");
    assertThatThrownBy(() -> parse("{\"field\": \"f\", \"query_text\": \"x\"}"))
        .hasMessageContaining("[bundle] is required with [query_text]");
    assertThatThrownBy(() -> parse("{\"field\": \"f\", \"vector\": [1], \"k\": 0}"))
        .hasMessageContaining("need 1 <= k <= num_candidates <= 10000");
    assertThatThrownBy(() -> parse("{\"field\": \"f\", \"vector\": [1], \"colour\": \"red\"}"))
        .hasMessageContaining("unknown field [colour]");
    assertThatThrownBy(() -> parse("{\"field\": \"f\", \"vector\": [\"a\"]}"))
        .hasMessageContaining("[vector] must be an array of numbers");
  }

  @Test
  void theVectorAndFilterTravelToTheShards() throws IOException {
    SemanticQuerySpec spec =
        new SemanticQuerySpec(
            "ferry.vector",
            "wheat",
            "news",
            5,
            50,
            new TermQueryBuilder("ferry.label", "grain"),
            false);
    FerrySemanticQueryBuilder embedded =
        new FerrySemanticQueryBuilder(spec, new float[] {0.6f, 0.8f}, null, null);
    try (BytesStreamOutput out = new BytesStreamOutput()) {
      embedded.writeTo(out);
      try (StreamInput in =
          new NamedWriteableAwareStreamInput(out.bytes().streamInput(), WRITEABLES)) {
        assertThat(new FerrySemanticQueryBuilder(in, null)).isEqualTo(embedded);
      }
    }
    FerrySemanticQueryBuilder waiting = new FerrySemanticQueryBuilder(spec, null, () -> null, null);
    assertThatThrownBy(() -> waiting.writeTo(new BytesStreamOutput()))
        .hasMessageContaining("being sent before its text was embedded");
  }
}
