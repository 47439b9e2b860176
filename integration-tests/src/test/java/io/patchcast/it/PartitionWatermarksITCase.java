package io.patchcast.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchcast.cli.demo.PipelineRun;
import io.patchcast.job.PatchcastJob;
import io.patchcast.job.config.SourceOptions;
import io.patchcast.job.source.MetricPointCodec;
import io.patchcast.job.source.RawRecord;
import io.patchcast.schema.MetricPoint;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The job's metrics input keeps one watermark per Kafka partition: reading two partitions in one
 * subtask, whichever the consumer fetches first, the watermark never passes the event time that
 * the partition behind has reached (a subtask-wide watermark follows the partition ahead, and the
 * other partition's points then arrive behind it, past their event-time timers).
 */
@Tag("slow")
class PartitionWatermarksITCase extends BrokerAndCluster {

    static final long STEP = Duration.ofMinutes(5).toMillis();
    static final int POINTS = 2000;

    @Test
    void theWatermarkNeverPassesThePartitionBehind() throws Exception {
        String topic = "watermarks.metrics";
        kafka.createTopic(topic, 2);
        long t0 = (System.currentTimeMillis() - Duration.ofDays(8).toMillis()) / STEP * STEP;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
            // a whole week of series a in partition 0, then the same week of series b in partition 1
            for (int partition = 0; partition < 2; partition++) {
                for (int i = 0; i < POINTS; i++) {
                    MetricPoint m = MetricPoint.newBuilder().setName("wm")
                            .setLabels(Map.of("series", partition == 0 ? "a" : "b"))
                            .setTimestamp(Instant.ofEpochMilli(t0 + i * STEP)).setValue((double) i).build();
                    producer.send(new ProducerRecord<>(topic, partition, null, MetricPointCodec.encode(m)));
                }
            }
            producer.flush();
        }

        Configuration conf = PipelineRun.boundedRun(new Configuration(), kafka.bootstrapServers());
        conf.set(SourceOptions.METRICS_TOPIC, topic);
        conf.set(SourceOptions.GROUP_ID, "it-watermarks");
        conf.set(PipelineOptions.AUTO_WATERMARK_INTERVAL, Duration.ofMillis(1)); // a watermark between most records
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1); // one subtask reads both partitions
        List<Tuple3<Integer, Long, Long>> seen = new ArrayList<>();
        try (CloseableIterator<Tuple3<Integer, Long, Long>> it = PatchcastJob
                .metricsInput(env, conf, kafka.bootstrapServers())
                .process(new WatermarkAtEachRecord())
                .executeAndCollect("partition-watermarks")) {
            it.forEachRemaining(seen::add);
        }

        assertThat(seen).hasSize(2 * POINTS);
        long lag = conf.get(SourceOptions.OUT_OF_ORDERNESS).toMillis() + 1; // bounded out-of-orderness
        long[] newest = {Long.MIN_VALUE, Long.MIN_VALUE};
        long highest = Long.MIN_VALUE;
        int switches = 0;
        for (int i = 0; i < seen.size(); i++) {
            Tuple3<Integer, Long, Long> s = seen.get(i);
            newest[s.f0] = Math.max(newest[s.f0], s.f1);
            long behind = Math.min(newest[0], newest[1]);
            long bound = behind == Long.MIN_VALUE ? Long.MIN_VALUE : behind - lag;
            assertThat(s.f2).as("watermark at record %d (partition %d, event time %d); newest per partition %d, %d",
                    i, s.f0, s.f1, newest[0], newest[1]).isLessThanOrEqualTo(bound);
            highest = Math.max(highest, s.f2);
            if (i > 0 && !s.f0.equals(seen.get(i - 1).f0)) {
                switches++;
            }
        }
        // it did advance while both partitions were read, so the bound above was a real constraint
        assertThat(highest).as("highest watermark seen; %d switches between partitions", switches)
                .isGreaterThan(t0);
    }

    /** (partition, event time, current watermark) of every record, as the next operator sees it. */
    static final class WatermarkAtEachRecord extends ProcessFunction<RawRecord, Tuple3<Integer, Long, Long>> {
        @Override
        public void processElement(RawRecord r, Context ctx, Collector<Tuple3<Integer, Long, Long>> out) {
            out.collect(Tuple3.of(r.partition(), r.eventTime(), ctx.timerService().currentWatermark()));
        }
    }
}
