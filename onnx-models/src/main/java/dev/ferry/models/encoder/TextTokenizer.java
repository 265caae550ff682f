package dev.ferry.models.encoder;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Turns text into token ids with the model's own {@code tokenizer.json} (DJL's binding of the
 * HuggingFace tokenizers library), truncated to the model's maximum length and never padded:
 * padding is the batcher's job.
 *
 * <p>Any Java string is accepted. Lone surrogates (which cannot cross into native code as UTF-8)
 * become U+FFFD; control characters are left to the tokenizer's own normalizer, as in the
 * reference library. Text far longer than the model can read is cut before tokenizing, at a
 * whitespace boundary well past the last token that survives truncation, so a megabyte of text
 * costs no more than a page; the ids are the same as tokenizing it whole.
 *
 * <p>Thread-safe: the native tokenizer is immutable after loading.
 */
final class TextTokenizer implements AutoCloseable {
  /** Characters kept per allowed token before the pre-cut; generous, since a token is rarely 16+ chars. */
  static final int CHARS_PER_TOKEN_BOUND = 24;

  static {
    // DJL unpacks its native tokenizer library once; keep it beside Ferry's other cached files.
    if (System.getProperty("DJL_CACHE_DIR") == null && System.getenv("DJL_CACHE_DIR") == null) {
      System.setProperty("DJL_CACHE_DIR", BuiltinModelCache.defaultRoot().resolve("djl").toString());
    }
  }

  private final HuggingFaceTokenizer tokenizer;
  private final int maxLength;

  TextTokenizer(Path tokenizerJson, int maxLength) {
    this.maxLength = maxLength;
    try {
      this.tokenizer = HuggingFaceTokenizer.newInstance(tokenizerJson, Map.of(
          "addSpecialTokens", "true",
          "padding", "false",
          "truncation", "true",
          "maxLength", Integer.toString(maxLength)));
    } catch (IOException | RuntimeException e) {
      throw new EncoderLoadException("cannot load tokenizer " + tokenizerJson + ": " + e.getMessage()
          + " (expected a HuggingFace tokenizer.json)", e);
    }
  }

  int maxLength() {
    return maxLength;
  }

  /** Token ids of one text, special tokens included, at most {@link #maxLength()} of them. */
  long[] ids(String text) {
    String clean = replaceLoneSurrogates(text);
    int limit = maxLength * CHARS_PER_TOKEN_BOUND;
    if (clean.length() > limit) {
      Encoding cut = tokenizer.encode(cutAtWhitespace(clean, limit));
      if (cut.exceedMaxLength()) {
        // The cut text already fills the window: the tail cannot change the kept tokens.
        return cut.getIds();
      }
    }
    return tokenizer.encode(clean).getIds();
  }

  /**
   * A prefix of {@code text} of at most {@code limit} chars, ending at whitespace when there is
   * some in its second half, and never splitting a surrogate pair.
   */
  static String cutAtWhitespace(String text, int limit) {
    int end = limit;
    for (int i = limit - 1; i >= limit / 2; i--) {
      if (Character.isWhitespace(text.charAt(i))) {
        end = i;
        break;
      }
    }
    if (end > 0 && Character.isHighSurrogate(text.charAt(end - 1))) {
      end--;
    }
    return text.substring(0, end);
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
    tokenizer.close();
  }
}
