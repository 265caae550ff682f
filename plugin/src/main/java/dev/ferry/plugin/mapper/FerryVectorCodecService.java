package dev.ferry.plugin.mapper;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.FilterCodec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.codecs.perfield.PerFieldKnnVectorsFormat;
import org.opensearch.common.settings.Settings;
import org.opensearch.index.codec.CodecService;
import org.opensearch.index.codec.CodecServiceConfig;
import org.opensearch.index.mapper.MapperService;

/**
 * The engine's codecs, with each {@code ferry_vector} field that sets {@code m} or {@code
 * ef_construction} written by an HNSW format built with them. Everything else is the codec the
 * index asked for ({@code index.codec}), unchanged.
 *
 * <p>Each wrapped codec keeps its delegate's name, so segments read back with the stock codec:
 * Lucene records per field which vector format wrote it, and the graph settings only matter while
 * writing (OpenSearch's own default codec works the same way).
 *
 * <p>OpenSearch lets one plugin replace an index's codec service. Ferry only does so where no other
 * plugin needs it ({@link #appliesTo}): not for a k-NN index ({@code index.knn: true}), nor for an
 * {@code index.codec} another plugin provides (such as {@code zstd}). There a {@code ferry_vector}
 * field builds its graph with Lucene's defaults, and a mapping that sets {@code m} or {@code
 * ef_construction} is refused, saying why.
 */
public final class FerryVectorCodecService extends CodecService {
  private static final Set<String> ENGINE_CODECS =
      Set.of(DEFAULT_CODEC, LZ4, BEST_COMPRESSION_CODEC, ZLIB, LUCENE_DEFAULT_CODEC);

  private final MapperService mapperService;
  private final Map<String, Codec> wrapped = new ConcurrentHashMap<>();

  /** The engine's codecs for one index, as {@link CodecService} makes them. */
  public FerryVectorCodecService(CodecServiceConfig config) {
    super(
        config.getMapperService(),
        config.getIndexSettings(),
        config.getLogger(),
        config.getAdditionalCodecs());
    this.mapperService = config.getMapperService();
  }

  /** Whether Ferry may serve the codecs of an index with these settings. */
  public static boolean appliesTo(Settings indexSettings) {
    return whyNot(indexSettings) == null;
  }

  /** Why Ferry does not serve this index's codecs, or null if it does. */
  static String whyNot(Settings indexSettings) {
    if (indexSettings.getAsBoolean("index.knn", false)) {
      return "index.knn is true, so the k-NN plugin's codec writes it";
    }
    String codec = indexSettings.get("index.codec", DEFAULT_CODEC);
    if (!ENGINE_CODECS.contains(codec) && !Codec.availableCodecs().contains(codec)) {
      return "index.codec is '" + codec + "', which another plugin provides";
    }
    return null;
  }

  @Override
  public Codec codec(String name) {
    Codec codec = super.codec(name);
    return mapperService == null
        ? codec
        : wrapped.computeIfAbsent(name, n -> new PerFieldHnswCodec(codec, mapperService));
  }

  /**
   * {@code delegate}, writing vectors of tuned {@code ferry_vector} fields with their own HNSW
   * settings.
   */
  private static final class PerFieldHnswCodec extends FilterCodec {
    private final KnnVectorsFormat vectors;

    PerFieldHnswCodec(Codec delegate, MapperService mapperService) {
      super(delegate.getName(), delegate);
      KnnVectorsFormat original = delegate.knnVectorsFormat();
      Map<FerryVectorFieldType.HnswGraph, KnnVectorsFormat> formats = new ConcurrentHashMap<>();
      this.vectors =
          new PerFieldKnnVectorsFormat() {
            @Override
            public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
              if (mapperService.fieldType(field) instanceof FerryVectorFieldType type
                  && type.graph() != null) {
                return formats.computeIfAbsent(
                    type.graph(), g -> new Lucene99HnswVectorsFormat(g.m(), g.efConstruction()));
              }
              return original instanceof PerFieldKnnVectorsFormat perField
                  ? perField.getKnnVectorsFormatForField(field)
                  : original;
            }
          };
    }

    @Override
    public KnnVectorsFormat knnVectorsFormat() {
      return vectors;
    }
  }
}
