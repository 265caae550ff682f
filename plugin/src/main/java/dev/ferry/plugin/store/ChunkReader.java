package dev.ferry.plugin.store;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.Executor;
import org.opensearch.action.get.GetRequest;
import org.opensearch.action.get.GetResponse;
import org.opensearch.core.action.ActionListener;
import org.opensearch.transport.client.Client;

/**
 * Reads a stored bundle's files back from {@value BundleIndex#NAME}, one chunk (one get by id) at a
 * time, checking each file's size and SHA-256 against what the upload recorded. Each chunk is
 * written on the executor, never on the network thread that received it.
 */
final class ChunkReader {
  private final Client client;
  private final Executor executor;

  ChunkReader(Client client, Executor executor) {
    this.client = client;
    this.executor = executor;
  }

  /** Writes every file of {@code bundle} into the empty folder {@code dir}. */
  void download(StoredBundle bundle, Path dir, ActionListener<Void> listener) {
    readFile(bundle, 0, dir, listener);
  }

  /** The bytes of the bundle's file {@code name} (small files only: the manifest). */
  void read(StoredBundle bundle, String name, ActionListener<byte[]> listener) {
    for (int f = 0; f < bundle.files().size(); f++) {
      if (bundle.files().get(f).name().equals(name)) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new Run(
                bundle,
                f,
                out,
                ActionListener.wrap(
                    v -> listener.onResponse(out.toByteArray()), listener::onFailure))
            .next();
        return;
      }
    }
    listener.onFailure(
        new IllegalArgumentException("bundle '" + bundle.name() + "' has no file '" + name + "'"));
  }

  /** Reads file {@code file} into {@code dir}, then the ones after it. */
  private void readFile(StoredBundle bundle, int file, Path dir, ActionListener<Void> listener) {
    if (file == bundle.files().size()) {
      listener.onResponse(null);
      return;
    }
    OutputStream out;
    try {
      Path target = dir.resolve(bundle.files().get(file).name());
      Files.createDirectories(target.getParent());
      out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW);
    } catch (IOException e) {
      listener.onFailure(e);
      return;
    }
    new Run(
            bundle,
            file,
            out,
            ActionListener.runBefore(
                ActionListener.wrap(
                    v -> readFile(bundle, file + 1, dir, listener), listener::onFailure),
                out::close))
        .next();
  }

  /** Reads one file, chunk by chunk, into {@code out}. */
  private final class Run {
    private final StoredBundle bundle;
    private final int file;
    private final OutputStream out;
    private final ActionListener<Void> listener;
    private final MessageDigest digest = sha256();
    private long size;
    private int seq;

    Run(StoredBundle bundle, int file, OutputStream out, ActionListener<Void> listener) {
      this.bundle = bundle;
      this.file = file;
      this.out = out;
      this.listener = listener;
    }

    void next() {
      StoredBundle.StoredFile f = bundle.files().get(file);
      if (seq == f.chunks()) {
        String sha = HexFormat.of().formatHex(digest.digest());
        if (size != f.size() || !sha.equals(f.sha256())) {
          listener.onFailure(
              new IllegalStateException(
                  "bundle '"
                      + bundle.name()
                      + "': "
                      + f.name()
                      + " as stored in "
                      + BundleIndex.NAME
                      + " has "
                      + size
                      + " bytes with SHA-256 "
                      + sha
                      + ", but the upload checked "
                      + f.size()
                      + " bytes with SHA-256 "
                      + f.sha256()
                      + "; the index was changed or damaged: delete the "
                      + "bundle and upload it again"));
        } else {
          listener.onResponse(null);
        }
        return;
      }
      String id = bundle.chunkId(file, seq);
      BundleIndex.<GetResponse>asPlugin(
          client,
          (c, l) -> c.get(new GetRequest(BundleIndex.NAME, id), l),
          ActionListener.wrap(
              chunk -> {
                if (!chunk.isExists()) {
                  listener.onFailure(
                      new IllegalStateException(
                          "bundle '"
                              + bundle.name()
                              + "': chunk "
                              + seq
                              + " of "
                              + f.name()
                              + " ("
                              + BundleIndex.NAME
                              + "/"
                              + id
                              + ") is missing; the index was changed or restored "
                              + "in part: delete the bundle and upload it again"));
                  return;
                }
                executor.execute(
                    () -> {
                      try {
                        byte[] data = BundleIndex.data(chunk);
                        out.write(data);
                        digest.update(data);
                        size += data.length;
                        seq++;
                      } catch (IOException | RuntimeException e) {
                        listener.onFailure(e);
                        return;
                      }
                      next();
                    });
              },
              listener::onFailure));
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }
}
