package dev.ferry.trainer.finetune;

import dev.ferry.models.encoder.ChunkPooling;
import dev.ferry.models.encoder.Encoder;
import dev.ferry.models.encoder.Pooling;
import dev.ferry.models.graph.ElementType;
import dev.ferry.models.graph.HostTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * What fine-tuning's graphs are fed: token ids cut to the chunk length, the units a step takes
 * (chunks, or whole documents), and per batch the right-padded tokens or cached hidden states, the
 * document inputs and the dropout masks.
 */
final class Batches {
  private Batches() {}

  /**
   * What the head classifies: each example (chunk) on its own, or each document, all its examples
   * together.
   *
   * @param rows per unit, its examples' rows
   * @param labels per unit, its class
   * @param documents whether the units are documents (the graph then takes the document inputs)
   */
  record Units(int[][] rows, int[] labels, boolean documents) {
    static Units of(FineTuneExamples e, TrainOn trainOn) {
      if (trainOn == TrainOn.CHUNKS) {
        return new Units(
            IntStream.range(0, e.size()).mapToObj(i -> new int[] {i}).toArray(int[][]::new),
            e.labels().clone(),
            false);
      }
      List<int[]> rows = new ArrayList<>();
      int start = 0;
      for (int i = 1; i <= e.size(); i++) {
        if (i == e.size() || e.documents()[i] != e.documents()[start]) {
          rows.add(IntStream.range(start, i).toArray());
          start = i;
        }
      }
      return new Units(
          rows.toArray(int[][]::new),
          rows.stream().mapToInt(r -> e.labels()[r[0]]).toArray(),
          true);
    }

    int size() {
      return rows.length;
    }

    /** The examples of some units, in order. */
    int[] rows(int[] units) {
      return Arrays.stream(units).flatMap(u -> Arrays.stream(rows[u])).toArray();
    }

    /** The labels of some units, in order. */
    int[] labels(int[] units) {
      return Arrays.stream(units).map(u -> labels[u]).toArray();
    }
  }

