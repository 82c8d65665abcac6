package io.ticketrush.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One Payara Micro running the built WAR with system properties of the test's choosing (e.g. another
 * {@code redis.mode}), on a free port; for tests that need a configuration the shared Arquillian container
 * does not have. It owns exactly the process it started.
 */
public final class PayaraInstance implements AutoCloseable {

    private static final Duration START_LIMIT = Duration.ofSeconds(180);

    private final Process process;
    private final int port;
    private final Path log;

    private PayaraInstance(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts the instances together (they boot faster side by side than one after another) and waits for all. */
    public static List<PayaraInstance> startAll(Path dir, List<Map<String, String>> properties) {
        List<PayaraInstance> started = new ArrayList<>();
        try {
            for (int i = 0; i < properties.size(); i++) {
                started.add(launch(dir.resolve("instance-" + (i + 1)), properties.get(i), List.of()));
            }
            for (PayaraInstance instance : started) {
                instance.awaitReady();
            }
            return started;
        } catch (RuntimeException e) {
            started.forEach(PayaraInstance::close);
            throw e;
        }
    }

    /**
     * Starts one instance with {@code properties} and these options for its JVM (e.g. a debugging agent), and waits
     * until it is ready.
     */
    public static PayaraInstance start(Path dir, Map<String, String> properties, List<String> jvmOptions) {
        PayaraInstance instance = launch(dir, properties, jvmOptions);
        try {
            instance.awaitReady();
            return instance;
        } catch (RuntimeException e) {
            instance.close();
            throw e;
        }
    }

    /**
     * The settings every test instance shares: the shared PostgreSQL (SharedServers), the test admin token and
     * waiting-room key, a fast sweeper and refresher; {@code more} adds to or overrides them (a value of null
     * leaves the setting out).
     */
    public static Map<String, String> properties(String name, Map<String, String> more) {
        Map<String, String> properties = new java.util.LinkedHashMap<>(Map.of(
                "instance.name",
                name,
                "admin.token",
                Api.ADMIN_TOKEN,
                "queue.secret",
                Api.QUEUE_SECRET,
                "db.port",
                System.getProperty(SharedServers.PG_PORT_PROPERTY, "5432"),
                "order.sweep-ms",
                "200",
                "stock.refresh-ms",
                "100"));
        properties.putAll(more);
        properties.values().removeIf(java.util.Objects::isNull);
        return properties;
    }

    /** Starts one instance and returns at once, ready or not: for a test of how it starts (see {@link #ready}). */
    public static PayaraInstance launch(Path dir, Map<String, String> properties) {
        return launch(dir, properties, List.of());
    }

    private static PayaraInstance launch(Path dir, Map<String, String> properties, List<String> jvmOptions) {
        int port = FreePorts.any();
        Path war = Path.of(System.getProperty("ticketrush.war", "target/ticketrush.war"))
                .toAbsolutePath();
        Path jar = Path.of(System.getProperty("payara.microJar", "target/payara-micro.jar"))
                .toAbsolutePath();
        if (!Files.isRegularFile(war) || !Files.isRegularFile(jar)) {
            throw new IllegalStateException("No WAR or Payara Micro in target/: run the tests with mvn verify");
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms128m",
                "-Xmx384m",
                "-XX:+UseSerialGC"));
        command.addAll(jvmOptions);
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(List.of(
                "-jar",
                jar.toString(),
                "--deploy",
                war.toString(),
                "--port",
                Integer.toString(port),
                "--nohazelcast",
                "--rootdir",
                dir.resolve("root").toString()));
        try {
            Files.createDirectories(dir);
            Path log = dir.resolve("instance.log");
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            PayaraInstance instance = new PayaraInstance(process, port, log);
            Runtime.getRuntime().addShutdownHook(new Thread(instance::close, "stop-payara-" + port));
            return instance;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start Payara Micro", e);
        }
    }

    public int port() {
        return port;
    }

    public Api api() {
        return Api.onPort(port);
    }

    /**
     * The answer to one {@code GET /health/ready}: its status and body, or null while nothing listens on the port
     * (still booting).
     */
    public Api.Answer ready() {
        try {
            return api().get("health/ready");
        } catch (java.io.UncheckedIOException notListening) {
            return null;
        }
    }

    /** What the instance has written to its log so far. */
    public String log() {
        try {
            return Files.readString(log, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitReady() {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
                .timeout(Duration.ofSeconds(5))
                .build();
        Instant deadline = Instant.now().plus(START_LIMIT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Payara Micro exited at start; see " + log);
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // Still booting.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            Pause.of(Duration.ofMillis(250));
        }
        throw new IllegalStateException(
                "Payara Micro on port " + port + " not ready within " + START_LIMIT + "; see " + log);
    }

    /** Stops the instance (SIGTERM, then SIGKILL after 20 s) and waits for it to exit. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
