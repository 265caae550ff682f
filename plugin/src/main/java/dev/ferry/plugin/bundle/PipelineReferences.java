package dev.ferry.plugin.bundle;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.opensearch.cluster.ClusterState;
import org.opensearch.ingest.IngestMetadata;
import org.opensearch.ingest.PipelineConfiguration;

/**
 * Which bundle (or alias) names the ingest pipelines of a cluster state give to Ferry's processors
 * ({@code ferry_classify}, {@code ferry_relabel}): in their processors, and in the {@code
 * on_failure} processors of either, at any depth. What a delete of a bundle or an alias is checked
 * against.
 */
public final class PipelineReferences {
  /** The processors that name a bundle in their {@code bundle} option. */
  public static final Set<String> PROCESSORS = Set.of("ferry_classify", "ferry_relabel");

  private PipelineReferences() {}

  /** Each bundle or alias name a pipeline names, with the ids of the pipelines that name it. */
  public static Map<String, Set<String>> of(ClusterState state) {
    Map<String, Set<String>> names = new TreeMap<>();
    IngestMetadata ingest = state.metadata().custom(IngestMetadata.TYPE);
    if (ingest == null) {
      return names;
    }
    for (PipelineConfiguration pipeline : ingest.getPipelines().values()) {
      Map<String, Object> config = pipeline.getConfigAsMap();
      collect(config.get("processors"), pipeline.getId(), names);
      collect(config.get("on_failure"), pipeline.getId(), names);
    }
    return names;
  }

  private static void collect(Object processors, String pipeline, Map<String, Set<String>> names) {
    if (!(processors instanceof List<?> list)) {
      return;
    }
    for (Object processor : list) {
      if (!(processor instanceof Map<?, ?> typed)) {
        continue;
      }
      for (Map.Entry<?, ?> e : typed.entrySet()) {
        if (!(e.getValue() instanceof Map<?, ?> options)) {
          continue;
        }
        if (PROCESSORS.contains(String.valueOf(e.getKey()))
            && options.get("bundle") instanceof String bundle) {
          names.computeIfAbsent(bundle, b -> new TreeSet<>()).add(pipeline);
        }
        collect(options.get("on_failure"), pipeline, names);
      }
    }
  }
}
