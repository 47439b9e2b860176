package io.patchcast.job.sink;

import io.patchcast.job.alert.AlertEvent;
import io.patchcast.job.inference.ForecastResult;
import io.patchcast.job.score.ScoredPoint;
import io.patchcast.job.source.DeadLetterRecord;
import io.patchcast.models.api.QuantileGrid;
import io.patchcast.schema.AlertState;
import io.patchcast.schema.AlertTransition;
import io.patchcast.schema.AnomalyFlag;
import io.patchcast.schema.DeadLetter;
import io.patchcast.schema.Forecast;
import io.patchcast.schema.ForecastStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificRecord;

/** Internal records to the Avro records of the output topics (Avro stays at the Kafka edge). */
public final class AvroConversions {
    private AvroConversions() {}

    public static Forecast forecast(ForecastResult f) {
        int l = QuantileGrid.size();
        List<Double> levels = new ArrayList<>(l);
        for (int i = 0; i < l; i++) {
            levels.add(QuantileGrid.level(i));
        }
        List<List<Double>> q = new ArrayList<>(f.horizon());
        List<Double> mean = new ArrayList<>(f.horizon());
        for (int s = 0; s < f.horizon(); s++) {
            List<Double> row = new ArrayList<>(l);
            for (int i = 0; i < l; i++) {
                row.add((double) f.quantiles()[s * l + i]);
            }
            q.add(row);
            mean.add((double) f.mean()[s]);
        }
        return Forecast.newBuilder()
                .setSeriesKey(f.seriesKey())
                .setModel(f.model())
                .setModelVersion(f.modelVersion())
                .setStatus(ForecastStatus.valueOf(f.status().name()))
                .setIssueTime(Instant.ofEpochMilli(f.issueTime()))
                .setStart(Instant.ofEpochMilli(f.patchStart()))
                .setStepMillis(f.stepMillis())
                .setContextLength(f.contextLength())
                .setQuantileLevels(levels)
                .setQuantiles(q)
                .setMean(mean)
                .build();
    }

    public static AnomalyFlag anomaly(ScoredPoint p) {
        return AnomalyFlag.newBuilder()
                .setSeriesKey(p.seriesKey())
                .setTimestamp(Instant.ofEpochMilli(p.timestamp()))
                .setValue(p.value())
                .setExpected(p.warmup() ? null : p.expected())
                .setLower(p.warmup() ? null : p.lower())
                .setUpper(p.warmup() ? null : p.upper())
                .setLevel(p.level())
                .setScore(p.score())
                .setFlagged(p.flagged())
                .setWarmup(p.warmup())
                .setModel(p.model())
                .setModelVersion(p.modelVersion())
                .build();
    }

    public static AlertTransition alert(AlertEvent e) {
        return AlertTransition.newBuilder()
                .setSeriesKey(e.seriesKey())
                .setState(e.firing() ? AlertState.FIRING : AlertState.RESOLVED)
                .setTimestamp(Instant.ofEpochMilli(e.timestamp()))
                .setEpisodeStart(Instant.ofEpochMilli(e.episodeStart()))
                .setEpisodeEnd(e.episodeEnd() == null ? null : Instant.ofEpochMilli(e.episodeEnd()))
                .setPeakScore(e.peakScore())
                .setPoints(e.points())
                .setMerged(e.merged())
                .build();
    }

    /** Most bytes of the original record a dead letter carries (the whole record stays in its topic). */
    public static final int MAX_DEAD_LETTER_BYTES = 256 * 1024;
    /** Longest detail text of a dead letter. */
    public static final int MAX_DETAIL_CHARS = 8192;

    /**
     * A dead letter within the producer's default request size whatever the input, since a record
     * the sink cannot write would fail the job and replay the same input: the original bytes are
     * cut at {@link #MAX_DEAD_LETTER_BYTES} and the detail at {@link #MAX_DETAIL_CHARS}, saying so.
     */
    public static DeadLetter deadLetter(DeadLetterRecord d) {
        byte[] original = d.original();
        String detail = d.detail();
        if (detail.length() > MAX_DETAIL_CHARS) {
            detail = detail.substring(0, MAX_DETAIL_CHARS) + "... (detail cut at " + MAX_DETAIL_CHARS + " characters)";
        }
        if (original != null && original.length > MAX_DEAD_LETTER_BYTES) {
            detail += String.format(" [originalBytes holds the first %d of %d bytes; the whole record is at %s/%d/%d]",
                    MAX_DEAD_LETTER_BYTES, original.length, d.topic(), d.partition(), d.offset());
            original = java.util.Arrays.copyOf(original, MAX_DEAD_LETTER_BYTES);
        }
        return DeadLetter.newBuilder()
                .setOriginalBytes(original == null ? null : ByteBuffer.wrap(original))
                .setTopic(d.topic())
                .setPartition(d.partition())
                .setOffset(d.offset())
                .setReason(d.reason())
                .setDetail(detail)
                .setSeriesKey(d.seriesKey())
                .setProcessedAt(Instant.ofEpochMilli(d.processedAt()))
                .build();
    }

    /** Avro single-object encoding (header C3 01, schema fingerprint, binary body). */
    public static byte[] encode(SpecificRecord r) {
        try {
            ByteBuffer b = encoder(r).encode(r);
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends SpecificRecord> BinaryMessageEncoder<T> encoder(T r) {
        if (r instanceof Forecast) {
            return (BinaryMessageEncoder<T>) Forecast.getEncoder();
        } else if (r instanceof AnomalyFlag) {
            return (BinaryMessageEncoder<T>) AnomalyFlag.getEncoder();
        } else if (r instanceof AlertTransition) {
            return (BinaryMessageEncoder<T>) AlertTransition.getEncoder();
        } else if (r instanceof DeadLetter) {
            return (BinaryMessageEncoder<T>) DeadLetter.getEncoder();
        }
        throw new IllegalArgumentException("no encoder for " + r.getClass());
    }
}
