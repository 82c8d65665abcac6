package io.ticketrush.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * cluster.sh's settings are declared once, in payara/lib/settings.sh, and what lists them (its usage text,
 * docs/configuration.md's table) agrees with that declaration. Runs bash, starts no server.
 */
class ClusterSettingsTest {

    private static final Path BASEDIR = Path.of(System.getProperty("ticketrush.basedir", "."));
    private static final Path DOC = BASEDIR.resolve("docs/configuration.md");
    private static final String BEGIN = "<!-- settings:begin -->";
    private static final String END = "<!-- settings:end -->";
    private static final String REGENERATE = "payara/cluster.sh settings --write-docs";
    private static final Pattern TABLE_ROW = Pattern.compile("^\\| `([A-Z_]+)` \\|", Pattern.MULTILINE);
    /** A setting given its default outside settings.sh: {@code NAME=${NAME:-...}} at the top level of a script. */
    private static final Pattern SELF_DEFAULT = Pattern.compile("^([A-Z_]+)=\"?\\$\\{\\1:-", Pattern.MULTILINE);

    @Test
    void documentsEverySettingAsDeclared() throws IOException {
        String declared = clusterSh("settings", "--markdown");

        assertEquals(
                declared,
                documentedTable(),
                "docs/configuration.md's settings table differs from payara/lib/settings.sh; regenerate it with: "
                        + REGENERATE);
    }

    @Test
    void usageListsEverySetting() {
        String usage = clusterSh("--help");
        List<String> names = names(clusterSh("settings", "--markdown"));

        assertTrue(names.size() > 20, "settings found: " + names);
        for (String name : names) {
            assertTrue(
                    Pattern.compile("^  " + name + " ", Pattern.MULTILINE)
                            .matcher(usage)
                            .find(),
                    name + " is missing from cluster.sh's usage:\n" + usage);
        }
    }

    @Test
    void declaresEachSettingOnlyInSettingsSh() throws IOException {
        List<String> elsewhere = new ArrayList<>();
        List<Path> scripts = new ArrayList<>(List.of(BASEDIR.resolve("payara/cluster.sh")));
        try (Stream<Path> lib = Files.list(BASEDIR.resolve("payara/lib"))) {
            lib.filter(file -> file.toString().endsWith(".sh") && !file.endsWith("settings.sh"))
                    .forEach(scripts::add);
        }
        for (Path script : scripts) {
            Matcher matcher = SELF_DEFAULT.matcher(Files.readString(script, StandardCharsets.UTF_8));
            while (matcher.find()) {
                elsewhere.add(BASEDIR.relativize(script) + ": " + matcher.group(1));
            }
        }

        assertEquals(
                List.of(), elsewhere, "declare these with setting NAME 'default' 'help' in payara/lib/settings.sh");
    }

    @Test
    void givesNginxItsDescriptorsFromADefaultShellOrSaysWhatToChange() {
        // Debian's defaults for a login shell are a soft limit of 1,024; a hard limit of 2,048 is lower than most.
        String lowLimits = "ulimit -Sn 1024 && ulimit -Hn 2048 && ";
        Result defaults = nginxLimits(lowLimits, "");
        if (bash(lowLimits + "(ulimit -Hn 17408)", "").exitCode() == 0) {
            assertEquals(
                    0,
                    defaults.exitCode(),
                    "a shell that may raise its hard limit gives nginx its 17,408: " + defaults);
        } else {
            assertEquals(1, defaults.exitCode(), defaults.output());
            assertTrue(
                    defaults.output()
                            .contains("NGINX_FILE_LIMIT=17408 open files each, but this shell may open at most 2048"),
                    defaults.output());
            assertTrue(
                    defaults.output().contains("ulimit -Hn 17408")
                            && defaults.output().contains("/etc/security/limits.conf")
                            && defaults.output()
                                    .contains(
                                            "NGINX_WORKER_CONNECTIONS=1536 NGINX_FILE_LIMIT=2048 NGINX_MAX_ACTIVE=512"),
                    "says what to change: " + defaults.output());
        }
        assertEquals(
                0,
                nginxLimits(lowLimits, "NGINX_WORKER_CONNECTIONS=1000 NGINX_MAX_ACTIVE=500")
                        .exitCode(),
                "fewer connections fit the soft limit's hard ceiling");
        Result tooActive = nginxLimits("", "NGINX_MAX_ACTIVE=20000");
        assertEquals(1, tooActive.exitCode());
        assertTrue(
                tooActive.output().contains("NGINX_MAX_ACTIVE (20000) must be below NGINX_WORKER_CONNECTIONS (16384)"),
                tooActive.output());
        Result notANumber = nginxLimits("", "NGINX_BACKLOG=lots");
        assertTrue(
                notANumber.output().contains("NGINX_BACKLOG must be a positive whole number, not 'lots'"),
                notANumber.output());
    }

    private record Result(int exitCode, String output) {}

    /** check_nginx_limits of payara/lib/nginx.sh in a shell whose limits {@code limits} sets, with {@code settings}. */
    private static Result nginxLimits(String limits, String settings) {
        return bash(
                limits + settings + " bash -c 'ROOT=$0; source \"$ROOT/payara/lib/common.sh\";"
                        + " source \"$ROOT/payara/lib/settings.sh\"; source \"$ROOT/payara/lib/nginx.sh\"; check_nginx_limits' \"$0\"",
                BASEDIR.toAbsolutePath().toString());
    }

    private static Result bash(String script, String argument) {
        return run(new ProcessBuilder("bash", "-c", script, argument).redirectErrorStream(true));
    }

    private static String documentedTable() throws IOException {
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        int begin = doc.indexOf(BEGIN + "\n");
        int end = doc.indexOf("\n" + END);
        assertFalse(
                begin < 0 || end < begin,
                "docs/configuration.md lacks the lines " + BEGIN + " and " + END
                        + " around the settings table; add them, then run " + REGENERATE);
        return doc.substring(begin + BEGIN.length() + 1, end + 1);
    }

    private static List<String> names(String table) {
        List<String> names = new ArrayList<>();
        Matcher matcher = TABLE_ROW.matcher(table);
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }

    /** What cluster.sh prints for the arguments, run with nothing of the caller's environment but PATH and HOME. */
    private static String clusterSh(String... arguments) {
        List<String> command = new ArrayList<>(
                List.of("bash", BASEDIR.resolve("payara/cluster.sh").toString()));
        command.addAll(List.of(arguments));
        Result result = run(new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT));
        assertEquals(
                0, result.exitCode(), "cluster.sh " + String.join(" ", arguments) + " failed:\n" + result.output());
        return result.output();
    }

    /** Runs {@code builder} with nothing of the caller's environment but PATH and HOME, for at most 30 seconds. */
    private static Result run(ProcessBuilder builder) {
        builder.environment().clear();
        builder.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        builder.environment().put("HOME", System.getProperty("user.home"));
        try {
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), builder.command() + " did not finish");
            return new Result(process.exitValue(), output);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + builder.command(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
