package io.ticketrush.stock;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import redis.clients.jedis.util.JedisClusterCRC16;

class MembersTest {

    @Test
    void keepsItsKeysInOneClusterSlotSoTheScriptRunsOnRedisCluster() {
        assertEquals(JedisClusterCRC16.getSlot(Members.KEYS.get(0)), JedisClusterCRC16.getSlot(Members.KEYS.get(1)));
    }
}
