package dev.ferry.models.encoder;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TextTokenizerTest {
  @Test
  void loneSurrogatesAreReplacedAndPairsKept() {
    assertThat(TextTokenizer.replaceLoneSurrogates("plain")).isSameAs("plain");
    assertThat(TextTokenizer.replaceLoneSurrogates("a\uD83D\uDE42b")).isEqualTo("a\uD83D\uDE42b");
    assertThat(TextTokenizer.replaceLoneSurrogates("\uD800x\uDC00")).isEqualTo("\uFFFDx\uFFFD");
    assertThat(TextTokenizer.replaceLoneSurrogates("ok\uD83D")).isEqualTo("ok\uFFFD");
    assertThat(TextTokenizer.replaceLoneSurrogates("\uDE42\uD83D\uDE42"))
        .isEqualTo("\uFFFD\uD83D\uDE42");
  }

  @Test
  void cutEndsBeforeWhitespaceInTheSecondHalfOrNotAtAll() {
    assertThat(TextTokenizer.cutAtWhitespace("aaaa bbbb cccc", 12)).isEqualTo("aaaa bbbb");
    assertThat(TextTokenizer.cutAtWhitespace("aaaa bbbb cccc", 9)).isEqualTo("aaaa bbbb");
    assertThat(TextTokenizer.cutAtWhitespace("a bbbbbbbbbbbbbb", 10)).isNull();
    assertThat(TextTokenizer.cutAtWhitespace("\uD83D\uDE42".repeat(10), 5)).isNull();
  }
}
