package io.ticketrush.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import redis.clients.jedis.util.JedisClusterCRC16;

class MembersTest {

    @Test
    void keepsItsKeysInOneClusterSlotSoTheScriptRunsOnRedisCluster() {
        int slot = JedisClusterCRC16.getSlot(Members.KEYS.get(0));
        for (String key : Members.KEYS) {
            assertEquals(slot, JedisClusterCRC16.getSlot(key), key);
        }
    }
}
