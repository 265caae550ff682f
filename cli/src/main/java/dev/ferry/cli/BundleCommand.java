package dev.ferry.cli;

import dev.ferry.models.bundle.BundleZip;
import dev.ferry.models.bundle.ModelBundle;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ferry bundle}: work with a model bundle as a whole. */
@Command(
    name = "bundle",
    mixinStandardHelpOptions = true,
    subcommands = BundleCommand.Zip.class,
    description = "Work with a model bundle as a whole (see `ferry bundle zip --help`).")
final class BundleCommand implements Runnable, HelpLayout.Examples {
  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public List<String> examples() {
    return List.of("ferry bundle zip tickets-bundle --out tickets-v1.zip");
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code ferry bundle zip}: a thin shell over {@link BundleZip#write(Path, Path)}. */
  @Command(
      name = "zip",
      mixinStandardHelpOptions = true,
      description = {
        "Write a bundle folder as one zip, the same bytes every time.",
        "It checks the folder (every file's SHA-256) and writes manifest.json, then"
            + " the files it lists, in a fixed order with fixed timestamps, so the same bundle"
            + " always gives the same bytes. The report is left out. This is what an OpenSearch"
            + " cluster with Ferry's plugin takes in PUT _plugins/ferry/bundles/NAME; plugin/README.md shows the curl command."
      })
  static final class Zip implements Callable<Integer>, HelpLayout.Examples {
    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public List<String> examples() {
      return List.of(
          "ferry bundle zip tickets-bundle",
          "ferry bundle zip tickets-bundle --out tickets-v1.zip --force");
    }

    @Parameters(
        index = "0",
        paramLabel = "DIR",
        description = "The bundle folder ('ferry train --out').")
    Path bundle;

    @Option(
        names = "--out",
        paramLabel = "FILE",
        description = "The zip to write. Default: DIR.zip beside DIR.")
    Path out;

    @Option(names = "--force", description = "Replace FILE if it exists.")
    boolean force;

    @Override
    public Integer call() throws IOException {
      Path folder = bundle.toAbsolutePath().normalize();
      Path target = out != null ? out : folder.resolveSibling(folder.getFileName() + ".zip");
      if (Files.isDirectory(target)) {
        throw new ParameterException(
            spec.commandLine(), "--out: " + target + " is a folder; name the zip file to write");
      }
      if (Files.exists(target) && !force) {
        throw new ParameterException(
            spec.commandLine(), "--out: " + target + " exists; add --force to replace it");
      }
      ModelBundle written = BundleZip.write(folder, target);
      PrintWriter stdout = spec.commandLine().getOut();
      stdout.printf(
          Locale.ROOT,
          "Wrote %s: %s, %,d bytes%n",
          target,
          String.join(", ", BundleZip.entries(written)),
          Files.size(target));
      stdout.flush();
      return 0;
    }
  }
}
