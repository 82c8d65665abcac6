package io.ticketrush.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ticketrush.testsupport.Api;
import io.ticketrush.testsupport.Cluster;
import io.ticketrush.testsupport.SharedCluster;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A short run of jmeter/flash-sale.jmx against the test cluster, so the load-test plan cannot rot: the same
 * JMeter the {@code load} profile uses (set up by jmeter-maven-plugin's configure goal), a few hundred buyers.
 */
@ExtendWith(SharedCluster.class)
class JMeterSmokeIT {

    private static final int TICKETS = 100;
    private static final int USERS = 400;

    @Test
    void runsTheFlashSalePlanWithoutAnErrorAndSellsExactlyTheTickets(Cluster cluster) throws Exception {
        Path out = Path.of("target", "jmeter-smoke").toAbsolutePath();
        Files.createDirectories(out);
        Path results = out.resolve("results.csv");
        Files.deleteIfExists(results);
        Path split = out.resolve("instance-split.html");
        Files.deleteIfExists(split);

        List<String> command = List.of(
                System.getProperty("java.home") + "/bin/java",
                "-Xmx512m",
                "-jar",
                jmeterJar().toString(),
                "-n",
                "-t",
                Path.of("jmeter", "flash-sale.jmx").toAbsolutePath().toString(),
                "-Jport=" + cluster.nginx().base().getPort(),
                "-JadminToken=" + Api.ADMIN_TOKEN,
                "-Jevent=smoke",
                "-Jtickets=" + TICKETS,
                "-Jusers=" + USERS,
                "-Jthreads=20",
                "-Jrampup=1",
                "-Jduration=60",
                "-JpayRatio=0.3",
                "-JsplitReport=" + split,
                "-l",
                results.toString(),
                "-j",
                out.resolve("jmeter.log").toString());
        Process jmeter = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(out.resolve("console.txt").toFile())
                .start();
        assertTrue(jmeter.waitFor(3, TimeUnit.MINUTES), "JMeter finished");
        assertEquals(0, jmeter.exitValue(), Files.readString(out.resolve("console.txt")));

        Map<String, Integer> labels = new HashMap<>();
        List<String> lines = Files.readAllLines(results, StandardCharsets.UTF_8);
        List<String> header = List.of(lines.get(0).split(","));
        int label = header.indexOf("label");
        int success = header.indexOf("success");
        for (String line : lines.subList(1, lines.size())) {
            String[] fields = line.split(",");
            assertEquals("true", fields[success], "a failed sample: " + line);
            labels.merge(fields[label], 1, Integer::sum);
        }
        assertEquals(TICKETS, labels.get("buy: reserved"), labels.toString());
        assertEquals(
                USERS,
                labels.get("buy: reserved")
                        + labels.getOrDefault("buy: sold out", 0)
                        + labels.getOrDefault("buy: already held", 0),
                labels.toString());
        assertEquals(1, labels.get("admin: sale status"), "the after-check ran: " + labels);
        JsonObject status = cluster.nginx().eventStatus("smoke").data();
        assertEquals(TICKETS, status.getInt("reserved") + status.getInt("paid"));
        assertEquals(labels.getOrDefault("pay", 0), status.getInt("paid"));

        String page = Files.readString(split);
        for (int i = 1; i <= Cluster.INSTANCES; i++) {
            assertTrue(page.contains("<td>instance-" + i + "</td>"), "the split page lists instance-" + i);
        }
        assertTrue(page.contains("<svg"), "with a bar chart");

        // The plan's queued flow (its defaults): 300 join, 100 are admitted, buy and pay, 200 learn SOLD_OUT.
        assertEquals(300, labels.get("queue: join"), labels.toString());
        assertEquals(100, labels.get("queue buy: reserved"), labels.toString());
        assertEquals(100, labels.get("queue: pay"), labels.toString());
        JsonObject queue = cluster.nginx().eventStatus("smoke-queue").data().getJsonObject("queue");
        assertEquals(300, queue.getInt("joined"));
        assertEquals(100, queue.getInt("bought"));
        assertEquals(0, queue.getInt("waiting"));
        assertEquals("SOLD_OUT", queue.getString("state"));
        // The ledger as the plan's buyers were told: admissions used, admissions given and let pass, sold out.
        int used = labels.get("queue buy: reserved");
        assertEquals(
                List.of(
                        labels.get("queue: join"),
                        used,
                        labels.get("queue: admitted") - used,
                        labels.get("queue: join") - labels.get("queue: admitted")),
                List.of(
                        queue.getInt("joined"),
                        queue.getInt("bought"),
                        queue.getInt("lapsed"),
                        queue.getInt("toldSoldOut")),
                "joined, bought, lapsed, told sold out: " + queue + " against the plan's answers " + labels);
        assertTrue(Files.readString(out.resolve("queue.html")).contains("Checks passed"), "the queue's report page");
    }

    /** Where jmeter-maven-plugin's configure goal put JMeter (it records it in target/config.json). */
    private static Path jmeterJar() throws IOException {
        Path config = Path.of("target", "config.json");
        if (!Files.isRegularFile(config)) {
            throw new IllegalStateException(
                    "No " + config + ": run with mvn verify, whose pre-integration-test sets up JMeter");
        }
        JsonObject configuration = Json.createReader(new StringReader(Files.readString(config)))
                .readObject()
                .getJsonArray("configurations")
                .getJsonObject(0);
        return Path.of(
                configuration.getString("jmeterDirectoryPath"), "bin", configuration.getString("runtimeJarName"));
    }
}
