package dev.ferry.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * How every command's {@code --help} is laid out: to the terminal's width (picocli's {@code
 * usageHelpAutoWidth}), with the command's examples in a section of their own that is printed as
 * written, one example a line, never wrapped, and, for a command with many options ({@code train}),
 * the options under headings.
 */
final class HelpLayout {
  /** The help section that holds the examples. */
  static final String EXAMPLES_SECTION = "ferryExamples";

  /** A command that shows examples in its help. */
  interface Examples {
    /** Whole command lines, each printed on a line of its own. */
    List<String> examples();
  }

  /** A command whose options are shown under headings. */
  interface OptionGroups {
    /** Heading → the options' longest names, in order; options left out go under "Other". */
    Map<String, List<String>> optionGroups();
  }

  /** Widest column of option names before their descriptions. */
  static final int LONG_OPTIONS_WIDTH = 28;

  private HelpLayout() {}

  /** Lays out the help of {@code cli} and of every subcommand below it. */
  static void apply(CommandLine cli) {
    cli.setUsageHelpAutoWidth(true);
    cli.setUsageHelpLongOptionsMaxWidth(LONG_OPTIONS_WIDTH);
    cli.setHelpFactory(SpaceWrappingHelp::new);
    Object user = cli.getCommandSpec().userObject();
    // Setting the keys passes them on to the subcommands, which are laid out after this one.
    List<String> keys = new ArrayList<>(cli.getHelpSectionKeys());
    keys.remove(EXAMPLES_SECTION);
    if (user instanceof Examples e && !e.examples().isEmpty()) {
      int at = keys.indexOf(CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER_HEADING);
      keys.add(at < 0 ? keys.size() : at, EXAMPLES_SECTION);
      cli.getHelpSectionMap().put(EXAMPLES_SECTION, help -> examples(e.examples()));
    }
    cli.setHelpSectionKeys(keys);
    if (user instanceof OptionGroups g) {
      cli.getHelpSectionMap()
          .put(
              CommandLine.Model.UsageMessageSpec.SECTION_KEY_OPTION_LIST,
              help -> groupedOptions(help, g.optionGroups()));
    }
    for (CommandLine sub : cli.getSubcommands().values()) {
      apply(sub);
    }
  }

  /** The examples, each on its own line as written, under a heading. */
  static String examples(List<String> examples) {
    StringBuilder s = new StringBuilder(String.format("%nExamples:%n"));
    for (String example : examples) {
      s.append("  ").append(example).append(String.format("%n"));
    }
    return s.toString();
  }

  private static String groupedOptions(CommandLine.Help help, Map<String, List<String>> groups) {
    CommandSpec spec = help.commandSpec();
    Set<OptionSpec> shown = new LinkedHashSet<>();
    Map<String, List<OptionSpec>> sections = new LinkedHashMap<>();
    groups.forEach(
        (heading, names) -> {
          List<OptionSpec> options = new ArrayList<>();
          for (String name : names) {
            OptionSpec o = spec.findOption(name);
            if (o == null) {
              throw new IllegalStateException(
                  spec.qualifiedName() + ": help group '" + heading + "' names no option " + name);
            }
            options.add(o);
          }
          shown.addAll(options);
          sections.put(heading, options);
        });
    List<OptionSpec> rest =
        spec.options().stream().filter(o -> !o.hidden() && !shown.contains(o)).toList();
    if (!rest.isEmpty()) {
      sections.put("Other", rest);
    }
    StringBuilder s = new StringBuilder();
    sections.forEach(
        (heading, options) ->
            s.append(String.format("%n%s:%n", heading))
                .append(
                    help.optionListExcludingGroups(
                        options,
                        help.createDefaultLayout(),
                        null,
                        help.createDefaultParamLabelRenderer())));
    return s.toString();
  }
}
