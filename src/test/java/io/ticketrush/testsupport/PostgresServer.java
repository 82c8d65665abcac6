package io.ticketrush.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A real PostgreSQL on a free loopback port, with a throw-away data directory, started and stopped by a test.
 * As root it runs as the system user postgres (PostgreSQL refuses root), through setpriv, which execs, so the
 * process this class holds is the postmaster itself.
 */
public final class PostgresServer implements AutoCloseable {

    public static final String DATABASE = "ticketrush";
    public static final String USER = "ticketrush";
    private static final Duration START_LIMIT = Duration.ofSeconds(60);

    private final Path dir;
    private final int port;
    private final Path bin;
    private Process process;

    private PostgresServer(Path dir, int port, Path bin) {
        this.dir = dir;
        this.port = port;
        this.bin = bin;
    }

    /** initdb in a fresh {@code dir}, start, create the database. */
    public static PostgresServer start(Path dir) {
        PostgresServer server = new PostgresServer(dir.toAbsolutePath(), FreePorts.any(), binaries());
        server.initdb();
        server.restart();
        try (Connection connection = server.connect("postgres")) {
            connection.createStatement().execute("CREATE DATABASE " + DATABASE);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot create the test database", e);
        }
        return server;
    }

    public int port() {
        return port;
    }

    public Connection connect() throws SQLException {
        return connect(DATABASE);
    }

    /** Starts the server on its data directory and waits until it accepts connections. */
    public synchronized void restart() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("PostgreSQL on port " + port + " is already running");
        }
        process = run(List.of(bin.resolve("postgres").toString(), "-D", dir.resolve("data").toString(),
                "-p", Integer.toString(port), "-k", dir.toString(), "-c", "listen_addresses=127.0.0.1"),
                dir.resolve("postgres.log"));
        Instant deadline = Instant.now().plus(START_LIMIT);
        while (true) {
            try (Connection ignored = connect("postgres")) {
                return;
            } catch (SQLException notYet) {
                if (!process.isAlive() || Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("PostgreSQL did not start; see " + dir.resolve("postgres.log"), notYet);
                }
                RedisServer.sleep(Duration.ofMillis(100));
            }
        }
    }

    /** SIGINT: PostgreSQL's fast shutdown, which does not wait for clients to disconnect. */
    public synchronized void stop() {
        if (process != null && process.isAlive()) {
            signal("-INT");
            process.onExit().join();
        }
    }

    @Override
    public synchronized void close() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.onExit().join();
        }
    }

    private Connection connect(String database) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, USER, "");
    }

    private void initdb() {
        try {
            if (Files.exists(dir)) {
                try (var paths = Files.walk(dir)) {
                    paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
            Files.createDirectories(dir);
            if (isRoot()) {
                UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
                Files.setOwner(dir, postgres);
                requireReachable(dir);
            }
            Process initdb = run(List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(),
                    "-U", USER, "--auth=trust", "-E", "UTF8"), dir.resolve("initdb.log"));
            if (initdb.waitFor() != 0) {
                throw new IllegalStateException("initdb failed; see " + dir.resolve("initdb.log"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * As root PostgreSQL runs as postgres, which must be able to enter every directory above its data; a clone
     * under {@code mktemp -d} (mode 700) is not. Fails naming the first directory it cannot enter.
     */
    private void requireReachable(Path target) throws IOException, InterruptedException {
        Path path = target.toAbsolutePath().getRoot();
        for (Path part : target.toAbsolutePath()) {
            path = path.resolve(part);
            Process test = run(List.of("test", "-x", path.toString()), dir.resolve("reach.log"));
            if (test.waitFor() != 0) {
                throw new IllegalStateException("PostgreSQL runs as the user postgres, which cannot enter " + path
                        + " (" + PosixFilePermissions.toString(Files.getPosixFilePermissions(path))
                        + "); build from a directory others may enter, or: chmod o+x " + path);
            }
        }
    }

    private Process run(List<String> command, Path log) {
        List<String> full = new ArrayList<>();
        if (isRoot()) {
            full.addAll(List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"));
        }
        full.addAll(command);
        try {
            return new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot run " + full, e);
        }
    }

    private void signal(String signal) {
        try {
            new ProcessBuilder("kill", signal, Long.toString(process.pid())).start().waitFor();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** The newest installed PostgreSQL's server binaries, or a failure naming the package to install. */
    private static Path binaries() {
        Path versions = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(versions)) {
            try (var dirs = Files.list(versions)) {
                var newest = dirs.map(d -> d.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                        .max(Comparator.comparing(b -> Integer.parseInt(b.getParent().getFileName().toString().replaceAll("\\D", "0"))));
                if (newest.isPresent()) {
                    return newest.get();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        try {
            return Binaries.require("initdb", "postgresql").toRealPath().getParent();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
