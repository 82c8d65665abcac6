package io.ticketrush.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.Jedis;

/**
 * A real redis-server on a free loopback port, started and stopped by a test. It owns exactly the process it
 * started: stop and kill act on that process, never on anything found by name.
 */
public final class RedisServer implements AutoCloseable {

    private static final Duration START_LIMIT = Duration.ofSeconds(15);

    private final int port;
    private final Path dir;
    private final boolean appendOnly;
    /** A config file read first (a sentinel needs one it can rewrite), or null. */
    private final Path configFile;

    private final List<String> extraArgs;
    private Process process;

    private RedisServer(int port, Path dir, boolean appendOnly, Path configFile, List<String> extraArgs) {
        this.port = port;
        this.dir = dir;
        this.appendOnly = appendOnly;
        this.configFile = configFile;
        this.extraArgs = List.copyOf(extraArgs);
    }

    /** Starts a throw-away Redis (no persistence) in {@code dir}. */
    public static RedisServer start(Path dir) {
        return start(dir, false);
    }

    /** Starts Redis in {@code dir}; with {@code appendOnly} every write is fsynced to its AOF before it answers. */
    public static RedisServer start(Path dir, boolean appendOnly) {
        RedisServer server = new RedisServer(FreePorts.any(), dir.toAbsolutePath(), appendOnly, null, List.of());
        server.restart();
        return server;
    }

    /** Starts a throw-away Redis on {@code port} with more options, e.g. {@code --cluster-enabled yes}. */
    public static RedisServer start(Path dir, int port, List<String> extraArgs) {
        RedisServer server = new RedisServer(port, dir.toAbsolutePath(), false, null, extraArgs);
        server.restart();
        return server;
    }

    /** Starts a sentinel on {@code port}, from {@code config} (which it rewrites as it learns the topology). */
    public static RedisServer startSentinel(Path dir, int port, String config) {
        Path file = dir.toAbsolutePath().resolve("sentinel.conf");
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        RedisServer server = new RedisServer(port, dir.toAbsolutePath(), false, file, List.of("--sentinel"));
        server.restart();
        return server;
    }

    public int port() {
        return port;
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    public Jedis client() {
        return new Jedis("127.0.0.1", port);
    }

    /** Starts (again) on the same port and directory, and waits until it answers PING. */
    public synchronized void restart() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("Redis on port " + port + " is already running");
        }
        Path binary = Binaries.require("redis-server", "redis-server");
        List<String> command = new ArrayList<>(List.of(binary.toString()));
        if (configFile != null) {
            command.add(configFile.toString());
        }
        command.addAll(List.of(
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--dir",
                dir.toString(),
                "--daemonize",
                "no",
                "--logfile",
                dir.resolve("redis.log").toString()));
        if (configFile == null) {
            command.addAll(List.of("--save", ""));
            command.addAll(
                    appendOnly
                            ? List.of("--appendonly", "yes", "--appendfsync", "always")
                            : List.of("--appendonly", "no"));
        }
        command.addAll(extraArgs);
        try {
            Files.createDirectories(dir);
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis.out").toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start " + command, e);
        }
        awaitPing();
    }

    /** Brings the server back if a test stopped or killed it. */
    public synchronized void restartIfStopped() {
        if (process == null || !process.isAlive()) {
            restart();
        }
    }

    /** A clean stop: Redis finishes what it was doing and exits. */
    public synchronized void stop() {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        awaitExit();
    }

    /**
     * SIGSTOP (true) or SIGCONT (false): a hung server that still accepts connections and buffers what it is sent,
     * running it when it goes on.
     */
    public synchronized void freeze(boolean frozen) {
        if (process == null || !process.isAlive()) {
            throw new IllegalStateException("Redis on port " + port + " is not running");
        }
        String signal = frozen ? "-STOP" : "-CONT";
        try {
            Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).start();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill " + signal + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGKILL: Redis dies mid-stride, as in a crash. */
    public synchronized void kill() {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroyForcibly();
        awaitExit();
    }

    @Override
    public void close() {
        kill();
    }

    private void awaitExit() {
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitPing() {
        Instant deadline = Instant.now().plus(START_LIMIT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited at start; see " + dir.resolve("redis.log"));
            }
            try (Jedis jedis = client()) {
                if ("PONG".equals(jedis.ping())) {
                    return;
                }
            } catch (RuntimeException notYet) {
                // Still starting, or loading its AOF.
            }
            Pause.of(Duration.ofMillis(50));
        }
        throw new IllegalStateException("redis-server did not answer within " + START_LIMIT);
    }
}
