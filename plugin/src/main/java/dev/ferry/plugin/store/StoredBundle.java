package dev.ferry.plugin.store;

import dev.ferry.models.bundle.ModelBundle;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.common.io.stream.Writeable;
import org.opensearch.core.xcontent.ToXContentFragment;
import org.opensearch.core.xcontent.XContentBuilder;

/**
 * A bundle stored in the cluster, as the {@link BundleCatalog} records it: what the upload checked
 * (every file's SHA-256, the manifest's own naming the whole) and where its bytes are (in {@value
 * BundleIndex#NAME}, one document per chunk of {@code chunkSize} bytes, under the upload's id). A
 * stored bundle never changes; a retrained one is stored under a new name.
 *
 * @param name the bundle's name
 * @param upload the id of the upload that stored it (its chunks' documents carry it)
 * @param manifestSha256 SHA-256 of its {@code manifest.json}
 * @param created when it was stored, milliseconds since the epoch
 * @param labels its labels
 * @param encoder its encoder's id
 * @param chunking how it reads documents, in words
 * @param chunkSize bytes per stored chunk
 * @param files its files: the manifest first, then the files the manifest lists
 */
public record StoredBundle(
    String name,
    String upload,
    String manifestSha256,
    long created,
    List<String> labels,
    String encoder,
    String chunking,
    int chunkSize,
    List<StoredFile> files)
    implements Writeable, ToXContentFragment {

  /**
   * One file of a stored bundle.
   *
   * @param name its name in the bundle
   * @param sha256 its SHA-256
   * @param size its bytes
   * @param chunks how many chunk documents hold it
   */
  public record StoredFile(String name, String sha256, long size, int chunks) {}

  /** Copies the lists. */
  public StoredBundle {
    labels = List.copyOf(labels);
    files = List.copyOf(files);
  }

  /** The record of {@code unpacked} (checked as {@code bundle}) stored by upload {@code upload}. */
  public static StoredBundle of(
      String name,
      String upload,
      long created,
      int chunkSize,
      UnpackedBundle unpacked,
      ModelBundle bundle) {
    List<StoredFile> files = new ArrayList<>();
    for (UnpackedBundle.File f : unpacked.files()) {
      int chunks = (int) Math.max(1, (f.size() + chunkSize - 1) / chunkSize);
      files.add(new StoredFile(f.name(), f.sha256(), f.size(), chunks));
    }
    return new StoredBundle(
        name,
        upload,
        unpacked.manifestSha256(),
        created,
        bundle.labels(),
        bundle.manifest().encoder().id(),
        bundle.chunking().toString(),
        chunkSize,
        files);
  }

  /**
   * What documents record as the bundle that labeled them: {@code NAME@} and the first 12 hex
   * digits of the manifest's SHA-256.
   */
  public String key() {
    return name + "@" + manifestSha256.substring(0, 12);
  }

  /** Bytes of all files. */
  public long size() {
    return files.stream().mapToLong(StoredFile::size).sum();
  }

  /** The id of the document holding chunk {@code seq} of file number {@code file}. */
  String chunkId(int file, int seq) {
    return name + ":" + upload + ":" + file + ":" + seq;
  }

  /** Every chunk document's id. */
  List<String> chunkIds() {
    List<String> ids = new ArrayList<>();
    for (int f = 0; f < files.size(); f++) {
      for (int s = 0; s < files.get(f).chunks(); s++) {
        ids.add(chunkId(f, s));
      }
    }
    return ids;
  }

  /** Reads what {@link #writeTo} wrote. */
  public static StoredBundle readFrom(StreamInput in) throws IOException {
    return new StoredBundle(
        in.readString(),
        in.readString(),
        in.readString(),
        in.readVLong(),
        in.readStringList(),
        in.readString(),
        in.readString(),
        in.readVInt(),
        in.readList(
            i -> new StoredFile(i.readString(), i.readString(), i.readVLong(), i.readVInt())));
  }

  @Override
  public void writeTo(StreamOutput out) throws IOException {
    out.writeString(name);
    out.writeString(upload);
    out.writeString(manifestSha256);
    out.writeVLong(created);
    out.writeStringCollection(labels);
    out.writeString(encoder);
    out.writeString(chunking);
    out.writeVInt(chunkSize);
    out.writeCollection(
        files,
        (o, f) -> {
          o.writeString(f.name());
          o.writeString(f.sha256());
          o.writeVLong(f.size());
          o.writeVInt(f.chunks());
        });
  }

  /** The fields (the caller opens the object, under the bundle's name). */
  @Override
  public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
    builder
        .field("labels", labels)
        .field("encoder", encoder)
        .field("chunking", chunking)
        .field("size", size())
        .field("created", Instant.ofEpochMilli(created).toString())
        .field("created_millis", created)
        .field("manifest_sha256", manifestSha256)
        .field("upload", upload)
        .field("chunk_size", chunkSize);
    builder.startArray("files");
    for (StoredFile f : files) {
      builder
          .startObject()
          .field("name", f.name())
          .field("sha256", f.sha256())
          .field("size", f.size())
          .field("chunks", f.chunks())
          .endObject();
    }
    return builder.endArray();
  }

  /** Reads what {@link #toXContent} wrote, as a map. */
  static StoredBundle fromMap(String name, Map<String, Object> m) {
    List<StoredFile> files = new ArrayList<>();
    for (Object o : (List<?>) m.get("files")) {
      Map<?, ?> f = (Map<?, ?>) o;
      files.add(
          new StoredFile(
              (String) f.get("name"),
              (String) f.get("sha256"),
              ((Number) f.get("size")).longValue(),
              ((Number) f.get("chunks")).intValue()));
    }
    List<String> labels = ((List<?>) m.get("labels")).stream().map(String::valueOf).toList();
    return new StoredBundle(
        name,
        (String) m.get("upload"),
        (String) m.get("manifest_sha256"),
        ((Number) m.get("created_millis")).longValue(),
        labels,
        (String) m.get("encoder"),
        (String) m.get("chunking"),
        ((Number) m.get("chunk_size")).intValue(),
        files);
  }
}
