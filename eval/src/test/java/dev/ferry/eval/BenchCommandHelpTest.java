package dev.ferry.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

class BenchCommandHelpTest {

  /**
   * picocli runs every description through String.format when it prints help: a bare % ("20% held
   * out") makes it warn on stderr and print that help unformatted. Checked on the annotations as
   * written, since picocli's own accessors hand the text back already unescaped.
   */
  @Test
  void everyDescriptionIsAValidFormatString() {
    List<Class<?>> commands = new ArrayList<>(List.of(BenchCommand.class));
    commands.addAll(List.of(BenchCommand.class.getDeclaredClasses()));
    List<String> texts = new ArrayList<>();
    for (Class<?> command : commands) {
      Command annotation = command.getAnnotation(Command.class);
      if (annotation != null) {
        texts.addAll(List.of(annotation.description()));
      }
      for (Field field : command.getDeclaredFields()) {
        Option option = field.getAnnotation(Option.class);
        if (option != null) {
          texts.addAll(List.of(option.description()));
        }
      }
    }
    assertThat(texts).anyMatch(t -> t.contains("%%"));
    for (String text : texts) {
      assertThatCode(() -> String.format(Locale.ROOT, text)).as(text).doesNotThrowAnyException();
    }
  }
}
