package io.ticketrush.fairness;

import io.ticketrush.queue.QueueDraw;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The command line of the verifier: recomputes a queued sale's order from what
 * {@code GET /queue/{eventId}/fairness} publishes and checks it against the commitment (docs/fairness.md):
 * {@code java -cp 'target/classes:target/verifier-lib/*' io.ticketrush.fairness.FairnessVerifier <baseUrl>
 * <eventId> [--out file] [--commitment hex]}.
 * Exit status 0 when every check passed, 1 when one failed, 2 when it could not check (usage, network, the
 * queue not open yet).
 */
public final class FairnessVerifier {

    static final int VERIFIED = 0;
    static final int MISMATCH = 1;
    static final int CANNOT_CHECK = 2;

    private static final String USAGE = "usage: java -cp 'target/classes:target/verifier-lib/*' "
            + FairnessVerifier.class.getName() + " <baseUrl> <eventId> [--out file] [--commitment hex]\n"
            + "  fetches <baseUrl>/queue/<eventId>/fairness, checks the seed against its commitment and the\n"
            + "  pre-queue against its digest, and writes the order, one line per position: \"position place\".\n"
            + "  --commitment: the one you saved before opensAt; fails if the service now publishes another.\n"
            + "  exit 0: verified; 1: a check failed; 2: could not check (usage, network, not open yet)";

    private FairnessVerifier() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** {@link #main} without the exit, for tests in any package: the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        String baseUrl = null;
        String eventId = null;
        Path outFile = null;
        String saved = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--out") && i + 1 < args.length) {
                outFile = Path.of(args[++i]);
            } else if (args[i].equals("--commitment") && i + 1 < args.length) {
                saved = args[++i];
            } else if (args[i].startsWith("-")) {
                err.println(USAGE);
                return CANNOT_CHECK;
            } else if (baseUrl == null) {
                baseUrl = args[i];
            } else if (eventId == null) {
                eventId = args[i];
            } else {
                err.println(USAGE);
                return CANNOT_CHECK;
            }
        }
        if (eventId == null) {
            err.println(USAGE);
            return CANNOT_CHECK;
        }
        try {
            return check(baseUrl, eventId, outFile, saved, out, err);
        } catch (IOException | IllegalArgumentException e) {
            err.println("event " + eventId + ": cannot check: " + e.getMessage());
            return CANNOT_CHECK;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("event " + eventId + ": interrupted");
            return CANNOT_CHECK;
        } catch (NoClassDefFoundError e) {
            // Run without target/verifier-lib: exit 1 would read as a check that failed.
            err.println("event " + eventId + ": cannot check: JSON-P is not on the class path: " + e.getMessage());
            return CANNOT_CHECK;
        }
    }

    private static int check(
            String baseUrl, String eventId, Path outFile, String saved, PrintStream out, PrintStream err)
            throws IOException, InterruptedException {
        Published published = FairnessPages.fetch(baseUrl, eventId);
        if (saved != null && !saved.equalsIgnoreCase(published.commitment())) {
            err.println("event " + eventId + ": MISMATCH: the commitment published now is " + published.commitment()
                    + ", not the one saved before: " + saved);
            return MISMATCH;
        }
        if (published.frozen() == null || published.seed() == null) {
            err.println("event " + eventId + ": cannot check yet: the commitment is " + published.commitment()
                    + "; the pre-queue is frozen and the seed revealed when the queue opens (opensAt "
                    + published.opensAt() + ")");
            return CANNOT_CHECK;
        }
        DrawCheck.Result result = DrawCheck.verify(published);
        if (!result.verified()) {
            for (String problem : result.problems()) {
                err.println("event " + eventId + ": MISMATCH: " + problem);
            }
            return MISMATCH;
        }
        String summary = "event " + eventId + ": verified " + QueueDraw.ALGORITHM + " version "
                + QueueDraw.VERSION + ": " + result.order().length + " places in the pre-queue, the seed matches"
                + " the commitment " + published.commitment() + ", places 1.." + result.order().length
                + " match the digest " + published.frozen().digest();
        if (outFile == null) {
            out.println(summary);
            writeOrder(result.order(), new PrintWriter(out, false, StandardCharsets.UTF_8));
        } else {
            try (Writer writer = Files.newBufferedWriter(outFile, StandardCharsets.UTF_8)) {
                writeOrder(result.order(), writer);
            }
            out.println(summary + "; order written to " + outFile);
        }
        return VERIFIED;
    }

    /** One line per position, "position place", position 1 first. */
    private static void writeOrder(long[] order, Writer writer) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < order.length; i++) {
            line.setLength(0);
            writer.append(line.append(i + 1).append(' ').append(order[i]).append('\n'));
        }
        writer.flush();
    }
}
