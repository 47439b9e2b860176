package io.patchcast.cli.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real, single-node Apache Kafka 3.9 broker in KRaft mode (one process acting as both broker and
 * controller, {@code process.roles=broker,controller}), started inside the current JVM.
 *
 * <p><b>Why in-process.</b> There is no Docker (and so no Testcontainers) where patchcast is built
 * and demonstrated, yet the tests and the demo must talk to a real broker: Flink's exactly-once
 * {@code KafkaSink} relies on Kafka transactions, and {@code read_committed} consumers on the
 * transaction markers a real broker writes, which no mock reproduces. So this class runs the actual
 * broker code from the {@code kafka_2.13}/{@code kafka-server}/{@code kafka-metadata} artifacts:
 * no ZooKeeper, no test-jars, no external process.
 *
 * <p>{@link #start()} formats a fresh temporary log directory with a random cluster id (what
 * {@code kafka-storage.sh format} does, through {@link Formatter}, which never exits the JVM),
 * picks two free ports on 127.0.0.1 (the {@code PLAINTEXT} and the {@code CONTROLLER} listener;
 * nothing binds any other address), starts {@link KafkaRaftServer} and returns once an admin client
 * gets an answer to {@code describeCluster}. The broker is configured for one node with
 * transactions: every internal topic has replication factor 1 and min ISR 1, consumer groups start
 * rebalancing at once, topics are never auto-created and transactions may last up to 15 minutes
 * ({@code transaction.max.timeout.ms=900000}, Flink's default transaction timeout is 1 hour, so
 * sinks must lower theirs to at most this).
 *
 * <p>{@link #close()} shuts the server down, waits for it and deletes the directory; it may be
 * called more than once. Instances are thread-safe.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
 *     kafka.createTopic("metrics", 3);
 *     String bootstrap = kafka.bootstrapServers(); // e.g. 127.0.0.1:41234
 * }
 * }</pre>
 *
 * <p>Caveat inherited from Kafka: a fatal fault inside the broker (e.g. a corrupt metadata log)
 * makes Kafka halt the JVM, as the standalone broker would.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    /** The only address anything here binds to or advertises. */
    private static final String HOST = "127.0.0.1";

    private static final int NODE_ID = 1;
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration OPERATION_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
    /** Attempts at binding freshly picked ports, in case another process takes one in between. */
    private static final int BIND_ATTEMPTS = 3;

    private final KafkaRaftServer server;
    private final Admin admin;
    private final Path directory;
    private final String clusterId;
    private final int brokerPort;
    private final int controllerPort;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedKafka(KafkaRaftServer server, Admin admin, Path directory, String clusterId,
                          int brokerPort, int controllerPort) {
        this.server = server;
        this.admin = admin;
        this.directory = directory;
        this.clusterId = clusterId;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
    }

    /** Starts a broker with the default single-node configuration; see the class comment. */
    public static EmbeddedKafka start() {
        return start(Map.of());
    }

    /**
     * Starts a broker whose configuration is the default one overridden by {@code brokerOverrides}
     * (broker property names, e.g. {@code log.retention.ms}). The listener, node and directory
     * settings cannot be overridden.
     */
    public static EmbeddedKafka start(Map<String, String> brokerOverrides) {
        Objects.requireNonNull(brokerOverrides, "brokerOverrides");
        RuntimeException last = null;
        for (int attempt = 1; attempt <= BIND_ATTEMPTS; attempt++) {
            try {
                return startOnce(brokerOverrides);
            } catch (PortsTakenException e) {
                last = e;
                LOG.warn("Embedded Kafka could not bind its ports (attempt {} of {}), retrying with new ones",
                        attempt, BIND_ATTEMPTS, e.getCause());
            }
        }
        throw last;
    }

    private static EmbeddedKafka startOnce(Map<String, String> brokerOverrides) {
        long startNanos = System.nanoTime();
        Path directory;
        try {
            directory = Files.createTempDirectory("patchcast-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory for Kafka", e);
        }
        KafkaRaftServer server = null;
        Admin admin = null;
        try {
            int brokerPort = freeLoopbackPort();
            int controllerPort = freeLoopbackPort();
            while (controllerPort == brokerPort) {
                controllerPort = freeLoopbackPort();
            }
            Path logDir = Files.createDirectory(directory.resolve("log"));
            String clusterId = Uuid.randomUuid().toString();
            KafkaConfig config = new KafkaConfig(
                    brokerConfig(brokerOverrides, logDir, brokerPort, controllerPort), false);

            format(config, logDir, clusterId);

            LOG.info("Starting embedded Kafka (KRaft, cluster {}) on {}:{} (controller {}:{}), log dir {}",
                    clusterId, HOST, brokerPort, HOST, controllerPort, logDir);
            server = new KafkaRaftServer(config, Time.SYSTEM);
            try {
                server.startup();
            } catch (RuntimeException e) {
                if (isBindFailure(e)) {
                    throw new PortsTakenException(e);
                }
                throw e;
            }

            String bootstrap = HOST + ":" + brokerPort;
            admin = Admin.create(adminConfig(bootstrap));
            awaitBroker(admin, bootstrap);
            LOG.info("Embedded Kafka is up at {} after {} ms", bootstrap,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
            return new EmbeddedKafka(server, admin, directory, clusterId, brokerPort, controllerPort);
        } catch (Exception e) {
            LOG.warn("Embedded Kafka failed to start, cleaning up {}", directory);
            if (admin != null) {
                closeQuietly(admin);
            }
            if (server != null) {
                stopServer(server);
            }
            deleteRecursively(directory);
            if (e instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException("embedded Kafka failed to start", e);
        }
    }

    /** {@code host:port} of the PLAINTEXT listener, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return HOST + ":" + brokerPort;
    }

    /** The port of the PLAINTEXT (client) listener on 127.0.0.1. */
    public int brokerPort() {
        return brokerPort;
    }

    /** The port of the KRaft CONTROLLER listener on 127.0.0.1. */
    public int controllerPort() {
        return controllerPort;
    }

    /** The temporary directory holding the broker's data; deleted by {@link #close()}. */
    public Path directory() {
        return directory;
    }

    /** The random cluster id the log directory was formatted with. */
    public String clusterId() {
        return clusterId;
    }

    /**
     * Creates a topic with replication factor 1 and returns once every partition has a leader the
     * broker serves.
     *
     * @throws IllegalStateException if the topic exists already, or on timeout or broker error
     */
    public void createTopic(String name, int partitions) {
        Objects.requireNonNull(name, "name");
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1: " + partitions);
        }
        ensureOpen();
        long deadline = System.nanoTime() + OPERATION_TIMEOUT.toNanos();
        try {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
                    .all().get(OPERATION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            awaitLeaders(name, partitions, deadline);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                throw new IllegalStateException("topic already exists: " + name, e.getCause());
            }
            throw new IllegalStateException("cannot create topic " + name, e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("timed out creating topic " + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted creating topic " + name, e);
        }
        LOG.info("Created topic {} with {} partition(s)", name, partitions);
    }

    /** Shuts the broker down, waits for it to stop and deletes its directory. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        LOG.info("Stopping embedded Kafka at {}", bootstrapServers());
        long startNanos = System.nanoTime();
        closeQuietly(admin);
        stopServer(server);
        deleteRecursively(directory);
        LOG.info("Embedded Kafka at {} stopped after {} ms, {} deleted", bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos), directory);
    }

    // ---------------------------------------------------------------------------------------------

    private static Map<String, Object> brokerConfig(Map<String, String> overrides, Path logDir,
                                                    int brokerPort, int controllerPort) {
        Map<String, Object> props = new HashMap<>();
        // Threads and memory: one node on a small machine.
        props.put("num.network.threads", "2");
        props.put("num.io.threads", "2");
        props.put("background.threads", "2");
        props.put("num.recovery.threads.per.data.dir", "1");
        props.put("num.replica.fetchers", "1");
        props.put("log.cleaner.threads", "1");
        props.put("log.cleaner.dedupe.buffer.size", Integer.toString(2 * 1024 * 1024));
        // Small segments and indexes: short-lived data in a temporary directory.
        props.put("log.segment.bytes", Integer.toString(16 * 1024 * 1024));
        props.put("log.index.size.max.bytes", Integer.toString(1024 * 1024));
        // Single node with transactions (Flink's exactly-once KafkaSink).
        props.put("num.partitions", "1");
        props.put("default.replication.factor", "1");
        props.put("min.insync.replicas", "1");
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "5");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "5");
        props.put("transaction.max.timeout.ms", "900000");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("auto.create.topics.enable", "false");
        props.put("delete.topic.enable", "true");
        props.putAll(overrides);

        // Identity, listeners and directories: fixed, whatever the overrides say.
        String controllerAddress = HOST + ":" + controllerPort;
        props.put("process.roles", "broker,controller");
        props.put("node.id", Integer.toString(NODE_ID));
        props.put("controller.quorum.voters", NODE_ID + "@" + controllerAddress);
        props.put("controller.listener.names", CONTROLLER_LISTENER);
        props.put("listeners", "PLAINTEXT://" + HOST + ":" + brokerPort
                + "," + CONTROLLER_LISTENER + "://" + controllerAddress);
        props.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + brokerPort);
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("log.dirs", logDir.toString());
        props.put("metadata.log.dir", logDir.toString());
        return props;
    }

    /** What {@code kafka-storage.sh format} does, without its {@code System.exit}. */
    private static void format(KafkaConfig config, Path logDir, String clusterId) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            new Formatter()
                    .setPrintStream(print)
                    .setNodeId(config.nodeId())
                    .setClusterId(clusterId)
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setMetadataLogDirectory(logDir.toString())
                    .addDirectory(logDir.toString())
                    .run();
        }
        String report = out.toString(StandardCharsets.UTF_8).strip();
        LOG.info("Formatted {} for cluster {}{}", logDir, clusterId, report.isEmpty() ? "" : ": " + report);
    }

    private static Map<String, Object> adminConfig(String bootstrap) {
        Map<String, Object> config = new HashMap<>();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "patchcast-embedded-kafka-admin");
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) OPERATION_TIMEOUT.toMillis());
        return config;
    }

    /** Polls {@code describeCluster} until the broker answers with itself, or fails at the deadline. */
    private static void awaitBroker(Admin admin, String bootstrap) throws InterruptedException {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            int timeoutMs = (int) Math.max(1, Math.min(5_000, remainingMillis(deadline)));
            try {
                Collection<Node> nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMs))
                        .nodes().get(timeoutMs, TimeUnit.MILLISECONDS);
                if (nodes.stream().anyMatch(n -> n.id() == NODE_ID)) {
                    return;
                }
                last = new IllegalStateException("broker not yet registered, nodes: " + nodes);
            } catch (ExecutionException | TimeoutException e) {
                last = e;
            }
            TimeUnit.MILLISECONDS.sleep(Math.min(100, remainingMillis(deadline)));
        }
        throw new IllegalStateException("embedded Kafka at " + bootstrap + " did not answer within "
                + STARTUP_TIMEOUT, last);
    }

    private void awaitLeaders(String name, int partitions, long deadline)
            throws InterruptedException, TimeoutException {
        Exception last = null;
        while (System.nanoTime() < deadline) {
            int timeoutMs = (int) Math.max(1, Math.min(5_000, remainingMillis(deadline)));
            try {
                TopicDescription description = admin.describeTopics(List.of(name),
                                new DescribeTopicsOptions().timeoutMs(timeoutMs))
                        .allTopicNames().get(timeoutMs, TimeUnit.MILLISECONDS).get(name);
                List<TopicPartitionInfo> infos = description.partitions();
                if (infos.size() == partitions
                        && infos.stream().allMatch(p -> p.leader() != null && p.leader().id() == NODE_ID)) {
                    return;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    last = e;
                }
            } catch (TimeoutException e) {
                last = e;
            }
            TimeUnit.MILLISECONDS.sleep(Math.min(50, remainingMillis(deadline)));
        }
        TimeoutException timeout = new TimeoutException("partitions of " + name + " have no leader yet");
        if (last != null) {
            timeout.initCause(last);
        }
        throw timeout;
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("embedded Kafka is closed");
        }
    }

    private static long remainingMillis(long deadlineNanos) {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }

    /** A port that was free on 127.0.0.1 a moment ago (Kafka binds it shortly after). */
    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        }
    }

    private static boolean isBindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.BindException
                    || (t.getMessage() != null && t.getMessage().contains("Address already in use"))) {
                return true;
            }
        }
        return false;
    }

    private static void stopServer(KafkaRaftServer server) {
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.warn("Error stopping embedded Kafka", e);
        }
    }

    private static void closeQuietly(Admin admin) {
        try {
            admin.close(SHUTDOWN_TIMEOUT);
        } catch (RuntimeException e) {
            LOG.warn("Error closing the embedded Kafka admin client", e);
        }
    }

    private static void deleteRecursively(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    if (e != null && !(e instanceof NoSuchFileException)) {
                        throw e;
                    }
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException e) {
            // already gone
        } catch (IOException e) {
            LOG.warn("Could not delete embedded Kafka directory {}", root, e);
        }
    }

    /** Kafka could not bind a port picked as free: someone else took it in between. */
    private static final class PortsTakenException extends RuntimeException {
        PortsTakenException(Throwable cause) {
            super("port already in use", cause);
        }
    }
}
