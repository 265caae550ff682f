package dev.ferry.models.encoder;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Turns text into token ids with the model's own {@code tokenizer.json} (DJL's binding of the
 * HuggingFace tokenizers library), truncated to the model's maximum length and never padded:
 * padding is the batcher's job.
 *
 * <p>Any Java string is accepted. Lone surrogates (which cannot cross into native code as UTF-8)
 * become U+FFFD; control characters are left to the tokenizer's own normalizer, as in the reference
 * library. Text far longer than the model can read is cut before tokenizing, at a whitespace
 * boundary well past the last token that survives truncation, so a megabyte of text costs no more
 * than a page; the ids are the same as tokenizing it whole.
 *
 * <p>Thread-safe: the native tokenizer is immutable after loading.
 */
final class TextTokenizer implements AutoCloseable {
  /**
   * Characters kept per allowed token by the pre-cut. English averages 4 to 5 characters per token;
   * text with longer tokens (URLs, encoded data) may not fill the window from the cut, and is then
   * tokenized whole: slower, never different.
   */
  static final int CHARS_PER_TOKEN_BOUND = 8;

  /** DJL's switch (system property or environment variable) that turns off its telemetry. */
  static final String DJL_OPT_OUT = "OPT_OUT_TRACKING";

  static {
    // DJL unpacks its native tokenizer library once; keep it beside Ferry's other cached files.
    if (System.getProperty("DJL_CACHE_DIR") == null && System.getenv("DJL_CACHE_DIR") == null) {
      System.setProperty(
          "DJL_CACHE_DIR", BuiltinModelCache.defaultRoot().resolve("djl").toString());
    }
    // DJL's tokenizer "calls home" on every load: it asks the EC2 metadata address
    // (169.254.169.254) for an instance id and then reports to an S3 telemetry URL. Ferry makes
    // no network calls, and inside OpenSearch the agent refuses the connection, which fails the
    // load. DJL's documented opt-out stops it; a user's own setting of it is kept.
    if (System.getProperty(DJL_OPT_OUT) == null && System.getenv(DJL_OPT_OUT) == null) {
      System.setProperty(DJL_OPT_OUT, "true");
    }
  }

  /**
   * One token window of a text: the ids the model reads (special tokens and prefix included) and
   * the span of the text they cover.
   *
   * @param tokens the text's own tokens in the window
   */
  record Window(long[] ids, int start, int end, int tokens) {}

  /** A text's windows, and whether they reach its end. */
  record Windows(List<Window> windows, boolean complete) {}

  private final HuggingFaceTokenizer tokenizer;

  /** The same vocabulary with no truncation and no special tokens, for windows over whole texts. */
  private final HuggingFaceTokenizer whole;

  private final int maxLength;
  private final long[] leadingSpecials;
  private final long[] trailingSpecials;

  TextTokenizer(Path tokenizerJson, int maxLength) {
    this.maxLength = maxLength;
    HuggingFaceTokenizer truncating = null;
    try {
      truncating =
          HuggingFaceTokenizer.newInstance(
              tokenizerJson,
              Map.of(
                  "addSpecialTokens", "true",
                  "padding", "false",
                  "truncation", "true",
                  "maxLength", Integer.toString(maxLength)));
      this.whole =
          HuggingFaceTokenizer.newInstance(
              tokenizerJson,
              Map.of(
                  "addSpecialTokens", "false",
                  "padding", "false",
                  "truncation", "false"));
    } catch (IOException | RuntimeException e) {
      if (truncating != null) {
        truncating.close();
      }
      throw new EncoderLoadException(
          "cannot load tokenizer "
              + tokenizerJson
              + ": "
              + e.getMessage()
              + " (expected a HuggingFace tokenizer.json)",
          e);
    }
    this.tokenizer = truncating;
    // The special tokens around a text ([CLS] ... [SEP] for BERT, <s> ... </s> for RoBERTa).
    Encoding probe = tokenizer.encode("a");
    long[] ids = probe.getIds();
    long[] special = probe.getSpecialTokenMask();
    int first = 0;
    while (first < ids.length && special[first] == 1) {
      first++;
    }
    int last = ids.length;
    while (last > first && special[last - 1] == 1) {
      last--;
    }
    this.leadingSpecials = Arrays.copyOfRange(ids, 0, first);
    this.trailingSpecials = Arrays.copyOfRange(ids, last, ids.length);
  }

  int maxLength() {
    return maxLength;
  }

  /** Token ids of one text, special tokens included, at most {@link #maxLength()} of them. */
  long[] ids(String text) {
    String clean = replaceLoneSurrogates(text);
    int limit = maxLength * CHARS_PER_TOKEN_BOUND;
    if (clean.length() > limit) {
      String prefix = cutAtWhitespace(clean, limit);
      if (prefix != null) {
        Encoding cut = tokenizer.encode(prefix);
        if (cut.exceedMaxLength()) {
          // The cut is at a word boundary and the words before it already overflow the window:
          // the rest of the text cannot change the kept tokens.
          return cut.getIds();
        }
      }
    }
    return tokenizer.encode(clean).getIds();
  }

