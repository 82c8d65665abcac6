package io.ticketrush.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.Jedis;

/**
 * The whole topology as a user runs it: {@code payara/cluster.sh} with its own run directory and free ports,
 * so it never meets a cluster a user is running, from a shell with Debian's default descriptor limit. Stopping is
 * the script's own {@code down}.
 */
public final class Cluster {

    public static final int INSTANCES = 4;
    public static final int[] WEIGHTS = {1, 2, 3, 4};
    public static final String DB_PASSWORD = "it-db-password";
    private static final long SCRIPT_LIMIT_SECONDS = 300;
    /** Debian's default soft limit of open files in a login shell. */
    private static final int LOGIN_SHELL_FILE_LIMIT = 1024;

    private final Path runDir;
    private final int basePort;
    private final int nginxPort;
    private final int redisPort;
    private final int pgPort;
    private final Map<String, String> extraEnv;

    public Cluster(Path runDir, Map<String, String> extraEnv) {
        this.runDir = runDir.toAbsolutePath();
        this.basePort = FreePorts.range(INSTANCES);
        this.nginxPort = FreePorts.any();
        this.redisPort = FreePorts.any();
        this.pgPort = FreePorts.any();
        this.extraEnv = extraEnv;
    }

    public Path runDir() {
        return runDir;
    }

    public int redisPort() {
        return redisPort;
    }

    public int instancePort(int instance) {
        return basePort + instance - 1;
    }

    /** The API through nginx, as clients see it. */
    public Api nginx() {
        return Api.onPort(nginxPort);
    }

    /** One instance's API, bypassing nginx. */
    public Api instance(int instance) {
        return Api.onPort(instancePort(instance));
    }

    public String up() {
        return run("up");
    }

    public String down() {
        return run("down");
    }

    /** {@link #down()}, then the cluster's PostgreSQL data removed too: a test's last down leaves nothing behind. */
    public String downAndPurge() {
        String out = down();
        purgeDatabase(runDir);
        return out;
    }

