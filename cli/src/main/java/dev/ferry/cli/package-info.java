/**
 * The {@code ferry} command: one picocli command class per subcommand, each a thin shell over
 * another module's Java API, with the options they share (mixins), progress on a terminal, and
 * {@code SettingErrors}, which turns a library's refused setting into the flag that sets it.
 */
package dev.ferry.cli;
