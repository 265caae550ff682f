package dev.ferry.plugin.bundle;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A hold on a loaded bundle for the length of one batch or query: while any lease is open, the
 * bundle's encoder and head stay open even if the registry lets the bundle go (it was deleted, or
 * an alias was switched away from it). Closing the lease a second time does nothing.
 */
public final class BundleLease implements AutoCloseable {
  private final LoadedBundle bundle;
  private final AtomicBoolean closed = new AtomicBoolean();

  BundleLease(LoadedBundle bundle) {
    this.bundle = bundle;
  }

  /** The bundle, open until this lease is closed. */
  public LoadedBundle bundle() {
    return bundle;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      bundle.release();
    }
  }
}
