package io.queueserver.engine;

import com.hazelcast.internal.serialization.Data;
import com.hazelcast.internal.serialization.impl.DefaultSerializationServiceBuilder;
import com.hazelcast.internal.serialization.impl.SerializationConstants;
import org.junit.jupiter.api.Test;

import javax.management.BadAttributeValueExpException;
import javax.management.ObjectName;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Reader;
import java.io.Serializable;
import java.net.InetAddress;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.rmi.server.UID;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The Java deserialization allow-list of a clustered node ({@code server-config/grid.security}): what the grid
 * carries is read, anything else is refused.
 */
class GridSerialFilterTest {
    record Stray(String value) implements Serializable {
    }

    private static ObjectInputFilter gridFilter() throws IOException {
        Properties security = new Properties();
        try (Reader in = Files.newBufferedReader(Path.of("server-config", "grid.security"))) {
            security.load(in);
        }
        return ObjectInputFilter.Config.createFilter(security.getProperty("jdk.serialFilter"));
    }

    private static Object roundTrip(Object value, ObjectInputFilter filter) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            in.setObjectInputFilter(filter);
            return in.readObject();
        }
    }

    @Test
    void theApplicationsMessagesNeedNoJavaSerialization() {
        Data data = new DefaultSerializationServiceBuilder().build().toData("cancel:1:1");
        assertEquals(SerializationConstants.CONSTANT_TYPE_STRING, data.getType());
    }

    @Test
    void theTypesPayaraSendsOnTheGridAreRead() throws Exception {
        ObjectInputFilter filter = gridFilter();
        Map<String, Object> descriptor = new HashMap<>(Map.of("id", UUID.randomUUID(),
                "address", InetAddress.getByName("127.0.0.1"), "url", new URL("http://127.0.0.1:8080/"),
                "members", new CopyOnWriteArrayList<>(List.of(1, 2L, true)), "bytes", new byte[] {1, 2}));
        assertEquals(descriptor.keySet(), ((Map<?, ?>) roundTrip(descriptor, filter)).keySet());
        assertEquals(new ArrayList<>(List.of("a")), roundTrip(new ArrayList<>(List.of("a")), filter));
    }

    @Test
    void everyOtherTypeIsRefusedBeforeItIsRead() throws Exception {
        ObjectInputFilter filter = gridFilter();
        for (Object stray : new Object[] {new BadAttributeValueExpException("gadget entry"),
                new ObjectName("d:type=x"), new UID(), new Stray("application type"),
                new HashMap<>(Map.of("nested", new Stray("inside an allowed map")))}) {
            InvalidClassException refused = assertThrows(InvalidClassException.class, () -> roundTrip(stray, filter),
                    stray.getClass().getName());
            assertEquals("filter status: REJECTED", refused.getMessage());
        }
    }
}
