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
  /**
   * Characters kept per allowed token by the pre-cut. English averages 4 to 5 characters per
   * token; text with longer tokens (URLs, encoded data) may not fill the window from the cut,
   * and is then tokenized whole: slower, never different.
   */
  static final int CHARS_PER_TOKEN_BOUND = 8;

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

  /** Ids of the whole text, never pre-cut: the reference the pre-cut must agree with. */
  long[] idsWithoutPreCut(String text) {
    return tokenizer.encode(replaceLoneSurrogates(text)).getIds();
  }

  /**
   * The longest prefix of {@code text} of at most {@code limit} chars that ends just before
   * whitespace in the second half of that range, or null if there is no whitespace there: a
   * cut inside a word could change how that word is split into tokens.
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
    tokenizer.close();
  }
}
