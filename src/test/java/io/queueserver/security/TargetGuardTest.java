package io.queueserver.security;

import io.queueserver.core.InvalidField;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TargetGuardTest {
    private final TargetGuard standard = TargetGuard.standard();
    private final TargetGuard strict = new TargetGuard(true, Optional.empty());

    @ParameterizedTest
    @ValueSource(strings = {"169.254.169.254", "169.254.169.254.", "0xa9fea9fe", "0xA9FEA9FE", "2852039166",
            "0251.0376.0251.0376", "0251.254.169.254", "169.254.43518", "169.16689662", "0xa9.0xfe.0xa9.0xfe",
            "0xa9.254.0251.0xfe", "0x00a9fea9fe", "00000000251.0376.0251.0376", "[::ffff:169.254.169.254]",
            "[::ffff:a9fe:a9fe]", "[0:0:0:0:0:ffff:a9fe:a9fe]", "[::a9fe:a9fe]", "[64:ff9b::a9fe:a9fe]",
            "[2002:a9fe:a9fe::1]", "[fd00:ec2::254]", "[FD00:EC2:0:0:0:0:0:254]", "[fd00:0ec2::0254]",
            "[fe80::1]", "[fe80::1%25eth0]", "[febf::1]", "169.254.0.1", "169.254.255.255", "0.0.0.0", "0",
            "0x0", "[::]", "[::ffff:0.0.0.0]", "224.0.0.1", "[ff02::1]", "255.255.255.255", "4294967295",
            "100.100.100.200", "metadata.google.internal", "METADATA.GOOGLE.INTERNAL.", "metadata.goog", "metadata"})
    void alwaysRefusedAtSubmit(String host) {
        for (TargetGuard guard : new TargetGuard[] {standard, strict}) {
            InvalidField e = assertThrows(InvalidField.class,
                    () -> guard.checkAtSubmit(URI.create("http://" + host + ":8080/x"), "command.url"), host);
            assertEquals(403, e.status());
            assertEquals("command.url", e.field());
            assertTrue(guard.refusalBeforeConnect(URI.create("http://" + host + "/")).isPresent(), host);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1",
            "[::1]", "[0:0:0:0:0:0:0:1]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[64:ff9b::7f00:1]", "localhost",
            "LOCALHOST.", "app.localhost", "10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.255",
            "192.168.1.1", "100.64.0.1", "[fc00::1]", "[fd12:3456::1]", "[fec0::1]", "192.0.2.2", "198.18.0.1",
            "240.0.0.1"})
    void internalAllowedByDefaultRefusedWhenDenied(String host) {
        URI url = URI.create("http://" + host + "/x");
        assertDoesNotThrow(() -> standard.checkAtSubmit(url, "command.url"), host);
        InvalidField e = assertThrows(InvalidField.class, () -> strict.checkAtSubmit(url, "command.url"), host);
        assertEquals(403, e.status());
        assertTrue(strict.refusalBeforeConnect(url).isPresent(), host);
    }

    @Test
    void notNumericSpellingsAreNames() {
        for (String host : new String[] {"0x1ffffffff", "4294967296", "1.2.3.4.5", "08.1.1.1", "1.256.1.1",
                "0xg1", "1e3", "example.com", "a.b"}) {
            assertTrue(NumericHost.parse(host).isEmpty(), host);
        }
        assertEquals("127.0.0.1", NumericHost.parse("0x7f.0.0.1").orElseThrow().getHostAddress());
        assertEquals("10.0.0.1", NumericHost.parse("012.1").orElseThrow().getHostAddress());
    }

    @ParameterizedTest
    @ValueSource(strings = {"169.0254.170.2", "168.063.129.16", "010.0.0.1", "0x7f.0.0.1", "127.1", "2130706433",
            "0127.0.0.1", "127.0.1", "0177.1", "0x7f000001", "127.0.0.1.", "08.8.8.8", "8.8.8.010", "1.2.3.4.5",
            "4294967296", "0x08.8.8.8"})
    void everyOtherSpellingOfAnIpv4AddressIsRefused(String host) {
        for (TargetGuard guard : new TargetGuard[] {standard, strict}) {
            InvalidField e = assertThrows(InvalidField.class,
                    () -> guard.checkAtSubmit(URI.create("http://" + host + ":8080/x"), "command.url"), host);
            assertEquals(403, e.status());
            assertTrue(e.getMessage().contains("plain dotted quad"), e.getMessage());
            assertTrue(guard.refusalBeforeConnect(URI.create("http://" + host + "/")).orElseThrow()
                    .contains("plain dotted quad"), host);
        }
    }

    @Test
    void theParsersDisagreeOnLeadingZeros() {
        // why the spellings above are refused: this parser reads octal, others read decimal or a DNS name
        assertEquals("169.172.170.2", NumericHost.parse("169.0254.170.2").orElseThrow().getHostAddress());
        assertEquals("8.0.0.1", NumericHost.parse("010.0.0.1").orElseThrow().getHostAddress());
        assertTrue(!NumericHost.isPlainSpelling("169.0254.170.2") && !NumericHost.isPlainSpelling("010.0.0.1"));
        assertTrue(NumericHost.isPlainSpelling("10.0.0.1") && NumericHost.isPlainSpelling("[::1]")
                && NumericHost.isPlainSpelling("example.com") && NumericHost.isPlainSpelling("1e100.net"));
    }

    /** The usual spelling is read without the general parser; what is almost it still goes through that parser. */
    @Test
    void plainDottedQuadsAndTheirNearMisses() {
        for (String plain : List.of("0.0.0.0", "127.0.0.1", "10.0.0.1", "255.255.255.255", "192.168.100.9")) {
            assertEquals(plain, NumericHost.parse(plain).orElseThrow().getHostAddress(), plain);
            assertTrue(NumericHost.isPlainSpelling(plain), plain);
        }
        assertEquals("1.2.3.4", NumericHost.parse("1.2.3.04").orElseThrow().getHostAddress());
        assertEquals("1.2.3.4", NumericHost.parse("1.2.3.4.").orElseThrow().getHostAddress());
        assertEquals("1.2.0.3", NumericHost.parse("1.2.3").orElseThrow().getHostAddress());
        for (String near : List.of("1.2.3.04", "1.2.3.4.", "1.2.3", "00.1.2.3")) {
            assertFalse(NumericHost.isPlainSpelling(near), near);
        }
        for (String none : List.of("256.1.1.1", "1.2.3.4.5", "1..2.3", "1.2.3.4444", "")) {
            assertTrue(NumericHost.parse(none).isEmpty(), none);
        }
    }

    @Test
    void aLiteralIsConnectedInTheGuardsOwnSpelling() {
        assertEquals(URI.create("http://127.0.0.1:9/a?b=1"),
                standard.beforeConnect(URI.create("http://[::ffff:127.0.0.1]:9/a?b=1")).connect());
        assertEquals(URI.create("http://[0:0:0:0:0:0:0:1]:9/a"),
                standard.beforeConnect(URI.create("http://[::1]:9/a")).connect());
        assertEquals(URI.create("http://127.0.0.1:9/"), standard.beforeConnect(URI.create("http://127.0.0.1:9/")).connect());
    }

    @Test
    void theServersOwnApiIsRefused() {
        OwnEndpoints own = new OwnEndpoints();
        own.listensOn(8080);
        TargetGuard guard = new TargetGuard(false, Optional.empty(), own);
        for (String url : new String[] {"http://127.0.0.1:8080/jobs/1", "http://localhost:8080/jobs/1/run",
                "http://[::1]:8080/", "http://127.0.0.2:8080/", "http://0.0.0.0:8080/"}) {
            assertEquals(403, assertThrows(InvalidField.class, () -> guard.checkAtSubmit(URI.create(url), "u")).status(),
                    url);
            assertTrue(guard.refusalBeforeConnect(URI.create(url)).isPresent(), url);
        }
        assertDoesNotThrow(() -> guard.checkAtSubmit(URI.create("http://127.0.0.1:8081/"), "u"));
        assertEquals(Optional.empty(), guard.refusalBeforeConnect(URI.create("http://localhost:8081/")));
        OwnEndpoints onEighty = new OwnEndpoints();
        onEighty.listensOn(80);
        assertTrue(new TargetGuard(false, Optional.empty(), onEighty)
                .refusalBeforeConnect(URI.create("http://localhost/jobs")).orElseThrow().contains("own API"));
        assertEquals("address 127.0.0.1 is this server's own API (port 80), which jobs and callbacks may not call",
                new TargetGuard(false, Optional.empty(), onEighty)
                        .refusalBeforeConnect(URI.create("http://127.0.0.1/jobs")).orElseThrow());
    }

    @Test
    void publicAddressesPass() {
        for (String host : new String[] {"8.8.8.8", "172.32.0.1", "169.255.0.1", "[2606:4700::1111]", "1.1.1.1"}) {
            URI url = URI.create("https://" + host + "/");
            assertDoesNotThrow(() -> strict.checkAtSubmit(url, "command.url"));
            assertEquals(Optional.empty(), strict.refusalBeforeConnect(url), host);
        }
    }

    @Test
    void namesAreResolvedAndEveryAddressChecked() {
        Optional<String> refusal = strict.refusalBeforeConnect(URI.create("http://localhost:9/"));
        assertTrue(refusal.orElseThrow().contains("resolves to 127.0.0.1") || refusal.get().contains("loopback"),
                refusal.get());
        assertEquals(Optional.empty(), standard.refusalBeforeConnect(URI.create("http://localhost:9/")));
        assertTrue(standard.refusalBeforeConnect(URI.create("http://no-such-host.invalid/")).orElseThrow()
                .contains("could not be resolved"));
    }

    @Test
    void hostAllowList() {
        TargetGuard listed = new TargetGuard(false, Optional.of("api.example.com, *.hooks.example.org,127.0.0.1"));
        assertDoesNotThrow(() -> listed.checkAtSubmit(URI.create("https://API.example.com./x"), "u"));
        assertDoesNotThrow(() -> listed.checkAtSubmit(URI.create("https://a.hooks.example.org/x"), "u"));
        assertDoesNotThrow(() -> listed.checkAtSubmit(URI.create("http://127.0.0.1:9/x"), "u"));
        for (String url : new String[] {"https://example.com/", "https://hooks.example.org/", "https://api.example.com.evil.net/",
                "http://127.1:9/", "http://169.254.169.254/"}) {
            assertEquals(403, assertThrows(InvalidField.class, () -> listed.checkAtSubmit(URI.create(url), "u")).status(), url);
        }
    }

    @Test
    void schemesOtherThanHttpAreRefused() {
        for (String url : new String[] {"ftp://example.com/", "file:///etc/passwd", "gopher://x/", "jar:http://x!/"}) {
            assertTrue(standard.refusalBeforeConnect(URI.create(url)).isPresent(), url);
        }
    }
}
