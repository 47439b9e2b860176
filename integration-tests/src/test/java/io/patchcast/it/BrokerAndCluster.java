package io.patchcast.it;

import io.patchcast.cli.kafka.EmbeddedKafka;
import java.nio.file.Path;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * For each test class that extends it: a real KRaft broker ({@link #kafka}), a Flink MiniCluster with
 * one task manager of two slots, and a temporary folder, all started before its first test and
 * removed after its last. Test classes run one after another (one surefire fork), so the statics
 * hold the current class's resources.
 */
abstract class BrokerAndCluster {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    static EmbeddedKafka kafka;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }
}
