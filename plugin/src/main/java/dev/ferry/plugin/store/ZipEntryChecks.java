package dev.ferry.plugin.store;

import static dev.ferry.plugin.store.ZipCentralDirectory.quote;

import dev.ferry.plugin.store.ZipCentralDirectory.Entry;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The checks of a zip's entry names and types that keep an upload inside its bundle: no path out of
 * it ({@code ..}, an absolute path, a drive letter, a backslash, an empty step, a control
 * character), no symbolic link or other file that is not plain, no name twice (or twice but for
 * case, which would collide on a case-insensitive file system).
 */
final class ZipEntryChecks {
  private static final int MAX_NAME = 255;
  private static final Pattern DRIVE = Pattern.compile("^[A-Za-z]:.*");

  private ZipEntryChecks() {}

  /** The files, by name, after checking every entry's name and type. */
  static Map<String, Entry> files(List<Entry> entries) {
    Map<String, Entry> files = new LinkedHashMap<>();
    Set<String> seen = new HashSet<>();
    Set<String> folded = new HashSet<>();
    for (Entry e : entries) {
      checkName(e.name(), quote(e.name()));
      int type = e.unixMode() & 0xF000;
      if (type == 0xA000) {
        throw new IllegalArgumentException(
            quote(e.name()) + " is a symbolic link; a bundle zip holds plain files");
      }
      if (type != 0 && type != 0x8000 && type != 0x4000) {
        throw new IllegalArgumentException(
            quote(e.name())
                + " is not a plain file (Unix mode "
                + Integer.toOctalString(e.unixMode())
                + ")");
      }
      if (!seen.add(e.name())) {
        throw new IllegalArgumentException(quote(e.name()) + " appears twice in the zip");
      }
      if (!folded.add(e.name().toLowerCase(Locale.ROOT))) {
        throw new IllegalArgumentException(
            quote(e.name()) + " differs from another entry only in case");
      }
      if (e.isDirectory()) {
        if (e.size() != 0) {
          throw new IllegalArgumentException(
              quote(e.name()) + " is a folder entry holding " + e.size() + " bytes");
        }
      } else {
        files.put(e.name(), e);
      }
    }
    return files;
  }

  /** Refuses a name that is empty, too long, or could lead outside the bundle. */
  static void checkName(String name, String what) {
    String path = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
    if (path.isEmpty() || name.length() > MAX_NAME) {
      throw new IllegalArgumentException(
          what + " has an empty name or one longer than " + MAX_NAME + " characters");
    }
    if (name.startsWith("/") || DRIVE.matcher(name).matches()) {
      throw new IllegalArgumentException(
          what + " is an absolute path; bundle files lie inside the bundle");
    }
    if (name.indexOf('\\') >= 0 || name.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException(
          what + " has a backslash or a control character in its name");
    }
    for (String part : path.split("/", -1)) {
      if (part.isEmpty() || part.equals(".") || part.equals("..")) {
        throw new IllegalArgumentException(
            what
                + " has '"
                + part
                + "' as a path step: it leads outside the bundle "
                + "or is not a plain path");
      }
    }
  }
}
