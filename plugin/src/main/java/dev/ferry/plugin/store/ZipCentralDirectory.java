package dev.ferry.plugin.store;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.opensearch.core.common.bytes.BytesReference;

/**
 * The entries of a zip file held in memory, read from its central directory (where the zip format
 * keeps the authoritative names, sizes and file types), each checked against its local header.
 * Refuses what a bundle zip never needs and a hostile one might use: split or zip64 archives,
 * encryption, methods other than stored and deflated, local headers that disagree with the
 * directory, and entries whose data overlap or lie outside the file. Every refusal is an {@link
 * IllegalArgumentException} saying what was found.
 */
final class ZipCentralDirectory {
  private static final int EOCD = 0x06054b50;
  private static final int ZIP64_LOCATOR = 0x07064b50;
  private static final int CENTRAL = 0x02014b50;
  private static final int LOCAL = 0x04034b50;
  private static final int EOCD_SIZE = 22;
  private static final int CENTRAL_SIZE = 46;
  private static final int LOCAL_SIZE = 30;
  private static final int UNIX = 3;

  private ZipCentralDirectory() {}

  /**
   * One entry as the central directory describes it.
   *
   * @param name the entry's name, UTF-8
   * @param method 0 (stored) or 8 (deflated)
   * @param crc32 the CRC-32 of the uncompressed bytes
   * @param compressedSize bytes of data in the zip
   * @param size bytes once uncompressed, as declared
   * @param unixMode the Unix file mode from the external attributes (0 when the zip says none)
   * @param localOffset where the entry's local header starts in the zip
   * @param dataOffset where the entry's data starts in the zip
   */
  record Entry(
      String name,
      int method,
      long crc32,
      long compressedSize,
      long size,
      int unixMode,
      long localOffset,
      long dataOffset) {
    boolean isDirectory() {
      return name.endsWith("/") || (unixMode & 0xF000) == 0x4000;
    }
  }

  /** Reads and checks the entries of {@code zip}, at most {@code maxEntries} of them. */
  static List<Entry> read(BytesReference zip, int maxEntries) {
    int eocd = findEndOfDirectory(zip);
    if (eocd >= 20 && u32(zip, eocd - 20) == ZIP64_LOCATOR) {
      throw new IllegalArgumentException(
          "the zip is a zip64 archive; a bundle zip needs none (write it with "
              + "'ferry bundle zip')");
    }
    if (u16(zip, eocd + 4) != 0 || u16(zip, eocd + 6) != 0) {
      throw new IllegalArgumentException(
          "the zip is split over several files; send it as one file");
    }
    int count = u16(zip, eocd + 10);
    long directorySize = u32(zip, eocd + 12);
    long directoryOffset = u32(zip, eocd + 16);
    if (count != u16(zip, eocd + 8)
        || count == 0xFFFF
        || directorySize == 0xFFFFFFFFL
        || directoryOffset == 0xFFFFFFFFL) {
      throw new IllegalArgumentException(
          "the zip is a zip64 or split archive; a bundle zip needs neither");
    }
    if (count > maxEntries) {
      throw new IllegalArgumentException(
          "the zip has "
              + count
              + " entries; a bundle zip has a handful (at most "
              + maxEntries
              + ")");
    }
    if (directoryOffset + directorySize > eocd) {
      throw new IllegalArgumentException(
          "the zip's central directory lies outside the file: it is truncated " + "or damaged");
    }
    List<Entry> entries = new ArrayList<>(count);
    long at = directoryOffset;
    for (int i = 0; i < count; i++) {
      require(
          at + CENTRAL_SIZE <= eocd && u32(zip, at) == CENTRAL,
          "entry " + i + " of the central directory is damaged");
      int madeBy = u16(zip, at + 4) >>> 8;
      int flags = u16(zip, at + 8);
      int method = u16(zip, at + 10);
      long crc = u32(zip, at + 16);
      long compressed = u32(zip, at + 20);
      long size = u32(zip, at + 24);
      int nameLength = u16(zip, at + 28);
      int extraLength = u16(zip, at + 30);
      int commentLength = u16(zip, at + 32);
      long external = u32(zip, at + 38);
      long local = u32(zip, at + 42);
      require(
          at + CENTRAL_SIZE + nameLength <= eocd,
          "entry " + i + " of the central directory is damaged");
      String name = name(zip, at + CENTRAL_SIZE, nameLength);
      at += CENTRAL_SIZE + nameLength + extraLength + commentLength;
      if ((flags & 1) != 0) {
        throw new IllegalArgumentException(
            quote(name) + " is encrypted; a bundle zip holds plain files");
      }
      if (method != 0 && method != 8) {
        throw new IllegalArgumentException(
            quote(name)
                + " is compressed with method "
                + method
                + "; only stored (0) "
                + "and deflated (8) entries are read");
      }
      if (compressed == 0xFFFFFFFFL || size == 0xFFFFFFFFL || local == 0xFFFFFFFFL) {
        throw new IllegalArgumentException(
            quote(name) + " is a zip64 entry; a bundle zip needs none");
      }
      int mode = madeBy == UNIX ? (int) (external >>> 16) : 0;
      entries.add(
          new Entry(
              name,
              method,
              crc,
              compressed,
              size,
              mode,
              local,
              dataOffset(zip, name, local, compressed, directoryOffset)));
    }
    checkNoOverlap(entries);
    return entries;
  }

