package io.queueserver.it;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/** Facts about the machine the tests and the server run on. */
final class Machine {
    private Machine() {
    }

    /** An IPv4 address of an interface that is up and not loopback: the tests' "remote" client address. */
    static InetAddress nonLoopbackAddress() throws SocketException {
        for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nif.isUp() || nif.isLoopback()) {
                continue;
            }
            for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                    return a;
                }
            }
        }
        throw new AssertionError("this machine has no non-loopback IPv4 interface; the remote-client tests need one");
    }

    /** The Payara Micro process of this build's test server (its command line names this build's folder). */
    static Optional<ProcessHandle> server() {
        String build = Path.of("target").toAbsolutePath().toString();
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(build)
                                && (c.contains("payara-micro.jar") || c.contains("fish.payara.micro.impl.PayaraMicroImpl")))
                        .orElse(false))
                .findFirst();
    }

    static List<ProcessHandle> childrenOfServer() {
        return server().map(s -> s.descendants().toList()).orElse(List.of());
    }
}
