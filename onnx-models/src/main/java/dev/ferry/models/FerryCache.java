package dev.ferry.models;

import java.nio.file.Path;

/**
 * Where Ferry keeps files it can always recreate: extracted built-in encoders, cached embeddings.
 *
 * <p>The root is the system property {@code ferry.cache.dir}, else the environment variable {@code
 * FERRY_CACHE_DIR}, else {@code $XDG_CACHE_HOME/ferry}, else {@code ~/.cache/ferry}. Deleting it is
 * always safe; it costs only the time to fill it again.
 */
public final class FerryCache {
  private FerryCache() {}

  /** The cache root (not created by this call). */
  public static Path root() {
    String prop = System.getProperty("ferry.cache.dir");
    if (prop != null && !prop.isBlank()) {
      return Path.of(prop);
    }
    String env = System.getenv("FERRY_CACHE_DIR");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("ferry");
  }
}
