package dev.ferry.models.graph;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Direct, native-order buffers for a session's inputs, one kept per input name between runs and
 * grown as needed. ONNX Runtime reads a direct buffer in place, where a heap array would be copied
 * into a new direct buffer on every run, and direct buffers are freed only when the garbage
 * collector gets to them: on a large heap, gigabytes of them. A run takes the buffer of each input
 * and gives it back after; a run at the same time as another that holds it gets one of its own.
 */
final class DirectBuffers {
  private final ConcurrentHashMap<String, ByteBuffer> idle = new ConcurrentHashMap<>();

  /** A buffer for input {@code name} with exactly {@code bytes} remaining, from position 0. */
  ByteBuffer take(String name, int bytes) {
    ByteBuffer b = idle.remove(name);
    if (b == null || b.capacity() < bytes) {
      // A quarter to spare, so that inputs growing by a few tokens do not allocate every run.
      int capacity = (int) Math.min(Integer.MAX_VALUE, bytes + (long) bytes / 4);
      b = ByteBuffer.allocateDirect(capacity).order(ByteOrder.nativeOrder());
    }
    b.clear().limit(bytes);
    return b;
  }

  /**
   * Keeps {@code buffer} for the next run's input {@code name}; the larger one if two come back.
   */
  void giveBack(String name, ByteBuffer buffer) {
    idle.merge(name, buffer, (a, b) -> a.capacity() >= b.capacity() ? a : b);
  }

  /** Lets every kept buffer go. */
  void clear() {
    idle.clear();
  }
}
