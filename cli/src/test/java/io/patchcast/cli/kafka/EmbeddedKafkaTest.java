package io.patchcast.cli.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class EmbeddedKafkaTest {

    private static final String TOPIC = "embedded-kafka-test";
    private static final int PARTITIONS = 3;
    private static final int COMMITTED = 100;
    private static final int ABORTED = 10;

    @Test
    @Timeout(180)
    void readCommittedConsumerSeesOnlyCommittedTransactionalRecords() throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start();
        Path directory = kafka.directory();
        int brokerPort = kafka.brokerPort();
        int controllerPort = kafka.controllerPort();
        try {
            assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + brokerPort);
            assertThat(directory).isDirectory();

            kafka.createTopic(TOPIC, PARTITIONS);
            assertThatThrownBy(() -> kafka.createTopic(TOPIC, PARTITIONS))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already exists");

            try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig(kafka))) {
                producer.initTransactions();

                producer.beginTransaction();
                for (int i = 0; i < COMMITTED; i++) {
                    producer.send(new ProducerRecord<>(TOPIC, "key-" + i, "committed-" + i));
                }
                producer.commitTransaction();

                producer.beginTransaction();
                for (int i = 0; i < ABORTED; i++) {
                    producer.send(new ProducerRecord<>(TOPIC, "key-" + i, "aborted-" + i));
                }
                producer.flush(); // the aborted records really reach the log before the abort marker
                producer.abortTransaction();
            }

            List<ConsumerRecord<String, String>> received = consumeAllCommitted(kafka, Duration.ofSeconds(60));

            Set<String> expected = IntStream.range(0, COMMITTED).mapToObj(i -> "committed-" + i)
                    .collect(Collectors.toSet());
            assertThat(received).hasSize(COMMITTED);
            assertThat(received).extracting(ConsumerRecord::value).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(received).extracting(ConsumerRecord::partition).containsOnly(0, 1, 2);
        } finally {
            kafka.close();
        }

        assertThat(directory).doesNotExist();
        assertThat(canBind(brokerPort)).as("broker port %d released", brokerPort).isTrue();
        assertThat(canBind(controllerPort)).as("controller port %d released", controllerPort).isTrue();

        kafka.close(); // idempotent
        assertThatThrownBy(() -> kafka.createTopic("after-close", 1)).isInstanceOf(IllegalStateException.class);
    }

    /**
     * Reads every partition from the start until the consumer's position has reached the last
     * stable offset of each (so the aborted batch and both transaction markers are behind it), or
     * fails at the deadline.
     */
    private static List<ConsumerRecord<String, String>> consumeAllCommitted(EmbeddedKafka kafka, Duration timeout) {
        List<TopicPartition> partitions = IntStream.range(0, PARTITIONS)
                .mapToObj(p -> new TopicPartition(TOPIC, p)).toList();
        List<ConsumerRecord<String, String>> received = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig(kafka))) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            // read_committed: the end offsets are the last stable offsets
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            assertThat(ends.values().stream().mapToLong(Long::longValue).sum())
                    .as("log end offsets include the aborted records and two markers per partition written to")
                    .isGreaterThan(COMMITTED + ABORTED);

            long deadline = System.nanoTime() + timeout.toNanos();
            while (!reached(consumer, ends)) {
                assertThat(System.nanoTime()).as("consumed %d records before the deadline", received.size())
                        .isLessThan(deadline);
                consumer.poll(Duration.ofMillis(200)).forEach(received::add);
            }
            // group offsets go to __consumer_offsets (replication factor 1 on this single node)
            consumer.commitSync(Duration.ofSeconds(30));
            assertThat(consumer.committed(Set.copyOf(partitions), Duration.ofSeconds(30)))
                    .allSatisfy((tp, offset) -> assertThat(offset.offset()).isEqualTo(ends.get(tp)));
        }
        return received;
    }

    private static boolean reached(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> ends) {
        return ends.entrySet().stream()
                .allMatch(e -> consumer.position(e.getKey(), Duration.ofSeconds(10)) >= e.getValue());
    }

    private static Map<String, Object> producerConfig(EmbeddedKafka kafka) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "embedded-kafka-test-tx");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        return config;
    }

    private static Map<String, Object> consumerConfig(EmbeddedKafka kafka) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "embedded-kafka-test");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        return config;
    }

    private static boolean canBind(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