  /** Token ids of {@code text} alone: no special tokens, never truncated. */
  long[] bareIds(String text) {
    return whole.encode(replaceLoneSurrogates(text)).getIds();
  }

  /**
   * Splits a text into windows of at most {@code windowLength} ids each, every one made of the
   * special tokens, then {@code prefixIds}, then a run of the text's tokens; runs overlap by {@code
   * overlap} tokens and the last ends at the text's end. At most {@code maxWindows} (0: no limit)
   * windows are made, from the start. An empty text gives one window with no text tokens.
   */
  Windows windows(String text, long[] prefixIds, int windowLength, int overlap, int maxWindows) {
    int room =
        Math.min(windowLength, maxLength)
            - leadingSpecials.length
            - trailingSpecials.length
            - prefixIds.length;
    if (room < 1) {
      throw new IllegalArgumentException(
          "a window of "
              + windowLength
              + " tokens leaves no room for text after "
              + (leadingSpecials.length + trailingSpecials.length)
              + " special tokens and a "
              + prefixIds.length
              + "-token prefix");
    }
    int step = Math.max(1, room - Math.min(overlap, room / 2));
    String clean = replaceLoneSurrogates(text);
    Encoding encoding = null;
    boolean preCut = false;
    if (maxWindows > 0) {
      // A pre-cut bounds the cost of a huge text; it must still hold more tokens than the
      // windows can take, or the cut might have dropped tokens they would read.
      long needed = (long) room + (long) step * (maxWindows - 1);
      long limit = needed * CHARS_PER_TOKEN_BOUND;
      if (clean.length() > limit) {
        String prefix = cutAtWhitespace(clean, (int) Math.min(limit, Integer.MAX_VALUE - 1));
        if (prefix != null) {
          Encoding cut = whole.encode(prefix);
          if (cut.getIds().length > needed) {
            encoding = cut;
            preCut = true;
          }
        }
      }
    }
    if (encoding == null) {
      encoding = whole.encode(clean);
    }
    long[] tokens = encoding.getIds();
    CharSpan[] spans = encoding.getCharTokenSpans();
    int n = tokens.length;
    List<Window> out = new ArrayList<>();
    int start = 0;
    while (true) {
      int end = Math.min(n, start + room);
      out.add(window(tokens, spans, start, end, prefixIds, clean.length()));
      if (end >= n) {
        break;
      }
      if (maxWindows > 0 && out.size() == maxWindows) {
        return new Windows(out, false);
      }
      start += step;
      if (start + room > n) {
        start = n - room; // the last window is a full one that ends at the text's end
      }
    }
    return new Windows(out, !preCut);
  }

  private Window window(
      long[] tokens, CharSpan[] spans, int from, int to, long[] prefixIds, int textLength) {
    long[] ids =
        new long[leadingSpecials.length + prefixIds.length + (to - from) + trailingSpecials.length];
    int at = 0;
    System.arraycopy(leadingSpecials, 0, ids, at, leadingSpecials.length);
    at += leadingSpecials.length;
    System.arraycopy(prefixIds, 0, ids, at, prefixIds.length);
    at += prefixIds.length;
    System.arraycopy(tokens, from, ids, at, to - from);
    at += to - from;
    System.arraycopy(trailingSpecials, 0, ids, at, trailingSpecials.length);
    int startChar = to > from ? clamp(spans[from].getStart(), textLength) : 0;
    int endChar = to > from ? clamp(spans[to - 1].getEnd(), textLength) : 0;
    return new Window(ids, startChar, Math.max(startChar, endChar), to - from);
  }

  private static int clamp(int offset, int length) {
    return Math.max(0, Math.min(offset, length));
  }

  /** Ids of the whole text, never pre-cut: the reference the pre-cut must agree with. */
  long[] idsWithoutPreCut(String text) {
    return tokenizer.encode(replaceLoneSurrogates(text)).getIds();
  }

  /**
   * The longest prefix of {@code text} of at most {@code limit} chars that ends just before
   * whitespace in the second half of that range, or null if there is no whitespace there: a cut
   * inside a word could change how that word is split into tokens.
   */
  static String cutAtWhitespace(String text, int limit) {
    for (int i = Math.min(limit, text.length() - 1); i >= limit / 2; i--) {
      if (Character.isWhitespace(text.charAt(i))) {
        return text.substring(0, i);
      }
    }
    return null;
  }

  /** The text with every unpaired surrogate replaced by U+FFFD; the same string if it has none. */
  static String replaceLoneSurrogates(String text) {
    StringBuilder out = null;
    int n = text.length();
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      boolean lone;
      if (Character.isHighSurrogate(c)) {
        lone = i + 1 >= n || !Character.isLowSurrogate(text.charAt(i + 1));
        if (!lone) {
          if (out != null) {
            out.append(c).append(text.charAt(i + 1));
          }
          i++;
          continue;
        }
      } else {
        lone = Character.isLowSurrogate(c);
      }
      if (lone && out == null) {
        out = new StringBuilder(n).append(text, 0, i);
      }
      if (out != null) {
        out.append(lone ? '\uFFFD' : c);
      }
    }
    return out == null ? text : out.toString();
  }

  @Override
  public void close() {
    try {
      tokenizer.close();
    } finally {
      whole.close();
    }
  }
}
