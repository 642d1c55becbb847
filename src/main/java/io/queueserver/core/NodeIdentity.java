package io.queueserver.core;

import jakarta.enterprise.context.ApplicationScoped;

import java.net.InetAddress;
import java.util.UUID;

/** This node's name in the {@code owner} column of the jobs it runs; new at every start. */
@ApplicationScoped
public class NodeIdentity {
    private final String id;

    public NodeIdentity() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "node";
        }
        String name = host + ":" + ProcessHandle.current().pid() + ":" + UUID.randomUUID().toString().substring(0, 8);
        id = name.length() > 100 ? name.substring(name.length() - 100) : name;
    }

    public String id() {
        return id;
    }
}
