package io.patchcast.cli.demo;

import io.patchcast.cli.kafka.EmbeddedKafka;
import io.patchcast.job.PatchcastJob;
import io.patchcast.job.config.SinkOptions;
import io.patchcast.job.config.SourceOptions;
import io.patchcast.job.source.Point;
import io.patchcast.schema.AlertTransition;
import io.patchcast.schema.AnomalyFlag;
import io.patchcast.schema.DeadLetter;
import io.patchcast.schema.Forecast;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * One run of the real job on a Flink MiniCluster against a Kafka broker: create the topics, produce
 * the input, run the job over it (bounded), read every output topic with read_committed.
 */
public final class PipelineRun {

    /** Everything the job wrote, decoded from the output topics. */
    public record Outputs(List<Forecast> forecasts, List<AnomalyFlag> anomalies, List<AlertTransition> alerts,
            List<DeadLetter> deadLetters) {}

    public static final int INPUT_PARTITIONS = 4;
    private static final Duration READ_TIMEOUT = Duration.ofMinutes(2);

    private PipelineRun() {}

    /** Creates the job's topics (input with {@link #INPUT_PARTITIONS} partitions). */
    public static void createTopics(EmbeddedKafka kafka, Configuration conf) {
        kafka.createTopic(conf.get(SourceOptions.METRICS_TOPIC), INPUT_PARTITIONS);
        kafka.createTopic(conf.get(SinkOptions.FORECASTS_TOPIC), 2);
        kafka.createTopic(conf.get(SinkOptions.ANOMALIES_TOPIC), 2);
        kafka.createTopic(conf.get(SinkOptions.ALERTS_TOPIC), 1);
        kafka.createTopic(conf.get(SinkOptions.DEAD_LETTER_TOPIC), 1);
    }

    /** The options a bounded run over what is in the input topic needs, on top of {@code base}. */
    public static Configuration boundedRun(Configuration base, String bootstrap) {
        Configuration conf = new Configuration(base);
        conf.set(SourceOptions.BOOTSTRAP_SERVERS, bootstrap);
        conf.set(SourceOptions.BOUNDED, true);
        conf.set(SourceOptions.STARTING_OFFSETS, "earliest");
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        return conf;
    }

    /** Runs the job on a local MiniCluster until the bounded input is consumed. */
    public static void runJob(Configuration conf, int parallelism, UnaryOperator<DataStream<Point>> afterDecode)
            throws Exception {
        runJob(StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf), conf, afterDecode);
    }

    /** Runs the job in {@code env} (e.g. a test's shared MiniCluster) until the bounded input is consumed. */
    public static void runJob(StreamExecutionEnvironment env, Configuration conf,
            UnaryOperator<DataStream<Point>> afterDecode) throws Exception {
        PatchcastJob.build(env, conf, afterDecode);
        env.execute("patchcast");
    }

    public static Outputs readOutputs(String bootstrap, Configuration conf) {
        return new Outputs(
                TopicIo.readAll(bootstrap, conf.get(SinkOptions.FORECASTS_TOPIC), r -> decode(() -> Forecast.fromByteBuffer(java.nio.ByteBuffer.wrap(r.value()))), READ_TIMEOUT),
                TopicIo.readAll(bootstrap, conf.get(SinkOptions.ANOMALIES_TOPIC), r -> decode(() -> AnomalyFlag.fromByteBuffer(java.nio.ByteBuffer.wrap(r.value()))), READ_TIMEOUT),
                TopicIo.readAll(bootstrap, conf.get(SinkOptions.ALERTS_TOPIC), r -> decode(() -> AlertTransition.fromByteBuffer(java.nio.ByteBuffer.wrap(r.value()))), READ_TIMEOUT),
                TopicIo.readAll(bootstrap, conf.get(SinkOptions.DEAD_LETTER_TOPIC), r -> decode(() -> DeadLetter.fromByteBuffer(java.nio.ByteBuffer.wrap(r.value()))), READ_TIMEOUT));
    }

    private interface Decoder<T> {
        T decode() throws IOException;
    }

    private static <T> T decode(Decoder<T> d) {
        try {
            return d.decode();
        } catch (IOException e) {
            throw new UncheckedIOException("output record is not valid Avro of its topic's schema", e);
        }
    }
}
