package dev.ferry.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Help;
import picocli.CommandLine.Help.Ansi.Text;
import picocli.CommandLine.Help.ColorScheme;
import picocli.CommandLine.Help.Column;
import picocli.CommandLine.Help.TextTable;
import picocli.CommandLine.Model.CommandSpec;

/**
 * picocli's help with text wrapped at spaces only. picocli breaks lines where the JDK's {@link
 * java.text.BreakIterator#getLineInstance() line BreakIterator} allows, which is also after a dot
 * or a hyphen: "manifest.&#8203;json" and "--chunk-&#8203;tokens" came out split across lines. Here
 * the descriptions, the command list and the footer are broken at spaces (a word longer than the
 * line stays whole and runs past it).
 */
final class SpaceWrappingHelp extends Help {
  SpaceWrappingHelp(CommandSpec spec, ColorScheme colorScheme) {
    super(spec, colorScheme);
  }

  @Override
  public Layout createDefaultLayout() {
    int width = width();
    int names = HelpLayout.LONG_OPTIONS_WIDTH;
    return new Layout(
        colorScheme(),
        new Table(
            colorScheme(),
            new Column(2, 0, Column.Overflow.TRUNCATE),
            new Column(2, 0, Column.Overflow.SPAN),
            new Column(1, 0, Column.Overflow.TRUNCATE),
            new Column(names, 1, Column.Overflow.SPAN),
            new Column(Math.max(20, width - names - 5), 1, Column.Overflow.WRAP)));
  }

  @Override
  public TextTable createTextTable(Map<?, ?> map) {
    TextTable plain = super.createTextTable(map);
    TextTable table = new Table(colorScheme(), plain.columns());
    table.indentWrappedLines = plain.indentWrappedLines;
    for (int row = 0; row < plain.rowCount(); row++) {
      // Rows as picocli laid them out, each cell's text put again through the space wrapper.
      Text[] values = new Text[plain.columns().length];
      for (int col = 0; col < values.length; col++) {
        values[col] = plain.textAt(row, col);
      }
      table.addRowValues(values);
    }
    return table;
  }

  @Override
  public String description(Object... params) {
    return paragraphs(commandSpec().usageMessage().description(), params);
  }

  @Override
  public String footer(Object... params) {
    return paragraphs(commandSpec().usageMessage().footer(), params);
  }

  private int width() {
    return commandSpec().usageMessage().width();
  }

  /** Each paragraph (after picocli's formatting) wrapped at spaces to the help's width. */
  private String paragraphs(String[] lines, Object... params) {
    StringBuilder out = new StringBuilder();
    for (String line : lines) {
      String text = String.format(line, params);
      for (String paragraph : text.split("\\R", -1)) {
        for (String wrapped : wrap(paragraph, width(), width())) {
          out.append(wrapped).append(System.lineSeparator());
        }
      }
    }
    return out.toString();
  }

  /** {@code text} in lines of at most {@code first} (then {@code rest}) characters, at spaces. */
  static List<String> wrap(String text, int first, int rest) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    int limit = first;
    for (String word : text.split(" ")) {
      if (line.length() > 0 && line.length() + 1 + word.length() > limit) {
        lines.add(line.toString());
        line.setLength(0);
        limit = rest;
      }
      if (line.length() > 0) {
        line.append(' ');
      }
      line.append(word);
    }
    lines.add(line.toString());
    return lines;
  }

  /** A table whose wrapping columns break their text at spaces only. */
  static final class Table extends TextTable {
    private final ColorScheme scheme;

    Table(ColorScheme colorScheme, Column... columns) {
      super(colorScheme, columns);
      this.scheme = colorScheme;
    }

    @Override
    public Cell putValue(int row, int col, Text value) {
      Column column = columns()[col];
      String plain = value.plainString();
      if (column.overflow != Column.Overflow.WRAP
          || plain.indexOf('\n') >= 0
          || !plain.equals(value.toString())) {
        return super.putValue(row, col, value);
      }
      int first = column.width - column.indent - 1;
      int rest = first - indentWrappedLines;
      List<String> lines = wrap(plain, first, rest);
      Cell cell = null;
      for (int i = 0; i < lines.size(); i++) {
        if (i > 0) {
          addEmptyRow();
          row = rowCount() - 1;
        }
        Text text =
            Help.Ansi.OFF
            .new Text((i > 0 ? " ".repeat(indentWrappedLines) : "") + lines.get(i), scheme);
        cell = super.putValue(row, col, text);
      }
      return cell;
    }
  }
}
