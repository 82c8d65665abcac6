package io.ticketrush.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.HostAndPort;

/** Redis's configuration is checked at start, and a mistake names the key it is in. */
class RedisSettingsTest {

    @Test
    void readsEachModeCaseInsensitively() {
        assertEquals(
                RedisSettings.Mode.STANDALONE, settings("standalone", "", "").mode());
        assertEquals(
                RedisSettings.Mode.CLUSTER,
                settings("Cluster", "10.0.0.1:7000", "").mode());
        assertEquals(
                RedisSettings.Mode.SENTINEL,
                settings(" SENTINEL ", "", "10.0.0.1:26379").mode());
    }

    @Test
    void readsAddressListsWithSpacesAndEmptyEntries() {
        RedisSettings settings = settings("cluster", " 10.0.0.1:7000, ,redis-2.example:7001,", "");

        assertEquals(
                Set.of(new HostAndPort("10.0.0.1", 7000), new HostAndPort("redis-2.example", 7001)), settings.nodes());
    }

    @Test
    void refusesAnUnknownMode() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> settings("replicated", "", ""));

        assertTrue(e.getMessage().contains("redis.mode"), e.getMessage());
    }

    @Test
    void refusesAClusterWithoutNodesAndSentinelWithoutSentinels() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> settings("cluster", "", "10.0.0.1:26379"))
                .getMessage()
                .contains("redis.nodes"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> settings("sentinel", "10.0.0.1:7000", ""))
                .getMessage()
                .contains("redis.sentinels"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.1", "10.0.0.1:", ":7000", "10.0.0.1:0", "10.0.0.1:65536", "10.0.0.1:port"})
    void refusesAnAddressThatIsNotHostAndPort(String address) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> settings("cluster", address, ""));

        assertTrue(e.getMessage().contains("redis.nodes") && e.getMessage().contains(address), e.getMessage());
    }

    @Test
    void refusesNegativeReplicasAndAWaitWithoutTimeout() {
        assertThrows(
                IllegalArgumentException.class,
                () -> RedisSettings.of(
                        "standalone", "127.0.0.1", 6379, "", "", "mymaster", Optional.empty(), 500, 8, "i", -1, 100));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> RedisSettings.of(
                                "standalone",
                                "127.0.0.1",
                                6379,
                                "",
                                "",
                                "mymaster",
                                Optional.empty(),
                                500,
                                8,
                                "i",
                                1,
                                0))
                .getMessage()
                .contains("redis.wait-timeout-ms"));
    }

    @Test
    void treatsABlankPasswordAsNone() {
        RedisSettings settings = RedisSettings.of(
                "standalone", "127.0.0.1", 6379, "", "", "mymaster", Optional.of(" "), 500, 8, "i", 0, 0);

        assertEquals(Optional.empty(), settings.password());
    }

    private static RedisSettings settings(String mode, String nodes, String sentinels) {
        return RedisSettings.of(
                mode, "127.0.0.1", 6379, nodes, sentinels, "mymaster", Optional.empty(), 500, 8, "i", 0, 0);
    }
}
