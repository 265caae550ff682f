package dev.ferry.plugin.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import org.opensearch.action.bulk.BulkRequest;
import org.opensearch.action.bulk.BulkResponse;
import org.opensearch.core.action.ActionListener;
import org.opensearch.transport.client.Client;

/**
 * Writes a bundle's files into {@value BundleIndex#NAME}, chunk by chunk, a few chunks per bulk
 * request and one request at a time, so that neither the heap nor the transport layer ever holds
 * more than a few chunks of it. Each answer is handed to the executor before the next chunks are
 * read, never handled on a network thread.
 */
final class ChunkWriter {
  /** Chunks per bulk request. */
  private static final int CHUNKS_PER_REQUEST = 4;

  private final Client client;
  private final Executor executor;

  ChunkWriter(Client client, Executor executor) {
    this.client = client;
    this.executor = executor;
  }

  /**
   * Writes every file of {@code bundle} from the folder {@code dir}; the listener hears when all
   * are written.
   */
  void write(StoredBundle bundle, Path dir, ActionListener<Void> listener) {
    new Run(bundle, dir, listener).next();
  }

  private final class Run {
    private final StoredBundle bundle;
    private final Path dir;
    private final ActionListener<Void> listener;
    private int file;
    private int seq;
    private InputStream in;

    Run(StoredBundle bundle, Path dir, ActionListener<Void> listener) {
      this.bundle = bundle;
      this.dir = dir;
      this.listener = listener;
    }

    void next() {
      BulkRequest bulk = new BulkRequest();
      try {
        while (bulk.numberOfActions() < CHUNKS_PER_REQUEST && file < bundle.files().size()) {
          StoredBundle.StoredFile f = bundle.files().get(file);
          if (in == null) {
            in = Files.newInputStream(dir.resolve(f.name()));
          }
          byte[] data = in.readNBytes(bundle.chunkSize());
          bulk.add(BundleIndex.chunk(bundle, file, seq, data, data.length));
          if (++seq == f.chunks()) {
            in.close();
            in = null;
            file++;
            seq = 0;
          }
        }
      } catch (IOException | RuntimeException e) {
        fail(e);
        return;
      }
      if (bulk.numberOfActions() == 0) {
        listener.onResponse(null);
        return;
      }
      BundleIndex.<BulkResponse>asPlugin(
          client,
          (c, l) -> c.bulk(bulk, l),
          ActionListener.wrap(
              response -> {
                if (response.hasFailures()) {
                  fail(
                      new IllegalStateException(
                          "storing bundle '"
                              + bundle.name()
                              + "' in "
                              + BundleIndex.NAME
                              + " failed: "
                              + response.buildFailureMessage()));
                } else {
                  executor.execute(this::next);
                }
              },
              this::fail));
    }

    private void fail(Exception e) {
      if (in != null) {
        try {
          in.close();
        } catch (IOException closing) {
          e.addSuppressed(closing);
        }
      }
      listener.onFailure(e);
    }
  }
}
