package io.ticketrush.bench;

import io.ticketrush.queue.ProofOfWork;
import java.io.BufferedWriter;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * Solved proofs of work for jmeter/bench.sh's join path (p), made before a measured run so that the run measures
 * the instances checking them, not a client solving them. A challenge is stateless — its salt names the event, the
 * buyer and its expiry, and an HMAC under a key derived from {@code queue.secret} signs it — so this makes each one
 * exactly as an instance would for {@code GET /queue/{eventId}/challenge} ({@link ProofOfWork}, with the cluster's
 * secret), then solves it as the buyer's page does: counting up from 0. Challenges expire ten minutes after they are
 * made: a bench makes them just before the run that sends them.
 *
 * <p>Writes one file per wrk thread, {@code pow-<thread>.txt}, each line a new buyer {@code <prefix>-<thread>-<n>},
 * a space, and the join's {@code pow} field form-encoded.
 */
public final class PowMint {

    private static final String USAGE = """
            Usage: QUEUE_SECRET=... PowMint EVENT MAXNUMBER PREFIX PER_THREAD THREADS OUT_DIR
              EVENT       the queued sale the joins are for
              MAXNUMBER   its proofOfWork: a solution takes MAXNUMBER / 2 SHA-256 on average
              PREFIX      keeps these buyers apart from every other run's
              PER_THREAD  buyers for each of THREADS files OUT_DIR/pow-<thread>.txt
            """;

    private PowMint() {}

    public static void main(String[] args) throws IOException {
        String secret = System.getenv("QUEUE_SECRET");
        if (args.length != 6 || secret == null || secret.isBlank()) {
            System.err.print(USAGE);
            System.exit(2);
        }
        String event = args[0];
        long maxNumber = Long.parseLong(args[1]);
        String prefix = args[2].toLowerCase(Locale.ROOT);
        int perThread = Integer.parseInt(args[3]);
        int threads = Integer.parseInt(args[4]);
        Path out = Path.of(args[5]);
        Files.createDirectories(out);
        // As WaitingRoom makes its ProofOfWork from the instances' queue.secret.
        ProofOfWork work = new ProofOfWork(secret.strip().getBytes(StandardCharsets.UTF_8));
        long now = System.currentTimeMillis();
        long begin = System.nanoTime();
        for (int thread = 0; thread < threads; thread++) {
            String buyers = prefix + "-" + thread + "-";
            String[] lines = IntStream.rangeClosed(1, perThread)
                    .parallel()
                    .mapToObj(n -> line(work, event, buyers + n, maxNumber, now))
                    .toArray(String[]::new);
            try (BufferedWriter file = Files.newBufferedWriter(out.resolve("pow-" + thread + ".txt"))) {
                for (String line : lines) {
                    file.write(line);
                    file.write('\n');
                }
            }
        }
        System.err.printf(
                "PowMint: %d solved challenges in %.1f s into %s%n",
                perThread * threads, (System.nanoTime() - begin) / 1e9, out);
    }

    private static String line(ProofOfWork work, String event, String buyer, long maxNumber, long now) {
        ProofOfWork.Challenge challenge = work.challenge(event, buyer, maxNumber, now);
        // The JSON written out rather than built: every value is hex, digits or a salt of URL-encoded parameters,
        // none needs escaping, and jakarta.json's provider lookup per builder cost more than the solving.
        String json = "{\"algorithm\":\"" + challenge.algorithm() + "\",\"challenge\":\"" + challenge.challenge()
                + "\",\"number\":" + solve(challenge) + ",\"salt\":\"" + challenge.salt() + "\",\"signature\":\""
                + challenge.signature() + "\"}";
        String payload = Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
        return buyer + " " + URLEncoder.encode(payload, StandardCharsets.UTF_8);
    }

    /** The number from 0 up whose SHA-256 after the salt is the challenge. */
    private static long solve(ProofOfWork.Challenge challenge) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance(challenge.algorithm());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every JVM has SHA-256", e);
        }
        byte[] target = HexFormat.of().parseHex(challenge.challenge());
        for (long n = 0; n <= challenge.maxnumber(); n++) {
            if (MessageDigest.isEqual(target, sha.digest((challenge.salt() + n).getBytes(StandardCharsets.UTF_8)))) {
                return n;
            }
        }
        throw new IllegalStateException("no number up to " + challenge.maxnumber() + " solves " + challenge);
    }
}
