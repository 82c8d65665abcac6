package io.ticketrush.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.ticketrush.testsupport.Api;
import io.ticketrush.testsupport.Cluster;
import io.ticketrush.testsupport.SharedCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every curl example of README.md and docs/*.md, run against the shared cluster as a reader would run it, so the
 * docs cannot drift from the system. A file's {@code ```bash} blocks run in order in one bash (later blocks use what
 * earlier ones set), with {@code set -euo pipefail}, {@code BASE} and {@code ADMIN_TOKEN} set to the cluster's, the
 * default addresses (nginx on 8080, instances on 3001-3004) replaced by the cluster's, and {@code concert} by a sale
 * of the run's own. Each command must succeed, and the answers its comment lines show ({@code # {"code":…}}) must
 * match what it printed: the same code, the same msg ({@code …} standing for anything) and data null or not. A block
 * holding curl that is not {@code ```bash} or {@code ```sh}, or that cannot run against a test cluster, says why in a
 * first line {@code # not run by DocsExamplesIT: …}; output shown as {@code ```text} or {@code ```json} is not run.
 */
@ExtendWith(SharedCluster.class)
class DocsExamplesIT {

    static final String NOT_RUN = "# not run by DocsExamplesIT:";
    private static final Pattern FENCE = Pattern.compile("^```(\\S*)\\s*$");
    private static final Pattern CURL = Pattern.compile("(^|[\\s($|;])curl\\s");
    private static final Pattern OPENS = Pattern.compile("\\b(do|then)\\b");
    private static final Pattern CLOSES = Pattern.compile("\\b(done|fi)\\b");
    private static final Pattern CODE = Pattern.compile("^\\{\"code\":(-?\\d+),\"msg\":\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final long BLOCKS_LIMIT_SECONDS = 300;

    private static final Path ROOT =
            Path.of(System.getProperty("ticketrush.basedir", ".")).toAbsolutePath();

    @TestFactory
    Stream<DynamicTest> runsEveryCurlExampleOfTheDocs(Cluster cluster) throws IOException {
        List<Path> docs = new ArrayList<>();
        docs.add(ROOT.resolve("README.md"));
        try (Stream<Path> files = Files.list(ROOT.resolve("docs"))) {
            files.filter(file -> file.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        return docs.stream()
                .map(doc -> DynamicTest.dynamicTest(ROOT.relativize(doc).toString(), () -> runExamples(doc, cluster)));
    }

    /** A fenced block: its language, the line of its first content line, its text. */
    record Block(String language, int line, List<String> lines) {

        boolean mentionsCurl() {
            return lines.stream()
                    .anyMatch(line ->
                            !line.strip().startsWith("#") && CURL.matcher(line).find());
        }

        boolean marked() {
            return lines.stream()
                    .filter(line -> !line.isBlank())
                    .findFirst()
                    .map(line -> line.startsWith(NOT_RUN)
                            && !line.substring(NOT_RUN.length()).isBlank())
                    .orElse(false);
        }

        boolean bash() {
            return language.equals("bash") || language.equals("sh");
        }
    }

    /** One command (several lines when continued or a loop) and the answers shown under it. */
    record Step(Block block, int line, String command, List<String> shown) {}

    static List<Block> blocks(List<String> lines) {
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher open = FENCE.matcher(lines.get(i));
            if (!open.matches()) {
                continue;
            }
            int first = i + 1;
            int end = first;
            while (end < lines.size() && !lines.get(end).startsWith("```")) {
                end++;
            }
            blocks.add(new Block(open.group(1), first + 1, List.copyOf(lines.subList(first, end))));
            i = end;
        }
        return blocks;
    }

    /** The block's commands: a line ending in a backslash, or opening a loop or if not yet closed, goes on. */
    static List<Step> steps(Block block) {
        List<Step> steps = new ArrayList<>();
        List<String> lines = block.lines();
        int i = 0;
        while (i < lines.size()) {
            String line = lines.get(i);
            if (line.isBlank() || line.strip().startsWith("#")) {
                i++;
                continue;
            }
            int start = i;
            StringBuilder command = new StringBuilder();
            int depth = 0;
            while (true) {
                String current = lines.get(i);
                command.append(current).append('\n');
                depth += count(OPENS, current) - count(CLOSES, current);
                i++;
                if (i >= lines.size() || (!current.endsWith("\\") && depth <= 0)) {
                    break;
                }
            }
            List<String> shown = new ArrayList<>();
            while (i < lines.size() && lines.get(i).startsWith("#")) {
                String comment = lines.get(i).substring(1).strip();
                if (comment.startsWith("{")) {
                    shown.add(comment);
                }
                i++;
            }
            steps.add(new Step(block, block.line() + start, command.toString(), shown));
        }
        return steps;
    }

    private static int count(Pattern pattern, String line) {
        String code = line.contains(" #") ? line.substring(0, line.indexOf(" #")) : line;
        Matcher matcher = pattern.matcher(code);
        int n = 0;
        while (matcher.find()) {
            n++;
        }
        return n;
    }

    private static void runExamples(Path doc, Cluster cluster) throws IOException, InterruptedException {
        String name = ROOT.relativize(doc).toString();
        List<Step> steps = new ArrayList<>();
        String concert = "concert-" + UUID.randomUUID().toString().substring(0, 8);
        for (Block block : blocks(Files.readAllLines(doc, StandardCharsets.UTF_8))) {
            if (block.language().equals("text") || block.language().equals("json") || block.marked()) {
                continue;
            }
            if (!block.bash()) {
                assertTrue(
                        !block.mentionsCurl(),
                        name + ":" + block.line() + ": a block with curl that is neither" + " ```bash nor marked '"
                                + NOT_RUN + " <why>'");
                continue;
            }
            steps.addAll(steps(localised(block, cluster, concert)));
        }
        if (steps.isEmpty()) {
            return;
        }
        Path dir = Files.createDirectories(
                cluster.runDir().resolveSibling("docs-examples").resolve(name.replace('/', '_')));
        StringBuilder script = new StringBuilder("set -euo pipefail\ncd '" + ROOT + "'\n");
        for (int i = 0; i < steps.size(); i++) {
            script.append("echo ")
                    .append(i)
                    .append(" >\"$OUT/current\"\n")
                    .append("{\n")
                    .append(steps.get(i).command())
                    .append("} >\"$OUT/")
                    .append(i)
                    .append(".out\" 2>\"$OUT/")
                    .append(i)
                    .append(".err\"\n");
        }
        script.append("echo done >\"$OUT/current\"\n");
        Path file = dir.resolve("examples.sh");
        Files.writeString(file, script);

        ProcessBuilder builder = new ProcessBuilder("bash", file.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("bash.log").toFile());
        builder.environment().clear();
        builder.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
        builder.environment().put("HOME", System.getProperty("user.home"));
        builder.environment().put("OUT", dir.toString());
        builder.environment()
                .put("BASE", "http://127.0.0.1:" + cluster.nginx().base().getPort());
        builder.environment().put("ADMIN_TOKEN", Api.ADMIN_TOKEN);
        Process bash = builder.start();
        if (!bash.waitFor(BLOCKS_LIMIT_SECONDS, TimeUnit.SECONDS)) {
            bash.destroyForcibly();
            fail(name + ": the examples did not finish in " + BLOCKS_LIMIT_SECONDS + " s; at "
                    + describe(
                            steps, dir, Files.readString(dir.resolve("current")).strip()));
        }
        String reached = Files.readString(dir.resolve("current")).strip();
        if (bash.exitValue() != 0) {
            fail(name + ": an example failed (exit " + bash.exitValue() + "): " + describe(steps, dir, reached));
        }
        assertEquals("done", reached, name);
        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            if (step.shown().isEmpty()) {
                continue;
            }
            List<String> printed = Files.readAllLines(dir.resolve(i + ".out")).stream()
                    .filter(line -> line.startsWith("{"))
                    .toList();
            String problem = compare(step.shown(), printed);
            if (problem != null) {
                mismatches.add(name + ":" + step.line() + ": " + step.command().strip() + "\n    " + problem);
            }
        }
        assertTrue(mismatches.isEmpty(), "answers other than the docs show:\n" + String.join("\n", mismatches));
        System.out.println("[DocsExamplesIT] " + name + ": " + steps.size() + " commands ran as shown");
    }

    /** The block as it runs here: the cluster's addresses, and a sale of this run's own for the docs' concert. */
    private static Block localised(Block block, Cluster cluster, String concert) {
        List<String> lines = new ArrayList<>();
        for (String line : block.lines()) {
            String local = line.replace(
                    "http://127.0.0.1:8080",
                    "http://127.0.0.1:" + cluster.nginx().base().getPort());
            for (int i = 1; i <= Cluster.INSTANCES; i++) {
                local = local.replace("127.0.0.1:" + (3000 + i), "127.0.0.1:" + cluster.instancePort(i));
            }
            lines.add(local.replaceAll("\\bconcert\\b", concert));
        }
        return new Block(block.language(), block.line(), lines);
    }

    /** Null when each answer printed has the code, msg and null-or-not data of the one shown, else what differs. */
    static String compare(List<String> shown, List<String> printed) {
        if (shown.size() != printed.size()) {
            return "shows " + shown.size() + " answers, printed " + printed.size() + ": " + printed;
        }
        for (int i = 0; i < shown.size(); i++) {
            Matcher expected = CODE.matcher(shown.get(i));
            Matcher actual = CODE.matcher(printed.get(i));
            if (!expected.find()) {
                return "a shown answer that is not the envelope: " + shown.get(i);
            }
            if (!actual.find()) {
                return "printed an answer that is not the envelope: " + printed.get(i);
            }
            Pattern msg = Pattern.compile(Pattern.quote(expected.group(2)).replace("…", "\\E.*\\Q"));
            boolean nullData = shown.get(i).endsWith("\"data\":null}");
            if (!expected.group(1).equals(actual.group(1))
                    || !msg.matcher(actual.group(2)).matches()
                    || nullData != printed.get(i).endsWith("\"data\":null}")) {
                return "shows " + shown.get(i) + "\n    printed " + printed.get(i);
            }
        }
        return null;
    }

    private static String describe(List<Step> steps, Path dir, String reached) throws IOException {
        if (!reached.matches("\\d+")) {
            return "before the first command; see " + dir.resolve("bash.log");
        }
        int i = Integer.parseInt(reached);
        Step step = steps.get(i);
        return "line " + step.line() + ":\n" + step.command() + "printed:\n" + read(dir.resolve(i + ".out"))
                + "error output:\n" + read(dir.resolve(i + ".err"));
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file) : "";
    }
}
