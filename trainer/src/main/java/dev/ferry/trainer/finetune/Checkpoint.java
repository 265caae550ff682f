package dev.ferry.trainer.finetune;

import dev.ferry.models.graph.ElementType;
import dev.ferry.models.graph.HostTensor;
import dev.ferry.trainer.EpochMetrics;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The state of fine-tuning after an epoch: parameters and AdamW moments, the best epoch's
 * parameters, the losses and curves so far. Saved as {@code epoch-N/checkpoint.bin} in the
 * checkpoint folder (written beside it first and moved into place, so a crash never leaves half of
 * one; older epochs are deleted once the new one is in place). The fingerprint ties it to the
 * encoder file, the settings and the data, so a run never resumes from another run's state.
 */
record Checkpoint(
    String fingerprint,
    int epoch,
    int step,
    boolean stopped,
    int bestEpoch,
    double bestF1,
    double bestLoss,
    List<Double> stepLosses,
    List<EpochMetrics> history,
    Map<String, HostTensor> state,
    Map<String, HostTensor> best) {
  static final String FILE = "checkpoint.bin";
  private static final String MAGIC = "ferry-finetune-checkpoint";
  private static final int VERSION = 1;
  private static final String PREFIX = "epoch-";

  /** SHA-256 over the encoder's hash, the settings and every example. */
  static String fingerprint(
      String encoderSha256,
      FineTuneSettings settings,
      FineTuneExamples train,
      FineTuneExamples valid) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      update(d, encoderSha256);
      update(d, settings.toString());
      for (FineTuneExamples e : valid == null ? List.of(train) : List.of(train, valid)) {
        update(
            d, "examples " + e.size() + " documents " + java.util.Arrays.toString(e.documents()));
        for (int i = 0; i < e.size(); i++) {
          update(d, e.labels()[i] + "\t" + e.texts().get(i));
        }
      }
      return HexFormat.of().formatHex(d.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void update(MessageDigest d, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    d.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
    d.update(bytes);
  }

  /** Saves {@code c} as the folder's last checkpoint. */
  static void write(Path directory, Checkpoint c) {
    try {
      Files.createDirectories(directory);
      Path target = directory.resolve(PREFIX + c.epoch());
      Path temp = Files.createTempDirectory(directory, "." + PREFIX + c.epoch() + ".writing-");
      try (DataOutputStream out =
          new DataOutputStream(
              new BufferedOutputStream(Files.newOutputStream(temp.resolve(FILE)), 1 << 16))) {
        out.writeUTF(MAGIC);
        out.writeInt(VERSION);
        out.writeUTF(c.fingerprint);
        out.writeInt(c.epoch);
        out.writeInt(c.step);
        out.writeBoolean(c.stopped);
        out.writeInt(c.bestEpoch);
        out.writeDouble(c.bestF1);
        out.writeDouble(c.bestLoss);
        out.writeInt(c.stepLosses.size());
        for (double v : c.stepLosses) {
          out.writeDouble(v);
        }
        out.writeInt(c.history.size());
        for (EpochMetrics m : c.history) {
          out.writeInt(m.epoch());
          for (double v :
              new double[] {
                m.trainLoss(), m.trainAccuracy(), m.validLoss(), m.validAccuracy(), m.validMacroF1()
              }) {
            out.writeDouble(v);
          }
        }
        writeTensors(out, c.state);
        writeTensors(out, c.best);
      }
      deleteRecursively(target);
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      for (Path old : epochs(directory)) {
        if (!old.equals(target)) {
          deleteRecursively(old);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write a fine-tuning checkpoint into " + directory + ": " + e.getMessage(), e);
    }
  }

  /**
   * The folder's last checkpoint, or null if it has none.
   *
   * @throws IllegalStateException if it was made by another run (other encoder, settings or data)
   */
  static Checkpoint readLast(Path directory, String fingerprint) {
    try {
      List<Path> epochs = epochs(directory);
      if (epochs.isEmpty()) {
        return null;
      }
      Path file = epochs.get(epochs.size() - 1).resolve(FILE);
      try (DataInputStream in =
          new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
        String magic = in.readUTF();
        int version = in.readInt();
        if (!MAGIC.equals(magic) || version != VERSION) {
          throw new IllegalStateException(
              file
                  + ": not a version "
                  + VERSION
                  + " fine-tuning checkpoint (found '"
                  + magic
                  + "' version "
                  + version
                  + ")");
        }
        String found = in.readUTF();
        if (!found.equals(fingerprint)) {
          throw new IllegalStateException(
              file
                  + ": was saved by a run with another encoder, other settings or"
                  + " other data (fingerprint "
                  + found
                  + ", this run's "
                  + fingerprint
                  + "); remove "
                  + directory
                  + " or train without resuming");
        }
        int epoch = in.readInt();
        int step = in.readInt();
        boolean stopped = in.readBoolean();
        int bestEpoch = in.readInt();
        double bestF1 = in.readDouble();
        double bestLoss = in.readDouble();
        List<Double> losses = new ArrayList<>();
        for (int i = in.readInt(); i > 0; i--) {
          losses.add(in.readDouble());
        }
        List<EpochMetrics> history = new ArrayList<>();
        for (int i = in.readInt(); i > 0; i--) {
          history.add(
              new EpochMetrics(
                  in.readInt(),
                  in.readDouble(),
                  in.readDouble(),
                  in.readDouble(),
                  in.readDouble(),
                  in.readDouble()));
        }
        return new Checkpoint(
            found,
            epoch,
            step,
            stopped,
            bestEpoch,
            bestF1,
            bestLoss,
            losses,
            history,
            readTensors(in),
            readTensors(in));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read the fine-tuning checkpoint in " + directory + ": " + e.getMessage(), e);
    }
  }

  /** Removes every checkpoint in the folder, and the folder if that leaves it empty. */
  static void deleteAll(Path directory) {
    try {
      for (Path p : epochs(directory)) {
        deleteRecursively(p);
      }
      if (Files.isDirectory(directory)) {
        try (Stream<Path> s = Files.list(directory)) {
          if (s.findAny().isEmpty()) {
            Files.delete(directory);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove the checkpoints in " + directory, e);
    }
  }

  private static List<Path> epochs(Path directory) throws IOException {
    if (!Files.isDirectory(directory)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(directory)) {
      return s.filter(
              p ->
                  p.getFileName().toString().matches(PREFIX + "\\d+")
                      && Files.isRegularFile(p.resolve(FILE)))
          .sorted(
              Comparator.comparingInt(
                  p -> Integer.parseInt(p.getFileName().toString().substring(PREFIX.length()))))
          .toList();
    }
  }

  private static void writeTensors(DataOutputStream out, Map<String, HostTensor> tensors)
      throws IOException {
    out.writeInt(tensors.size());
    for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
      HostTensor t = e.getValue();
      if (t.type() != ElementType.FLOAT) {
        throw new IllegalArgumentException(
            e.getKey() + ": checkpoints hold float tensors, found " + t.type());
      }
      out.writeUTF(e.getKey());
      out.writeInt(t.shape().length);
      for (long d : t.shape()) {
        out.writeLong(d);
      }
      float[] values = t.floats();
      out.writeInt(values.length);
      ByteBuffer bytes =
          ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
      bytes.asFloatBuffer().put(values);
      out.write(bytes.array());
    }
  }

  private static Map<String, HostTensor> readTensors(DataInputStream in) throws IOException {
    Map<String, HostTensor> out = new LinkedHashMap<>();
    for (int i = in.readInt(); i > 0; i--) {
      String name = in.readUTF();
      long[] shape = new long[in.readInt()];
      for (int k = 0; k < shape.length; k++) {
        shape[k] = in.readLong();
      }
      byte[] bytes = new byte[in.readInt() * Float.BYTES];
      in.readFully(bytes);
      float[] values = new float[bytes.length / Float.BYTES];
      ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
      out.put(name, HostTensor.of(values, shape));
    }
    return out;
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
