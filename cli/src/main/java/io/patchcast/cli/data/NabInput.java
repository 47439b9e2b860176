package io.patchcast.cli.data;

import io.patchcast.cli.demo.TopicIo.KeyValue;
import io.patchcast.job.source.MetricPointCodec;
import io.patchcast.job.source.SeriesKeys;
import io.patchcast.schema.MetricPoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** The {@code timestamp,value} CSV files of a folder as metric series: {@code nab{file="<name>"}}. */
public final class NabInput {

    public static final String METRIC = "nab";

    /** One file, its series key and content. {@code relative}: path relative to the data folder. */
    public record SeriesFile(String relative, String seriesKey, CsvSeries csv) {}

    private NabInput() {}

    /** Every {@code *.csv} under {@code dir}, recursively, sorted by path. */
    public static List<SeriesFile> read(Path dir) throws IOException {
        return read(dir, list(dir));
    }

    /** The paths, relative to {@code dir}, of every {@code *.csv} under it, recursively, sorted. */
    public static List<String> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + " is not a folder of timestamp,value CSV files");
        }
        List<Path> files = CsvFiles.under(dir);
        if (files.isEmpty()) {
            throw new IOException(dir + " holds no .csv file");
        }
        return files.stream().map(f -> dir.relativize(f).toString().replace('\\', '/')).toList();
    }

    /** The files of {@code dir} at the given relative paths (of {@link #list}), in that order; no other is read. */
    public static List<SeriesFile> read(Path dir, Collection<String> relativePaths) throws IOException {
        List<SeriesFile> out = new ArrayList<>();
        for (String rel : relativePaths) {
            out.add(new SeriesFile(rel, seriesKey(rel), CsvSeries.read(dir.resolve(rel))));
        }
        return out;
    }

    public static String seriesKey(String relative) {
        String name = relative.endsWith(".csv") ? relative.substring(0, relative.length() - 4) : relative;
        return SeriesKeys.of(METRIC, Map.of("file", name));
    }

    /** The rows of every file as encoded MetricPoints keyed by series, file after file. */
    public static List<KeyValue> records(List<SeriesFile> files) {
        List<KeyValue> out = new ArrayList<>();
        for (SeriesFile f : files) {
            String rel = f.relative();
            String name = rel.endsWith(".csv") ? rel.substring(0, rel.length() - 4) : rel;
            byte[] key = f.seriesKey().getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < f.csv().size(); i++) {
                MetricPoint p = MetricPoint.newBuilder().setName(METRIC).setLabels(Map.of("file", name))
                        .setTimestamp(Instant.ofEpochMilli(f.csv().timestamps()[i]))
                        .setValue(f.csv().values()[i]).build();
                out.add(new KeyValue(key, MetricPointCodec.encode(p)));
            }
        }
        return out;
    }
}
