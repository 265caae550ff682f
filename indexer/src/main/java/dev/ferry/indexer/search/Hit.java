package dev.ferry.indexer.search;

import java.util.Map;

/**
 * One document found, with the chunk that matched it best.
 *
 * @param id the document's id
 * @param score BM25 score, vector similarity ((1 + dot) / 2 for unit vectors), or the fused
 *     reciprocal-rank score
 * @param label its label
 * @param confidence the label's probability
 * @param probabilities every label's probability
 * @param bundle the key of the bundle that labeled it
 * @param chunk the best chunk: the nearest to the query (kNN), else the one with most query terms
 * @param snippet the best chunk's text, shortened
 * @param fields the record's other fields as a JSON object, or null
 * @param source where the record came from ({@code file:line})
 */
public record Hit(
    String id,
    float score,
    String label,
    float confidence,
    Map<String, Float> probabilities,
    String bundle,
    Chunk chunk,
    String snippet,
    String fields,
    String source) {

  /**
   * A chunk of a document.
   *
   * @param index position among the document's chunks, from 0
   * @param start char offset in the text
   * @param end char offset just past it
   */
  public record Chunk(int index, int start, int end) {}
}
