package io.queueserver.it;

import com.hazelcast.config.Config;
import com.hazelcast.config.GlobalSerializerConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.internal.serialization.impl.defaultserializers.JavaDefaultSerializers;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.StreamSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.management.BadAttributeValueExpException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A member that joins a clustered node's data grid (the worst case: it knows the cluster name and can reach the
 * member port) publishes a serializable object of a type the application never sends, once through the grid's
 * own Java serializer and once through the serializer Payara installs (whose Java deserialization bypasses the
 * grid's class filter): the node refuses both before reading them, and still serves.
 */
class GridSerializationIT {
    /** Payara's global serializer id: it reads with the grid's Java serializer, but without a class filter. */
    private static final int PAYARA_SERIALIZER_ID = 1;

    static ScratchDatabase database;
    static ClusterNodes nodes;
    static ClusterNodes.Node node;

    @BeforeAll
    static void start() throws Exception {
        database = ScratchDatabase.create("grid");
        nodes = new ClusterNodes(database.url(), Map.of());
        node = nodes.start(0);
        nodes.awaitUp(node, Duration.ofMinutes(4));
    }

    @AfterAll
    static void stop() throws Exception {
        if (nodes != null) {
            nodes.close();
        }
        database.drop();
    }

    static final class PayaraLikeSerializer implements StreamSerializer<Object> {
        private final StreamSerializer<Object> java = new JavaDefaultSerializers.JavaSerializer(true, false, null);

        @Override
        public void write(ObjectDataOutput out, Object object) throws IOException {
            java.write(out, object);
        }

        @Override
        public Object read(ObjectDataInput in) throws IOException {
            return java.read(in);
        }

        @Override
        public int getTypeId() {
            return PAYARA_SERIALIZER_ID;
        }
    }

    private HazelcastInstance stray(int port, Consumer<Config> serialization) {
        Config config = new Config().setClusterName(nodes.clusterName());
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.getJetConfig().setEnabled(false);
        NetworkConfig network = config.getNetworkConfig().setPort(port).setPortAutoIncrement(false);
        network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).addMember("127.0.0.1:" + nodes.gridPort());
        serialization.accept(config);
        return Hazelcast.newHazelcastInstance(config);
    }

    private long refusals() throws IOException {
        return Files.readString(Path.of("target", nodes.logName(0))).lines()
                .filter(l -> l.startsWith("Caused by: java.io.InvalidClassException: filter status: REJECTED")).count();
    }

    private void awaitRefusals(long count) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (refusals() < count && System.nanoTime() < deadline) {
            Api.sleep(200);
        }
        assertEquals(count, refusals(), "refusals in target/" + nodes.logName(0));
    }

    @Test
    void serializableObjectsOfOtherTypesAreRefused() throws Exception {
        int port = nodes.gridPort() + 7;
        HazelcastInstance plain = stray(port, config -> { });
        HazelcastInstance payaraLike = stray(port + 1, config -> config.getSerializationConfig()
                .setGlobalSerializerConfig(new GlobalSerializerConfig().setImplementation(new PayaraLikeSerializer())
                        .setOverrideJavaSerialization(true)));
        try {
            assertEquals(3, plain.getCluster().getMembers().size(), "the stray members joined the node's grid");
            long before = refusals();
            plain.getTopic("queue-server-signals").publish(new BadAttributeValueExpException("through the grid"));
            awaitRefusals(before + 1);
            payaraLike.getTopic("queue-server-signals").publish(new BadAttributeValueExpException("through Payara"));
            awaitRefusals(before + 2);
        } finally {
            plain.shutdown();
            payaraLike.shutdown();
        }
        assertEquals(200, new Api(node.base(), null).get("/jobs/status").status(), "the node still serves");
    }
}
