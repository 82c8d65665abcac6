package io.ticketrush.queue;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ticketrush.testsupport.Api;
import io.ticketrush.testsupport.Pause;
import io.ticketrush.testsupport.PayaraInstance;
import io.ticketrush.testsupport.SharedServers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An instance without the waiting room's shared key, or with one too short, refuses to start: a key of its own would
 * sign places and admissions every other instance refuses.
 */
class QueueSecretIT {

    private static final Duration BOOT = Duration.ofSeconds(180);

    @Test
    void anInstanceWithoutTheQueueSecretOrWithAShortOneNeverBecomesReadyAndItsLogNamesTheSetting() {
        Path dir = Path.of("target", "it-queue-secret");
        Map<String, String> missing =
                new HashMap<>(Map.of("redis.port", System.getProperty(SharedServers.PORT_PROPERTY)));
        missing.put("queue.secret", null);
        Map<String, String> tooShort = new HashMap<>(missing);
        tooShort.put("queue.secret", "15-characters!!");
        List<PayaraInstance> instances = List.of(
                PayaraInstance.launch(dir.resolve("missing"), PayaraInstance.properties("no-secret", missing)),
                PayaraInstance.launch(dir.resolve("short"), PayaraInstance.properties("short-secret", tooShort)));
        try {
            for (PayaraInstance instance : instances) {
                await().atMost(BOOT)
                        .ignoreExceptions()
                        .untilAsserted(() -> assertTrue(
                                instance.log().contains("queue.secret (environment variable" + " QUEUE_SECRET) is "),
                                "the deployment has not failed yet"));
                assertTrue(instance.log().contains("at least 16 characters"), "the log names the minimum length");
                // Payara Micro stays up without the application: it answers, and never says ready.
                await().atMost(Duration.ofSeconds(60))
                        .ignoreExceptions()
                        .untilAsserted(() -> assertNotNull(instance.ready(), "not listening yet"));
                for (int i = 0; i < 5; i++) {
                    Api.Answer ready = instance.ready();
                    assertNotEquals(200, ready.status(), ready.body());
                    assertTrue(ready.body().contains("DOWN"), ready.body());
                    Pause.of(Duration.ofSeconds(1));
                }
            }
            assertTrue(instances.get(0).log().contains("is not set"), "the missing key is called missing");
            assertTrue(instances.get(1).log().contains("is shorter than 16 characters"), "the short one short");
        } finally {
            instances.forEach(PayaraInstance::close);
        }
    }
}
