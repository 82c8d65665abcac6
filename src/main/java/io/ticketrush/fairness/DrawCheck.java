package io.ticketrush.fairness;

import io.ticketrush.queue.QueueDraw;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The checks of a published record against its commitment and digest, and the order they prove. */
final class DrawCheck {

    private DrawCheck() {}

    /** The order (element i is the place at position i + 1) when every check passed; else the problems found. */
    record Result(long[] order, List<String> problems) {

        boolean verified() {
            return problems.isEmpty();
        }
    }

    /** Checks an opened queue's published record, algorithm included. */
    static Result verify(Published published) {
        List<String> problems = new ArrayList<>();
        if (!QueueDraw.ALGORITHM.equals(published.algorithm()) || published.version() != QueueDraw.VERSION) {
            problems.add("the order is made by " + published.algorithm() + " version " + published.version()
                    + "; this verifier knows " + QueueDraw.ALGORITHM + " version " + QueueDraw.VERSION);
            return new Result(new long[0], problems);
        }
        if (published.frozen() == null || published.seed() == null) {
            problems.add("the queue is not open yet: the pre-queue is not frozen or the seed not revealed");
            return new Result(new long[0], problems);
        }
        return verify(
                published.commitment(),
                published.seed(),
                published.frozen().size(),
                published.frozen().digest(),
                published.places());
    }

    /**
     * Checks the seed against the commitment and the first {@code size} place hashes against the digest, and
     * recomputes the order.
     */
    static Result verify(String commitment, String seedHex, long size, String digest, List<String> placeHashes) {
        List<String> problems = new ArrayList<>();
        byte[] seed = hexBytes(seedHex, QueueDraw.SEED_BYTES);
        if (seed == null) {
            problems.add("the seed is not " + 2 * QueueDraw.SEED_BYTES + " hex digits: " + seedHex);
        } else if (!QueueDraw.commitment(seed).equalsIgnoreCase(commitment)) {
            problems.add("the seed does not match the commitment: SHA-256 of the seed is " + QueueDraw.commitment(seed)
                    + ", the commitment published is " + commitment);
        }
        if (size < 0 || size > Integer.MAX_VALUE) {
            problems.add("the pre-queue's size is out of range: " + size);
        } else if (placeHashes.size() < size) {
            problems.add("the pre-queue has " + size + " places but only " + placeHashes.size()
                    + " place hashes are published");
        } else {
            List<String> frozen = placeHashes.subList(0, (int) size);
            String actual = QueueDraw.digest(frozen);
            if (!actual.equalsIgnoreCase(digest)) {
                problems.add(
                        "the digest of places 1.." + size + " is " + actual + ", the digest published is " + digest);
            }
            findRepeats(frozen, problems);
        }
        if (hexBytes(digest, 32) == null) {
            problems.add("the digest published is not 64 hex digits: " + digest);
        }
        if (!problems.isEmpty()) {
            return new Result(new long[0], problems);
        }
        QueueDraw queueOrder = QueueDraw.of(seed, digest, size);
        long[] order = new long[(int) size];
        for (int i = 0; i < order.length; i++) {
            order[i] = queueOrder.place(i + 1L);
        }
        return new Result(order, problems);
    }

    /** Bytes of exactly {@code length} from hex, or null. */
    private static byte[] hexBytes(String hex, int length) {
        if (hex == null || hex.length() != 2 * length) {
            return null;
        }
        try {
            return QueueDraw.hex(hex);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** One buyer has one place: the same place hash twice means someone got two. */
    private static void findRepeats(List<String> hashes, List<String> problems) {
        Map<String, Integer> firstPlace = new HashMap<>();
        for (int i = 0; i < hashes.size(); i++) {
            Integer earlier = firstPlace.putIfAbsent(hashes.get(i).toLowerCase(Locale.ROOT), i + 1);
            if (earlier != null) {
                problems.add(
                        "place " + (i + 1) + " has the same place hash as place " + earlier + ": " + hashes.get(i));
            }
        }
    }
}
