package dev.ferry.eval.baseline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.eval.baseline.BagOfWords.SparseVector;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BagOfWordsBaselineTest {

  @Test
  void tokensAreLowercasedLetterDigitRunsOfTwoOrMore() {
    assertThat(BagOfWords.tokenize("U.S. Wheat-exports rose 12.5% to 3,000 tonnes; a I x_y"))
        .containsExactly("wheat", "exports", "rose", "12", "to", "000", "tonnes");
    assertThat(BagOfWords.tokenize("Größe ÉTÉ naïve 東京都 서울시"))
        .containsExactly("größe", "été", "naïve", "東京都", "서울시");
    // A combining mark continues a word (Hindi vowel signs), but never starts one.
    assertThat(BagOfWords.tokenize("हिंदी \u0301ab")).containsExactly("हिंदी", "ab");
    // Supplementary code points count once towards the length of two.
    assertThat(BagOfWords.tokenize("𝐀 𝐀𝐁"))
        .containsExactly("𝐀𝐁".toLowerCase(java.util.Locale.ROOT));
    assertThat(BagOfWords.tokenize("")).isEmpty();
  }

  @Test
  void bigramsJoinAdjacentKeptTokens() {
    assertThat(BagOfWords.terms("Corn a crop, corn!", true))
        .containsExactly("corn", "crop", "corn", "corn crop", "crop corn");
    assertThat(BagOfWords.terms("Corn a crop", false)).containsExactly("corn", "crop");
    assertThat(BagOfWords.terms("corn", true)).containsExactly("corn");
  }

  @Test
  void vocabularyKeepsTermsInEnoughTextsAlphabetically() {
    List<String> texts = List.of("wheat corn corn", "corn oil", "wheat price", "rice");
    BagOfWords bow = BagOfWords.fit(texts, BagOfWords.Options.defaults());
    assertThat(bow.terms()).containsExactly("corn", "wheat");
    assertThat(bow.documentFrequency(bow.indexOf("corn"))).isEqualTo(2);
    assertThat(bow.documentFrequency(bow.indexOf("wheat"))).isEqualTo(2);
    assertThat(bow.indexOf("rice")).isEqualTo(-1);
    assertThat(bow.documents()).isEqualTo(4);

    SparseVector v = bow.counts("Corn, CORN and wheat; no rice");
    assertThat(v.indices()).containsExactly(0, 1);
    assertThat(v.values()).containsExactly(2f, 1f);
    assertThat(v.get(1)).isEqualTo(1f);
    assertThat(bow.counts("rice only").size()).isZero();
  }

  @Test
  void capKeepsTheMostFrequentTermsTiesByTerm() {
    List<String> texts = List.of("aa bb cc dd", "aa bb cc", "aa dd", "aa");
    BagOfWords.Options options =
        BagOfWords.Options.defaults().withMinDocumentFrequency(1).withMaxFeatures(3);
    // Document frequencies: aa 4, bb 2, cc 2, dd 2; the cap keeps aa, then bb and cc by name.
    assertThat(BagOfWords.fit(texts, options).terms()).containsExactly("aa", "bb", "cc");
  }

  @Test
  void bigramVocabularyCountsPairs() {
    BagOfWords bow =
        BagOfWords.fit(
            List.of("corn crop", "the corn crop", "crop"),
            BagOfWords.Options.defaults().withBigrams(true));
    assertThat(bow.terms()).containsExactly("corn", "corn crop", "crop");
    SparseVector v = bow.counts("corn crop corn crop");
    assertThat(v.values()).containsExactly(2f, 2f, 2f);
  }

  @Test
  void vocabularyDoesNotDependOnTextOrder() {
    Random random = new Random(3);
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      StringBuilder sb = new StringBuilder();
      for (int w = 0; w < 20; w++) {
        sb.append("w").append(random.nextInt(400)).append(' ');
      }
      texts.add(sb.toString());
    }
    BagOfWords.Options options =
        BagOfWords.Options.defaults().withBigrams(true).withMaxFeatures(500);
    BagOfWords a = BagOfWords.fit(texts, options);
    List<String> shuffled = new ArrayList<>(texts);
    Collections.shuffle(shuffled, new Random(9));
    BagOfWords b = BagOfWords.fit(shuffled, options);
    assertThat(a.size()).isEqualTo(500);
    assertThat(b.terms()).isEqualTo(a.terms());
  }

  @Test
  void rejectsBadOptions() {
    assertThatThrownBy(() -> BagOfWords.Options.defaults().withMinDocumentFrequency(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("minDocumentFrequency");
    assertThatThrownBy(() -> BagOfWords.Options.defaults().withMaxFeatures(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxFeatures");
  }
}
