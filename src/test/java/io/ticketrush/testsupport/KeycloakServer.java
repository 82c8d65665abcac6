package io.ticketrush.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Keycloak in development mode ({@code kc.sh start-dev}) on free loopback ports, with an in-memory database and
 * one realm file imported at start, so every start is a fresh provider. It owns the process tree it started
 * (kc.sh and the JVM that becomes it) and names it in a pid file, so a run killed before {@link #close()} is
 * cleaned up by the next; nothing is ever found by name.
 */
final class KeycloakServer implements AutoCloseable {

    static final String ADMIN_USER = "it-admin";
    static final String ADMIN_PASSWORD = "it-keycloak-admin-password";

    /** Measured 17–65 s on two shared cores, the first start after an unpack (its Quarkus build) the slowest. */
    private static final Duration START_LIMIT = Duration.ofSeconds(180);

    private static final Duration POLL = Duration.ofMillis(250);
    /** kc.sh's own heap variable; its default is 64 MB to 512 MB. */
    private static final String HEAP = "-Xms64m -Xmx384m";
    /** C1 only: a third less CPU to start (24 s of CPU against 36 s, as fast by the clock); tests need no C2. */
    private static final String JVM_OPTIONS = "-XX:TieredStopAtLevel=1";

    private static final String PID_FILE = "keycloak.pid";
    private static final String LOG_FILE = "keycloak.log";
    private static final int LOG_TAIL_LINES = 40;

    private final Path dir;
    private final int port;
    private final Process process;

    private KeycloakServer(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    /**
     * Starts the Keycloak unpacked in {@code home}, its log and pid file in {@code dir}, importing the realm file
     * {@code realmFile} (a test resource), and waits until realm {@code realm} answers.
     */
    static KeycloakServer start(Path home, Path dir, String realmFile, String realm) {
        Path work = dir.toAbsolutePath();
        Path unpacked = unpacked(home);
        Path java = Binaries.require("java", "openjdk-17-jre-headless");
        // kc.sh resolves its own path, so both it and its JVM name the real path of the unpacked Keycloak.
        stopLeftover(work.resolve(PID_FILE), unpacked.toString());
        prepare(unpacked, work, realmFile);
        int port = FreePorts.any();
        int managementPort = FreePorts.any();
        List<String> command = List.of(
                "sh",
                unpacked.resolve("bin").resolve("kc.sh").toString(),
                "start-dev",
                "--db=dev-mem",
                "--import-realm",
                "--http-host=127.0.0.1",
                "--http-port=" + port,
                // Unused while health and metrics are off, but 9000 may be taken the day they are turned on.
                "--http-management-port=" + managementPort,
                // The issuer, whatever address a request used, so tokens match the discovery document.
                "--hostname=http://localhost:" + port);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(work.resolve(LOG_FILE).toFile());
        environment(builder.environment(), java);
        Process process;
        try {
            process = builder.start();
            Files.writeString(work.resolve(PID_FILE), process.pid() + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot run " + command, e);
        }
        KeycloakServer server = new KeycloakServer(work, port, process);
        try {
            server.awaitRealm(realm);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    int port() {
        return port;
    }

    /** kc.sh's process, which execs Keycloak's JVM once dev mode has checked its build (exit status 10). */
    ProcessHandle process() {
        return process.toHandle();
    }

    /** Kills the whole tree (kc.sh may still be waiting on its JVM) and forgets the pid file. Safe to call twice. */
    @Override
    public void close() {
        kill(process.toHandle());
        try {
            Files.deleteIfExists(dir.resolve(PID_FILE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fresh data directory (the import folder is in it: Keycloak has no option to name another). */
    private static void prepare(Path home, Path work, String realmFile) {
        Path imports = TestDirs.fresh(home.resolve("data")).resolve("import");
        try (InputStream realm = KeycloakServer.class.getClassLoader().getResourceAsStream(realmFile)) {
            if (realm == null) {
                throw new IllegalStateException("No test resource " + realmFile);
            }
            Files.createDirectories(imports);
            Files.createDirectories(TestDirs.fresh(work));
            Files.copy(realm, imports.resolve(Path.of(realmFile).getFileName()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Only what kc.sh needs: nothing a developer exported (JAVA_OPTS, KC_*) changes the test's provider. */
    private static void environment(Map<String, String> env, Path java) {
        String path = env.get("PATH");
        String home = env.get("HOME");
        env.clear();
        env.put("PATH", path == null ? "/usr/bin:/bin" : path);
        if (home != null) {
            env.put("HOME", home);
        }
        env.put("JAVA", java.toString());
        env.put("JAVA_OPTS_KC_HEAP", HEAP);
        env.put("JAVA_OPTS_APPEND", JVM_OPTIONS);
        env.put("KC_BOOTSTRAP_ADMIN_USERNAME", ADMIN_USER);
        env.put("KC_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD);
    }

    private void awaitRealm(String realm) {
        URI discovery =
                URI.create("http://127.0.0.1:" + port + "/realms/" + realm + "/.well-known/openid-configuration");
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Instant deadline = Instant.now().plus(START_LIMIT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "Keycloak exited with status " + process.exitValue() + " at start; " + logTail());
            }
            try {
                HttpResponse<Void> answer = http.send(
                        HttpRequest.newBuilder(discovery)
                                .timeout(Duration.ofSeconds(5))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (answer.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // Not listening yet.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted waiting for Keycloak", e);
            }
            Pause.of(POLL);
        }
        throw new IllegalStateException(
                "Keycloak did not serve realm " + realm + " within " + START_LIMIT + "; " + logTail());
    }

    private String logTail() {
        Path log = dir.resolve(LOG_FILE);
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "the last lines of " + log + ":\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "its log " + log + " cannot be read: " + e;
        }
    }

    /** The process of an earlier run named in {@code pidFile}, if it is still alive and is that Keycloak. */
    private static void stopLeftover(Path pidFile, String marker) {
        long pid = Cluster.pid(pidFile);
        if (pid > 0 && commandLine(pid).contains(marker)) {
            ProcessHandle.of(pid).ifPresent(KeycloakServer::kill);
        }
    }

    /** The resident memory of {@code root} and its descendants (kc.sh, if it still waits on its JVM). */
    static long residentMegabytes(ProcessHandle root) {
        long kilobytes = 0;
        for (ProcessHandle process : tree(root)) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                    if (line.startsWith("VmRSS:")) {
                        kilobytes += Long.parseLong(line.replaceAll("\\D", ""));
                    }
                }
            } catch (IOException gone) {
                // Exited meanwhile: nothing resident.
            }
        }
        return kilobytes / 1024;
    }

    private static String commandLine(long pid) {
        try {
            return new String(
                            Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ');
        } catch (IOException gone) {
            return "";
        }
    }

    private static void kill(ProcessHandle root) {
        List<ProcessHandle> tree = tree(root);
        tree.forEach(ProcessHandle::destroyForcibly);
        tree.forEach(process -> process.onExit().join());
    }

    private static List<ProcessHandle> tree(ProcessHandle root) {
        List<ProcessHandle> tree = new ArrayList<>(root.descendants().toList());
        tree.add(root);
        return tree;
    }

    /** The real path of the Keycloak unpacked in {@code home}, or a failure saying who unpacks it. */
    private static Path unpacked(Path home) {
        try {
            if (Files.isRegularFile(home.resolve("bin").resolve("kc.sh"))) {
                return home.toRealPath();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("No Keycloak in " + home + "; mvn verify unpacks it there"
                + " (maven-dependency-plugin, execution unpack-keycloak)");
    }
}
