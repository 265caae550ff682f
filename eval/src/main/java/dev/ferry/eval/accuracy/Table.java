package dev.ferry.eval.accuracy;

import java.util.ArrayList;
import java.util.List;

/**
 * A table of text cells, written as Markdown (for the terminal and RESULTS.md) or HTML (for the
 * report). The first {@code textColumns} columns are left-aligned, the rest (numbers) right.
 */
final class Table {
  private final List<String> header;
  private final int textColumns;
  private final List<List<String>> rows = new ArrayList<>();

  Table(int textColumns, String... header) {
    this.header = List.of(header);
    this.textColumns = textColumns;
  }

  Table row(List<String> cells) {
    if (cells.size() != header.size()) {
      throw new IllegalArgumentException(cells.size() + " cells for " + header.size() + " columns");
    }
    rows.add(List.copyOf(cells));
    return this;
  }

  Table row(String... cells) {
    return row(List.of(cells));
  }

  boolean isEmpty() {
    return rows.isEmpty();
  }

  String markdown() {
    StringBuilder sb = new StringBuilder();
    line(sb, header);
    sb.append('|');
    for (int c = 0; c < header.size(); c++) {
      sb.append(c < textColumns ? "---|" : "---:|");
    }
    sb.append('\n');
    rows.forEach(r -> line(sb, r));
    return sb.toString();
  }

  private static void line(StringBuilder sb, List<String> cells) {
    sb.append('|');
    for (String cell : cells) {
      sb.append(' ').append(cell.replace("|", "\\|")).append(" |");
    }
    sb.append('\n');
  }

  String html() {
    StringBuilder sb = new StringBuilder("<table>\n<thead><tr>");
    for (int c = 0; c < header.size(); c++) {
      sb.append("<th")
          .append(c < textColumns ? "" : " class=\"num\"")
          .append('>')
          .append(escape(header.get(c)))
          .append("</th>");
    }
    sb.append("</tr></thead>\n<tbody>\n");
    for (List<String> row : rows) {
      sb.append("<tr>");
      for (int c = 0; c < row.size(); c++) {
        sb.append("<td")
            .append(c < textColumns ? "" : " class=\"num\"")
            .append('>')
            .append(escape(row.get(c)))
            .append("</td>");
      }
      sb.append("</tr>\n");
    }
    return sb.append("</tbody>\n</table>\n").toString();
  }

  static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
