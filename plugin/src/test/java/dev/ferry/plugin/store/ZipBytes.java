package dev.ferry.plugin.store;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes zip files byte by byte, for tests that need what {@link java.util.zip.ZipOutputStream}
 * will not write: symbolic links and other Unix modes, names given twice, sizes that lie, encrypted
 * entries.
 */
final class ZipBytes {
  /** A regular file's Unix mode. */
  static final int FILE = 0100644;

  /** A symbolic link's Unix mode. */
  static final int LINK = 0120777;

  /**
   * One entry.
   *
   * @param declaredSize the uncompressed size the headers state (-1: the real one)
   * @param flags the general purpose flags (1: encrypted)
   */
  record Entry(String name, byte[] data, boolean deflate, int mode, long declaredSize, int flags) {}

  private final List<Entry> entries = new ArrayList<>();

  /** A deflated regular file. */
  ZipBytes add(String name, byte[] data) {
    return add(new Entry(name, data, true, FILE, -1, 0));
  }

  /** A deflated regular file. */
  ZipBytes add(String name, String text) {
    return add(name, text.getBytes(StandardCharsets.UTF_8));
  }

  ZipBytes add(Entry entry) {
    entries.add(entry);
    return this;
  }

  byte[] build() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream directory = new ByteArrayOutputStream();
    for (Entry e : entries) {
      byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
      byte[] data = e.deflate() ? deflate(e.data()) : e.data();
      CRC32 crc = new CRC32();
      crc.update(e.data());
      long size = e.declaredSize() >= 0 ? e.declaredSize() : e.data().length;
      int offset = out.size();
      out.writeBytes(
          header(0x04034b50, 30)
              .putShort((short) 20)
              .putShort((short) e.flags())
              .putShort((short) (e.deflate() ? 8 : 0))
              .putInt(0)
              .putInt((int) crc.getValue())
              .putInt(data.length)
              .putInt((int) size)
              .putShort((short) name.length)
              .putShort((short) 0)
              .array());
      out.writeBytes(name);
      out.writeBytes(data);
      directory.writeBytes(
          header(0x02014b50, 46)
              .putShort((short) (3 << 8 | 20))
              .putShort((short) 20)
              .putShort((short) e.flags())
              .putShort((short) (e.deflate() ? 8 : 0))
              .putInt(0)
              .putInt((int) crc.getValue())
              .putInt(data.length)
              .putInt((int) size)
              .putShort((short) name.length)
              .putShort((short) 0)
              .putShort((short) 0)
              .putShort((short) 0)
              .putShort((short) 0)
              .putInt(e.mode() << 16)
              .putInt(offset)
              .array());
      directory.writeBytes(name);
    }
    int start = out.size();
    out.writeBytes(directory.toByteArray());
    out.writeBytes(
        header(0x06054b50, 22)
            .putShort((short) 0)
            .putShort((short) 0)
            .putShort((short) entries.size())
            .putShort((short) entries.size())
            .putInt(directory.size())
            .putInt(start)
            .putShort((short) 0)
            .array());
    return out.toByteArray();
  }

  /** A little-endian buffer of {@code size} bytes starting with {@code signature}. */
  private static ByteBuffer header(int signature, int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN).putInt(signature);
  }

  private static byte[] deflate(byte[] data) {
    Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    deflater.setInput(data);
    deflater.finish();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    while (!deflater.finished()) {
      out.write(buffer, 0, deflater.deflate(buffer));
    }
    deflater.end();
    return out.toByteArray();
  }
}