    /**
     * Removes the PostgreSQL data cluster.sh made for {@code runDir}. As root it lives outside RUN_DIR, under
     * {@code ~postgres/ticketrush/}, behind the link RUN_DIR/postgres, so deleting target/ would not reach it;
     * otherwise it is inside RUN_DIR and goes with it.
     */
    public static void purgeDatabase(Path runDir) {
        Path link = runDir.resolve("postgres");
        if (!Files.isSymbolicLink(link)) {
            return;
        }
        try {
            Path data = link.getParent().resolve(Files.readSymbolicLink(link)).normalize();
            if (data.getParent() == null
                    || !"ticketrush".equals(data.getParent().getFileName().toString())) {
                throw new IllegalStateException(link + " points at " + data + ", not a ticketrush data directory");
            }
            TestDirs.fresh(data);
            Files.delete(link);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String status() {
        return run("status");
    }

    /** The pid in the instance's pid file, or -1 when there is none. */
    public long instancePid(int instance) {
        return pid(runDir.resolve("instance-" + instance).resolve("instance.pid"));
    }

    public long nginxPid() {
        return pid(runDir.resolve("nginx").resolve("nginx.pid"));
    }

    public long redisPid() {
        return pid(runDir.resolve("redis").resolve("redis.pid"));
    }

    /** Every pid the cluster's pid files name. */
    public List<Long> pids() {
        List<Long> pids = new ArrayList<>();
        for (int i = 1; i <= INSTANCES; i++) {
            pids.add(instancePid(i));
        }
        pids.add(nginxPid());
        pids.add(redisPid());
        pids.add(pid(runDir.resolve("postgres").resolve("data").resolve("postmaster.pid")));
        pids.removeIf(pid -> pid < 0);
        return pids;
    }

    /** SIGKILL to one instance: a crash, no shutdown hooks, connections cut mid-request. */
    public void kill(int instance) {
        long pid = instancePid(instance);
        ProcessHandle.of(pid).ifPresent(process -> {
            process.destroyForcibly();
            process.onExit().join();
        });
    }

    /** SIGKILL to the Redis cluster.sh started: no shutdown, no final write; it restarts from its AOF. */
    public void killRedis() {
        ProcessHandle.of(redisPid()).ifPresent(process -> {
            process.destroyForcibly();
            process.onExit().join();
        });
    }

    /** SIGSTOP (true) or SIGCONT (false) to Redis: a hung server that still accepts connections. */
    public void freezeRedis(boolean frozen) {
        freeze(redisPid(), frozen);
    }

    /** SIGSTOP (true) or SIGCONT (false) to one instance: it takes requests and never answers them. */
    public void freeze(int instance, boolean frozen) {
        freeze(instancePid(instance), frozen);
    }

    private static void freeze(long pid, boolean frozen) {
        try {
            Process kill = new ProcessBuilder("kill", frozen ? "-STOP" : "-CONT", Long.toString(pid)).start();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill " + (frozen ? "-STOP" : "-CONT") + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGINT to the cluster's PostgreSQL (fast shutdown); {@link #up()} starts it again. */
    public void stopPostgres() {
        long pid = pid(runDir.resolve("postgres").resolve("data").resolve("postmaster.pid"));
        ProcessHandle.of(pid).ifPresent(process -> {
            try {
                new ProcessBuilder("kill", "-INT", Long.toString(pid)).start().waitFor();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process.onExit().join();
        });
    }

    /** A connection to the cluster's PostgreSQL, to check what the hand-off wrote. */
    public Connection database() throws SQLException {
        return DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + pgPort + "/ticketrush", "ticketrush", DB_PASSWORD);
    }

    /** A client straight to the cluster's Redis, for checking what the service answered against what it holds. */
    public Jedis redis() {
        return new Jedis("127.0.0.1", redisPort);
    }

    public static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private String run(String command) {
        Map<String, String> env = new HashMap<>(Map.of(
                "BASE_PORT",
                Integer.toString(basePort),
                "NGINX_PORT",
                Integer.toString(nginxPort),
                "REDIS_PORT",
                Integer.toString(redisPort),
                "PG_PORT",
                Integer.toString(pgPort)));
        env.putAll(extraEnv);
        return script(runDir, command, env);
    }

    /**
     * Runs {@code payara/cluster.sh command} with run directory {@code runDir}, the given settings, PATH and HOME,
     * and nothing else of the caller's environment; fails with its output when it exits non-zero.
     */
    public static String script(Path runDir, String command, Map<String, String> settings) {
        Result result = tryScript(runDir, command, settings);
        if (result.exitCode() != 0) {
            throw new IllegalStateException(
                    "cluster.sh " + command + " failed (" + result.exitCode() + "):\n" + result.output());
        }
        return result.output();
    }

    /** What cluster.sh printed (standard output and error) and its exit code. */
    public record Result(int exitCode, String output) {}

    /** Like {@link #script} but returns a failure instead of throwing, for tests of what cluster.sh refuses. */
    public static Result tryScript(Path runDir, String command, Map<String, String> settings) {
        Path script = Path.of(System.getProperty("ticketrush.basedir", ".")).resolve("payara/cluster.sh");
        // From a shell with Debian's default soft limit of 1,024 descriptors, as a user's login shell has: cluster.sh
        // must give nginx what a crowd needs itself (SharedSoldOutIT opens 2,000 connections at once).
        ProcessBuilder builder = new ProcessBuilder(
                        "bash",
                        "-c",
                        "ulimit -Sn " + LOGIN_SHELL_FILE_LIMIT + " 2>/dev/null; exec bash \"$0\" \"$@\"",
                        script.toString(),
                        command)
                .redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        // Nothing a developer exported for their own cluster (TICKETS, REDIS_MODE, the instances' REDIS_* and
        // DB_* keys, ...) reaches the test's: only PATH, HOME and what the test sets.
        env.clear();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"));
        env.put("HOME", System.getProperty("user.home"));
        env.put("RUN_DIR", runDir.toAbsolutePath().toString());
        env.putAll(settings);
        try {
            Files.createDirectories(runDir);
            Path output = runDir.resolve("cluster-sh-" + command + ".out");
            Process process = builder.redirectOutput(output.toFile()).start();
            if (!process.waitFor(SCRIPT_LIMIT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(
                        "cluster.sh " + command + " did not finish in " + SCRIPT_LIMIT_SECONDS + " s");
            }
            String text = Files.readString(output, StandardCharsets.UTF_8);
            System.out.println("[cluster.sh " + command + " in " + runDir + "]\n" + text);
            return new Result(process.exitValue(), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The pid in pid file {@code file}, or -1 when there is none. */
    public static long pid(Path file) {
        try {
            return Files.isRegularFile(file)
                    ? Long.parseLong(Files.readAllLines(file).get(0).trim())
                    : -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** Environment that every test cluster shares: the tests' admin token, short start-up patience. */
    public static Map<String, String> testEnv(Map<String, String> more) {
        Map<String, String> env = new HashMap<>(
                Map.of("ADMIN_TOKEN", Api.ADMIN_TOKEN, "START_TIMEOUT", "240", "DB_PASSWORD", DB_PASSWORD));
        env.putAll(more);
        return env;
    }
}
