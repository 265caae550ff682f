package dev.ferry.plugin.bundle;

import dev.ferry.models.bundle.BundleLoadException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.opensearch.core.action.ActionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bundle loads under way on a node, one per bundle however many batches and queries wait for
 * it, each run on the {@code ferry_bundles} pool: a cluster bundle is fetched into the node's cache
 * (if it is not there), then opened; a config-folder bundle is opened. A failed load is remembered
 * for {@value #RETRY_AFTER_SECONDS} s, so a burst of batches gets its error at once instead of each
 * fetching the bundle again; a catalog change forgets it. Counts how often each bundle was fetched
 * and opened, for the node stats.
 */
final class BundleLoads {
  /** Seconds a failed load's error is given before the bundle is tried again. */
  static final int RETRY_AFTER_SECONDS = 10;

  private static final Logger LOG = LoggerFactory.getLogger(BundleLoads.class);

  private final BundleRegistry registry;
  private final Map<String, Load> loading = new HashMap<>();
  private final Map<String, Failure> failures = new HashMap<>();
  private final Map<String, Counts> counts = new ConcurrentHashMap<>();

  BundleLoads(BundleRegistry registry) {
    this.registry = registry;
  }

  private record Failure(Exception error, long at) {
    boolean recent() {
      return System.nanoTime() - at < TimeUnit.SECONDS.toNanos(RETRY_AFTER_SECONDS);
    }
  }

  /** How often a bundle was fetched and opened on this node. */
  static final class Counts {
    private final String name;
    private final String key;
    private final boolean fromCluster;
    private final AtomicLong downloads = new AtomicLong();
    private final AtomicLong opens = new AtomicLong();

    Counts(BundleTarget target) {
      this.name = target.name();
      this.key = target.stored() == null ? target.name() : target.stored().key();
      this.fromCluster = target.stored() != null;
    }

    String name() {
      return name;
    }

    String key() {
      return key;
    }

    boolean fromCluster() {
      return fromCluster;
    }

    long downloads() {
      return downloads.get();
    }

    long opens() {
      return opens.get();
    }

    void opened() {
      opens.incrementAndGet();
    }
  }

  /** The counts of {@code target}. */
  Counts counts(BundleTarget target) {
    return counts.computeIfAbsent(target.slot(), slot -> new Counts(target));
  }

  /** Calls {@code action} with each bundle's slot and counts. */
  void forEachCount(BiConsumer<String, Counts> action) {
    counts.forEach(action);
  }

  /** Forgets failed loads (the catalog changed: a bundle may have been stored again). */
  synchronized void forgetFailures() {
    failures.clear();
  }

  /**
   * Hands {@code listener} a lease on {@code target} once it is loaded, starting the load if none
   * is under way.
   */
  void join(BundleTarget target, ActionListener<BundleLease> listener) {
    Load start = null;
    Exception failed = null;
    BundleLease lease;
    synchronized (this) {
      lease = registry.leaseIfOpen(target);
      Failure failure = failures.get(target.slot());
      if (lease == null && failure != null && failure.recent()) {
        failed = failure.error();
      } else if (lease == null) {
        Load load = loading.get(target.slot());
        if (load == null) {
          load = new Load(target);
          loading.put(target.slot(), load);
          start = load;
        }
        load.waiters.add(listener);
      }
    }
    if (lease != null) {
      listener.onResponse(lease);
    } else if (failed != null) {
      listener.onFailure(failed);
    } else if (start != null) {
      try {
        registry.executor().execute(start::run);
      } catch (RejectedExecutionException e) {
        start.fail(e);
      }
    }
  }

  /** One bundle's load and the listeners waiting for it. */
  private final class Load {
    private final BundleTarget target;
    private final List<ActionListener<BundleLease>> waiters = new ArrayList<>();

    Load(BundleTarget target) {
      this.target = target;
    }

    void run() {
      if (target.stored() == null) {
        open();
        return;
      }
      try {
        registry
            .cluster()
            .fetch(
                target.stored(),
                ActionListener.wrap(
                    fetched -> {
                      if (fetched) {
                        counts(target).downloads.incrementAndGet();
                      }
                      registry.executor().execute(this::open);
                    },
                    this::fail));
      } catch (RuntimeException e) {
        fail(e);
      }
    }

    private void open() {
      LoadedBundle kept;
      try {
        kept = registry.keep(target, registry.openNow(target));
      } catch (RuntimeException e) {
        if (target.stored() != null && e instanceof BundleLoadException) {
          registry.cluster().discard(target.stored());
        }
        fail(e);
        return;
      }
      for (ActionListener<BundleLease> waiter : done()) {
        if (kept.retain()) {
          waiter.onResponse(new BundleLease(kept));
        } else {
          waiter.onFailure(
              new BundleLoadException(
                  "bundle '" + target.name() + "' was let go while it was loading"));
        }
      }
    }

    void fail(Exception e) {
      LOG.warn(
          "Cannot load bundle '{}' on this node (retried after {} s): {}",
          target.name(),
          RETRY_AFTER_SECONDS,
          e.toString());
      synchronized (BundleLoads.this) {
        failures.put(target.slot(), new Failure(e, System.nanoTime()));
      }
      for (ActionListener<BundleLease> waiter : done()) {
        waiter.onFailure(e);
      }
    }

    /** Ends this load: the listeners that waited for it. */
    private List<ActionListener<BundleLease>> done() {
      synchronized (BundleLoads.this) {
        loading.remove(target.slot());
        return List.copyOf(waiters);
      }
    }
  }
}
