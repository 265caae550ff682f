package dev.ferry.trainer.finetune;

import dev.ferry.autodiff.OnnxImport;
import dev.ferry.models.encoder.BuiltinEncoder;
import dev.ferry.models.encoder.Encoder;
import dev.ferry.models.encoder.EncoderOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Tests on the small real encoder, all-MiniLM-L6-v2: it and its imported graph are opened once per
 * test class (classes run one after another) and closed after.
 */
abstract class MiniLmTest {
  static Encoder encoder;
  static OnnxImport model;

  @BeforeAll
  static void openMiniLm() throws Exception {
    encoder = Encoder.open(BuiltinEncoder.ALL_MINILM_L6_V2, EncoderOptions.defaults());
    model = OnnxImport.read(encoder.modelFile());
  }

  @AfterAll
  static void closeMiniLm() {
    encoder.close();
  }
}