  /**
   * An epoch's order of the units for a contrastive loss: each run of {@code batchSize} takes the
   * labels in turn, in a random order per batch, so every batch holds about as many of each label
   * (a label with too few units for its share repeats them, reshuffled). Of the units of a label
   * that has more than its share, a random part is taken each epoch.
   *
   * @param labels per unit, its class in {@code 0..classes-1}
   */
  static int[] balancedOrder(int[] labels, int classes, int batchSize, Random random) {
    List<List<Integer>> pools = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      List<Integer> pool = new ArrayList<>();
      for (int u = 0; u < labels.length; u++) {
        if (labels[u] == c) {
          pool.add(u);
        }
      }
      if (!pool.isEmpty()) {
        Collections.shuffle(pool, random);
        pools.add(pool);
      }
    }
    int[] cursor = new int[pools.size()];
    int[] order = new int[labels.length];
    int at = 0;
    while (at < order.length) {
      int size = Math.min(batchSize, order.length - at);
      List<Integer> turn = new ArrayList<>(IntStream.range(0, pools.size()).boxed().toList());
      Collections.shuffle(turn, random);
      for (int k = 0; k < size; k++) {
        int c = turn.get(k % turn.size());
        List<Integer> pool = pools.get(c);
        if (cursor[c] == pool.size()) {
          Collections.shuffle(pool, random);
          cursor[c] = 0;
        }
        order[at++] = pool.get(cursor[c]++);
      }
    }
    return order;
  }

  /**
   * {@link FineTuneGraphs#PAIR_TARGET} and {@link FineTuneGraphs#PAIR_WEIGHT} of a batch, as its
   * objective reads them. A unit is never its own pair, nor paired with itself where a small label
   * repeats it in the batch.
   */
  static Map<String, HostTensor> pairInputs(FineTuneGraphs.Spec spec, int[] units, int[] labels) {
    int n = units.length;
    float[] target = new float[n * n];
    float[] weight = new float[n * n];
    int positives = 0;
    int negatives = 0;
    int[] rowPositives = new int[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        if (units[i] == units[j]) {
          continue;
        }
        if (labels[i] == labels[j]) {
          positives++;
          rowPositives[i]++;
        } else {
          negatives++;
        }
      }
    }
    if (spec.objective() == Objective.COSINE_PAIRS) {
      // Positive and negative pairs weigh half each, as SetFit draws them; one kind alone, all.
      double kinds = (positives > 0 ? 1 : 0) + (negatives > 0 ? 1 : 0);
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          if (units[i] == units[j]) {
            continue;
          }
          boolean same = labels[i] == labels[j];
          target[i * n + j] = same ? 1 : 0;
          weight[i * n + j] = (float) (1 / (kinds * (same ? positives : negatives)));
        }
      }
    } else {
      int anchors = 0;
      for (int c : rowPositives) {
        anchors += c > 0 ? 1 : 0;
      }
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          if (units[i] == units[j]) {
            weight[i * n + j] = SELF_LOGIT;
          } else if (labels[i] == labels[j]) {
            target[i * n + j] = (float) (1.0 / (rowPositives[i] * anchors));
          }
        }
      }
    }
    Map<String, HostTensor> out = new HashMap<>();
    out.put(FineTuneGraphs.PAIR_TARGET, HostTensor.of(target, n, n));
    out.put(FineTuneGraphs.PAIR_WEIGHT, HostTensor.of(weight, n, n));
    return out;
  }

  /** What {@link Objective#SUPCON} adds to a text's similarity with itself: leaves it out. */
  private static final float SELF_LOGIT = -1e4f;

  /**
   * The batch's chunk {@code rows}, in order, cut into passes of at most {@code tokensPerPass}
   * tokens as padded (chunks × the longest one's tokens); a chunk longer than that is a pass of its
   * own. One pass: the batch fits in one graph run.
   */
  static int[][] passes(long[][] ids, int[] rows, int tokensPerPass) {
    List<int[]> out = new ArrayList<>();
    int from = 0;
    int longest = 0;
    for (int i = 0; i < rows.length; i++) {
      int width = Math.max(longest, ids[rows[i]].length);
      if (i > from && (long) (i - from + 1) * width > tokensPerPass) {
        out.add(Arrays.copyOfRange(rows, from, i));
        from = i;
        width = ids[rows[i]].length;
      }
      longest = width;
    }
    out.add(Arrays.copyOfRange(rows, from, rows.length));
    return out.toArray(int[][]::new);
  }

  /** Each text's token ids, at most {@code maxTokens} (the closing {@code [SEP]} kept). */
  static long[][] tokenize(Encoder encoder, List<String> texts, int maxTokens) {
    long[][] ids = new long[texts.size()][];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = truncate(encoder.tokenIds(texts.get(i)), maxTokens);
    }
    return ids;
  }

  private static long[] truncate(long[] ids, int max) {
    if (ids.length <= max) {
      return ids;
    }
    long[] out = Arrays.copyOf(ids, max);
    out[max - 1] = ids[ids.length - 1]; // keep the closing [SEP]
    return out;
  }

  /**
   * The batch inputs of some units: their examples' cached hidden states (or token ids) and the
   * attention mask, right-padded, and for documents the document inputs.
   */
  static Map<String, HostTensor> inputs(
      FineTuneGraphs.Spec spec, long[][] ids, float[][] cached, Units units, int[] batchUnits) {
    int[] rows = units.rows(batchUnits);
    Map<String, HostTensor> feed = new HashMap<>(examples(spec, ids, cached, rows));
    if (units.documents()) {
      feed.putAll(documentInputs(spec.chunkPooling(), units, batchUnits, ids));
    }
    return feed;
  }

  /**
   * {@link FineTuneGraphs#DOCUMENT_FIRST}, {@link FineTuneGraphs#DOCUMENT_MEAN} (weights as {@code
   * DocumentEmbedding} weighs chunks: by their tokens, special ones left out) and {@link
   * FineTuneGraphs#DOCUMENT_SLOTS} for documents whose examples are the batch's rows in order.
   */
  static Map<String, HostTensor> documentInputs(
      ChunkPooling pooling, Units units, int[] batchUnits, long[][] ids) {
    int documents = batchUnits.length;
    int chunks = 0;
    int slots = 1;
    for (int u : batchUnits) {
      chunks += units.rows()[u].length;
      slots = Math.max(slots, units.rows()[u].length);
    }
    float[] first = new float[documents * chunks];
    float[] mean = new float[documents * chunks];
    float[] slot = new float[documents * slots * chunks];
    int at = 0;
    for (int d = 0; d < documents; d++) {
      int[] rows = units.rows()[batchUnits[d]];
      first[d * chunks + at] = 1;
      double total = 0;
      for (int r : rows) {
        total += Math.max(ids[r].length - 2, 1);
      }
      for (int k = 0; k < slots; k++) {
        int c = k < rows.length ? at + k : at;
        slot[(d * slots + k) * chunks + c] = 1;
      }
      for (int k = 0; k < rows.length; k++) {
        mean[d * chunks + at + k] = (float) (Math.max(ids[rows[k]].length - 2, 1) / total);
      }
      at += rows.length;
    }
    Map<String, HostTensor> out = new HashMap<>();
    out.put(FineTuneGraphs.DOCUMENT_MEAN, HostTensor.of(mean, documents, chunks));
    if (pooling != ChunkPooling.TOKEN_WEIGHTED_MEAN) {
      out.put(FineTuneGraphs.DOCUMENT_FIRST, HostTensor.of(first, documents, chunks));
    }
    if (pooling == ChunkPooling.FIRST_MEAN_MAX) {
      out.put(FineTuneGraphs.DOCUMENT_SLOTS, HostTensor.of(slot, documents, slots, chunks));
    }
    return out;
  }

  /**
   * The examples' inputs: their cached hidden states packed into rows ({@link #packed}), or without
   * a cache their token ids and attention mask, right-padded.
   */
  static Map<String, HostTensor> examples(
      FineTuneGraphs.Spec spec, long[][] ids, float[][] cached, int[] rows) {
    return cached == null ? tokens(ids, rows) : packed(spec, cached, rows);
  }

  /** What the attention bias adds where a token may not attend: the softmax gives it 0. */
  private static final float MASKED = -1e9f;

  /**
   * Cached hidden states of some examples packed into rows as long as the longest (first fit, the
   * longest first), with {@link FineTuneGraphs#ATTENTION_BIAS} keeping each example to its own
   * tokens and {@link FineTuneGraphs#TOKEN_POOLING} pooling each one's tokens, in the order of
   * {@code rows}. Every layer above the cut treats a token alone but for attention, so each
   * example's vector is what it would be in a row of its own, and the rows hold fewer padding
   * tokens: 16 movie reviews take 10.4 rows on average instead of 16.
   */
  static Map<String, HostTensor> packed(FineTuneGraphs.Spec spec, float[][] cached, int[] rows) {
    int dim = spec.dimension();
    int n = rows.length;
    int[] length = new int[n];
    int width = 1;
    for (int i = 0; i < n; i++) {
      length[i] = cached[rows[i]].length / dim;
      width = Math.max(width, length[i]);
    }
    Integer[] longestFirst = new Integer[n];
    Arrays.setAll(longestFirst, i -> i);
    Arrays.sort(longestFirst, (a, b) -> Integer.compare(length[b], length[a]));
    int[] rowOf = new int[n];
    int[] startOf = new int[n];
    List<Integer> used = new ArrayList<>(); // per packed row, the tokens taken
    for (int i : longestFirst) {
      int r = 0;
      while (r < used.size() && used.get(r) + length[i] > width) {
        r++;
      }
      if (r == used.size()) {
        used.add(0);
      }
      rowOf[i] = r;
      startOf[i] = used.get(r);
      used.set(r, used.get(r) + length[i]);
    }
    int packedRows = used.size();
    float[] hidden = new float[packedRows * width * dim];
    float[] bias = new float[packedRows * width * width];
    Arrays.fill(bias, MASKED);
    float[] pooling = new float[n * packedRows * width];
    for (int i = 0; i < n; i++) {
      int first = rowOf[i] * width + startOf[i]; // the example's first token, rows end to end
      System.arraycopy(cached[rows[i]], 0, hidden, first * dim, length[i] * dim);
      attendWithin(bias, width, rowOf[i], startOf[i], length[i]);
      if (spec.pooling() == Pooling.CLS) {
        pooling[i * packedRows * width + first] = 1;
      } else {
        Arrays.fill(
            pooling,
            i * packedRows * width + first,
            i * packedRows * width + first + length[i],
            1f / length[i]);
      }
    }
    for (int r = 0; r < packedRows; r++) {
      // The padding after a row's last example attends to itself, so that no softmax is empty.
      attendWithin(bias, width, r, used.get(r), width - used.get(r));
    }
    Map<String, HostTensor> out = new HashMap<>();
    out.put(spec.cut(), HostTensor.of(hidden, packedRows, width, dim));
    out.put(FineTuneGraphs.ATTENTION_BIAS, HostTensor.of(bias, packedRows, 1, width, width));
    out.put(FineTuneGraphs.TOKEN_POOLING, HostTensor.of(pooling, n, (long) packedRows * width));
    return out;
  }

  /** Lets the tokens {@code [start, start + count)} of packed row {@code row} see each other. */
  private static void attendWithin(float[] bias, int width, int row, int start, int count) {
    for (int q = start; q < start + count; q++) {
      int at = (row * width + q) * width;
      Arrays.fill(bias, at + start, at + start + count, 0f);
    }
  }

  /**
   * The rows and the tokens per row of a step's {@link #examples}, which its dropout masks take.
   */
  static int[] rowsAndWidth(FineTuneGraphs.Spec spec, Map<String, HostTensor> examples) {
    long[] shape =
        examples.get(spec.cut() == null ? FineTuneGraphs.ATTENTION_MASK : spec.cut()).shape();
    return new int[] {(int) shape[0], (int) shape[1]};
  }

  /** input_ids, attention_mask and token_type_ids of some texts, right-padded to the longest. */
  static Map<String, HostTensor> tokens(long[][] ids, int[] rows) {
    int width = 0;
    for (int r : rows) {
      width = Math.max(width, ids[r].length);
    }
    long[] flat = new long[rows.length * width];
    long[] mask = new long[rows.length * width];
    for (int r = 0; r < rows.length; r++) {
      long[] row = ids[rows[r]];
      System.arraycopy(row, 0, flat, r * width, row.length);
      Arrays.fill(mask, r * width, r * width + row.length, 1);
    }
    Map<String, HostTensor> feed = new HashMap<>();
    feed.put("input_ids", HostTensor.of(flat, rows.length, width));
    feed.put(FineTuneGraphs.ATTENTION_MASK, HostTensor.of(mask, rows.length, width));
    feed.put("token_type_ids", HostTensor.of(new long[flat.length], rows.length, width));
    return feed;
  }

  /**
   * A dropout mask of a value whose shape is {@code shape} with the batch (first unknown size) and
   * token count (the others) filled in: each element false (dropped) with probability p, else true;
   * the graph scales the kept values by {@link FineTuneGraphs#DROPOUT_SCALE}. One byte per element
   * and four elements per random long: p is rounded to a multiple of 2⁻¹⁶.
   */
  static HostTensor dropoutMask(
      long[] shape, int rows, int width, double p, SplittableRandom random) {
    long[] dims = shape.clone();
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] < 0) {
        dims[i] = i == 0 ? rows : width;
      }
    }
    int size = 1;
    for (long d : dims) {
      size *= (int) d;
    }
    byte[] mask = new byte[size];
    long dropBelow = Math.round(p * 65536);
    long bits = 0;
    for (int i = 0; i < size; i++) {
      if ((i & 3) == 0) {
        bits = random.nextLong();
      }
      mask[i] = (bits & 0xFFFF) < dropBelow ? (byte) 0 : (byte) 1;
      bits >>>= 16;
    }
    return HostTensor.ofBools(mask, dims);
  }

  /** What the kept values are multiplied by: 1 / (1 − p). */
  static HostTensor dropoutScale(double p) {
    return HostTensor.scalar(ElementType.FLOAT, 1 / (1 - p));
  }
}