  private static int findEndOfDirectory(BytesReference zip) {
    int length = zip.length();
    int lowest = Math.max(0, length - EOCD_SIZE - 0xFFFF);
    for (int at = length - EOCD_SIZE; at >= lowest; at--) {
      if (u32(zip, at) == EOCD && at + EOCD_SIZE + u16(zip, at + 20) == length) {
        return at;
      }
    }
    throw new IllegalArgumentException(
        "the body is not a zip file (no end of central directory record): send the "
            + "zip that 'ferry bundle zip' writes, with curl --data-binary @FILE");
  }

  /** Where the entry's data starts, after checking its local header against the directory. */
  private static long dataOffset(
      BytesReference zip, String name, long local, long compressed, long length) {
    require(
        local + LOCAL_SIZE <= length && u32(zip, local) == LOCAL,
        quote(name) + ": its local header is missing or " + "damaged");
    int nameLength = u16(zip, local + 26);
    int extraLength = u16(zip, local + 28);
    require(
        local + LOCAL_SIZE + nameLength <= length
            && name(zip, local + LOCAL_SIZE, nameLength).equals(name),
        quote(name) + ": its local header names another file; the zip is damaged or crafted");
    long data = local + LOCAL_SIZE + nameLength + extraLength;
    require(
        data + compressed <= length,
        quote(name) + ": its data runs past the end of the zip's entries");
    return data;
  }

  /** Entries whose bytes overlap (a known way to build a zip bomb from one compressed block). */
  private static void checkNoOverlap(List<Entry> entries) {
    List<Entry> sorted = new ArrayList<>(entries);
    sorted.sort(java.util.Comparator.comparingLong(Entry::localOffset));
    for (int i = 1; i < sorted.size(); i++) {
      Entry before = sorted.get(i - 1);
      Entry next = sorted.get(i);
      if (before.dataOffset() + before.compressedSize() > next.localOffset()) {
        throw new IllegalArgumentException(
            quote(before.name())
                + " and "
                + quote(next.name())
                + " share bytes in the "
                + "zip; the zip is crafted (a zip bomb) or damaged");
      }
    }
  }

  private static String name(BytesReference zip, long at, int length) {
    byte[] bytes = BytesReference.toBytes(zip.slice((int) at, length));
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(
          "an entry's name is not UTF-8; bundle file names are plain ASCII", e);
    }
  }

  static String quote(String name) {
    return "entry '" + name.replaceAll("\\p{Cntrl}", "?") + "'";
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  private static int u16(BytesReference b, long at) {
    int i = (int) at;
    return (b.get(i) & 0xFF) | (b.get(i + 1) & 0xFF) << 8;
  }

  private static long u32(BytesReference b, long at) {
    int i = (int) at;
    return ((long) (b.get(i) & 0xFF)
            | (b.get(i + 1) & 0xFF) << 8
            | (b.get(i + 2) & 0xFF) << 16
            | (long) (b.get(i + 3) & 0xFF) << 24)
        & 0xFFFFFFFFL;
  }
}
