package io.ticketrush.redis;

import java.util.Optional;

/** The production {@link RedisClient}, wired by hand for tests that run without a server container. */
public final class RedisClients {

    private RedisClients() {
    }

    public static RedisClient connectedTo(int port) {
        RedisClient client = new RedisClient();
        client.host = "127.0.0.1";
        client.port = port;
        client.password = Optional.empty();
        client.timeoutMs = 2000;
        client.poolSize = 32;
        client.failFastMillis = 500;
        client.instanceName = "test";
        client.connect();
        return client;
    }

    public static void close(RedisClient client) {
        client.close();
    }
}
