package io.ticketrush.redis;

/** The production {@link RedisClient}, wired by hand for tests that run without a server container. */
public final class RedisClients {

    private RedisClients() {}

    public static RedisClient connectedTo(int port) {
        return RedisClient.of(RedisSettings.standalone(port, 2000), 500);
    }

    public static void close(RedisClient client) {
        client.close();
    }
}
