package io.ticketrush.redis;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.exceptions.JedisDataException;

/** Which error replies mean "Redis cannot serve now" (a 503 and the fail-fast window) and which do not. */
class RedisClientTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "LOADING Redis is loading the dataset in memory",
                "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.",
                "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
                "READONLY You can't write against a read only replica.",
                "TRYAGAIN Multiple keys request during rehashing of slot",
                "CLUSTERDOWN The cluster is down",
                "NOREPLICAS Not enough good replicas to write.",
                "LOADING"
            })
    void treatsRedisBeingUnableToServeAsTransient(String reply) {
        assertTrue(CircuitBreakerExecutor.isTransient(new JedisDataException(reply)));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "BUSYGROUP Consumer Group name already exists",
                "NOGROUP No such key 'tr:{e}:stream' or consumer group 'orders'",
                "ERR wrong number of arguments for 'hget' command",
                "WRONGTYPE Operation against a key holding the wrong kind of value",
                "BUSYKEY Target key name already exists.",
                ""
            })
    void treatsAnswersToTheCommandAsAnswers(String reply) {
        assertFalse(CircuitBreakerExecutor.isTransient(new JedisDataException(reply)));
    }
}
