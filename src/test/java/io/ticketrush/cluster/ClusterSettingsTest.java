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

        assertEquals(declared, documentedTable(),
                "docs/configuration.md's settings table differs from payara/lib/settings.sh; regenerate it with: "
                        + REGENERATE);
    }

    @Test
    void usageListsEverySetting() {
        String usage = clusterSh("--help");
        List<String> names = names(clusterSh("settings", "--markdown"));

        assertTrue(names.size() > 20, "settings found: " + names);
        for (String name : names) {
            assertTrue(Pattern.compile("^  " + name + " ", Pattern.MULTILINE).matcher(usage).find(),
                    name + " is missing from cluster.sh's usage:\n" + usage);
        }
    }

    @Test
    void declaresEachSettingOnlyInSettingsSh() throws IOException {
        List<String> elsewhere = new ArrayList<>();
        List<Path> scripts = new ArrayList<>(List.of(BASEDIR.resolve("payara/cluster.sh")));
        try (Stream<Path> lib = Files.list(BASEDIR.resolve("payara/lib"))) {
            lib.filter(file -> file.toString().endsWith(".sh") && !file.endsWith("settings.sh")).forEach(scripts::add);
        }
        for (Path script : scripts) {
            Matcher matcher = SELF_DEFAULT.matcher(Files.readString(script, StandardCharsets.UTF_8));
            while (matcher.find()) {
                elsewhere.add(BASEDIR.relativize(script) + ": " + matcher.group(1));
            }
        }

        assertEquals(List.of(), elsewhere, "declare these with setting NAME 'default' 'help' in payara/lib/settings.sh");
    }

    private static String documentedTable() throws IOException {
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        int begin = doc.indexOf(BEGIN + "\n");
        int end = doc.indexOf("\n" + END);
        assertFalse(begin < 0 || end < begin, "docs/configuration.md lacks the lines " + BEGIN + " and " + END
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
        List<String> command = new ArrayList<>(List.of("bash", BASEDIR.resolve("payara/cluster.sh").toString()));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().clear();
        builder.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        builder.environment().put("HOME", System.getProperty("user.home"));
        try {
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "cluster.sh did not finish");
            assertEquals(0, process.exitValue(), "cluster.sh " + String.join(" ", arguments) + " failed:\n" + output);
            return output;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
