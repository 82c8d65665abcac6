package io.ticketrush.queue;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.apache.commons.math3.distribution.ChiSquaredDistribution;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The queue draw: a bijection computed place by place, fixed by seed, digest and size, equal to an independent
 * implementation, and statistically uniform. The statistical tests draw their seeds from generators with fixed
 * seeds, so every run tests the same shuffles and a failure reproduces; each states its significance, the chance
 * that a truly uniform shuffle would fail it.
 */
class QueueDrawTest {

    /** The significance of each statistical test. */
    private static final double ALPHA = 0.001;
    /** Seed 00 01 02 … 1f, digest of the place hashes "%032x" of 1..10: the vectors below use them. */
    private static final byte[] VECTOR_SEED = bytesFrom0To31();

    private static final String VECTOR_DIGEST = "c421a64cde5911d4cff51023a967fb147443076efdf2379da5be7edb171186b7";

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 2, 3, 4, 5, 16, 17, 100, 1000, 4096, 4097, 16_385})
    void permutesThePreQueue(long size) {
        assertPermutation(QueueDraw.of(seed(new SplittableRandom(size)), digest(size), size));
    }

    @Test
    void permutesPreQueuesOfRandomSizes() {
        SplittableRandom random = new SplittableRandom(13);
        for (int i = 0; i < 20; i++) {
            long size = random.nextLong(1, 10_000);
            assertPermutation(QueueDraw.of(seed(random), digest(i), size));
        }
    }

    @Test
    void computesAPositionAloneInTheLargestPreQueue() {
        QueueDraw draw = QueueDraw.of(VECTOR_SEED, VECTOR_DIGEST, QueueDraw.MAX_SIZE);

        for (long place : new long[] {1, 2, 12_345, QueueDraw.MAX_SIZE}) {
            long position = draw.position(place);
            assertTrue(position >= 1 && position <= QueueDraw.MAX_SIZE, "position " + position);
            assertEquals(place, draw.place(position));
        }
    }

    @Test
    void placesAfterThePreQueueKeepTheirArrivalOrder() {
        QueueDraw draw = QueueDraw.of(VECTOR_SEED, VECTOR_DIGEST, 100);

        assertEquals(101, draw.position(101));
        assertEquals(1_000_000_000L, draw.position(1_000_000_000L));
        assertEquals(101, draw.place(101));
        assertEquals(7, QueueDraw.of(VECTOR_SEED, VECTOR_DIGEST, 0).position(7), "an empty pre-queue");
    }

    @Test
    void refusesPlacesAndPositionsBelowOne() {
        QueueDraw draw = QueueDraw.of(VECTOR_SEED, VECTOR_DIGEST, 100);

        assertThrows(IllegalArgumentException.class, () -> draw.position(0));
        assertThrows(IllegalArgumentException.class, () -> draw.place(-1));
    }

    @Test
    void refusesASeedOfAnotherLengthAMalformedDigestAndANegativeSize() {
        assertThrows(IllegalArgumentException.class, () -> QueueDraw.of(new byte[31], VECTOR_DIGEST, 10));
        assertThrows(IllegalArgumentException.class, () -> QueueDraw.of(VECTOR_SEED, "abc", 10));
        assertThrows(
                IllegalArgumentException.class, () -> QueueDraw.of(VECTOR_SEED, VECTOR_DIGEST.replace('c', 'g'), 10));
        assertThrows(IllegalArgumentException.class, () -> QueueDraw.of(VECTOR_SEED, VECTOR_DIGEST, -1));
    }

    @Test
    void givesTheSameOrderForTheSameSeedDigestAndSize() {
        long[] first = positions(QueueDraw.of(VECTOR_SEED, VECTOR_DIGEST, 5000));
        long[] again = positions(QueueDraw.of(VECTOR_SEED.clone(), VECTOR_DIGEST.toUpperCase(), 5000));

        assertArrayEquals(first, again);
    }

    @Test
    void givesTheSameOrderFromManyThreadsAtOnce() {
        QueueDraw draw = QueueDraw.of(VECTOR_SEED, VECTOR_DIGEST, 50_000);

        long[] parallel =
                LongStream.rangeClosed(1, 50_000).parallel().map(draw::position).toArray();

        assertArrayEquals(positions(draw), parallel);
    }

    @Test
    void givesAnotherOrderForAnotherSeedDigestOrSize() {
        long[] drawn = positions(QueueDraw.of(VECTOR_SEED, VECTOR_DIGEST, 1000));
        byte[] otherSeed = VECTOR_SEED.clone();
        otherSeed[31] ^= 1;
        String otherDigest = VECTOR_DIGEST.substring(0, 63) + "8";

        assertFalse(Arrays.equals(drawn, positions(QueueDraw.of(otherSeed, VECTOR_DIGEST, 1000))));
        assertFalse(Arrays.equals(drawn, positions(QueueDraw.of(VECTOR_SEED, otherDigest, 1000))));
        long[] oneMore = positions(QueueDraw.of(VECTOR_SEED, VECTOR_DIGEST, 1001));
        assertFalse(Arrays.equals(drawn, Arrays.copyOf(oneMore, 1000)), "a late place changes the key, so the draw");
    }

    /** Vectors from the Python reference implementation in docs/fairness.md, independent of this code. */
    @Test
    void agreesWithTheReferenceImplementation() {
        List<String> hashes = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            hashes.add(String.format("%032x", i));
        }
        assertEquals(VECTOR_DIGEST, QueueDraw.digest(hashes));

        assertArrayEquals(
                new long[] {4, 10, 9, 2, 5, 1, 6, 3, 7, 8},
                places(QueueDraw.of(VECTOR_SEED, VECTOR_DIGEST, 10)),
                "the place at each position");
        assertArrayEquals(new long[] {1, 4, 5, 2, 3}, places(QueueDraw.of(VECTOR_SEED, VECTOR_DIGEST, 5)));
        QueueDraw million = QueueDraw.of(VECTOR_SEED, VECTOR_DIGEST, 1_000_003);
        assertEquals(916_650, million.position(1));
        assertEquals(660_135, million.position(2));
        assertEquals(20_807, million.position(500_000));
        assertEquals(930_585, million.position(1_000_003));
        QueueDraw largest = QueueDraw.of(VECTOR_SEED, VECTOR_DIGEST, QueueDraw.MAX_SIZE);
        assertEquals(3_129_160_903_745_253_443L, largest.position(1));
        assertEquals(240_395_026_182_296_637L, largest.position(QueueDraw.MAX_SIZE));
    }

    @Test
    void commitsToTheSeedWithSha256() throws Exception {
        byte[] seed = seed(new SplittableRandom(1));

        assertEquals(QueueDraw.hex(MessageDigest.getInstance("SHA-256").digest(seed)), QueueDraw.commitment(seed));
        // python3 -c 'import hashlib; print(hashlib.sha256(bytes(range(32))).hexdigest())'
        assertEquals(
                "630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd", QueueDraw.commitment(VECTOR_SEED));
    }

    @Test
    void digestsEachPlaceHashFollowedByALineFeed() throws Exception {
        List<String> hashes = List.of("0a1b", "ffee", "0a1b2c");
        byte[] lines = "0a1b\nffee\n0a1b2c\n".getBytes(StandardCharsets.UTF_8);

        assertEquals(QueueDraw.hex(MessageDigest.getInstance("SHA-256").digest(lines)), QueueDraw.digest(hashes));
        // printf 'abc\n' | sha256sum
        assertEquals(
                "edeaaff3f1774ad2888673770c6d64097e391bc362d7d6fb34982ddf0efd18cb", QueueDraw.digest(List.of("abc")));
        // printf '' | sha256sum: an empty pre-queue
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", QueueDraw.digest(List.of()));
    }

    @Test
    void digestsInPagesExactlyAsInOneList() {
        List<String> hashes = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            hashes.add(String.format("%032x", i));
        }
        for (int page = 1; page <= 11; page++) {
            QueueDraw.Digest digest = new QueueDraw.Digest();
            for (int from = 0; from < hashes.size(); from += page) {
                digest.add(hashes.subList(from, Math.min(hashes.size(), from + page)));
            }
            assertEquals(VECTOR_DIGEST, digest.finish(), "pages of " + page);
        }
        assertEquals(
                QueueDraw.digest(List.of()),
                new QueueDraw.Digest().add(List.of()).finish(),
                "no page at all");
    }

    @Test
    void roundTripsHex() {
        assertEquals("00ff10", QueueDraw.hex(new byte[] {0, -1, 16}));
        assertArrayEquals(new byte[] {0, -1, 16}, QueueDraw.hex("00FF10"));
        assertThrows(IllegalArgumentException.class, () -> QueueDraw.hex("0g"));
    }

    @Test
    void usesTheSmallestEvenBitWidthOfAtLeastTwo() {
        assertEquals(2, QueueDraw.domainBits(0));
        assertEquals(2, QueueDraw.domainBits(4));
        assertEquals(4, QueueDraw.domainBits(5));
        assertEquals(4, QueueDraw.domainBits(16));
        assertEquals(6, QueueDraw.domainBits(17));
        assertEquals(62, QueueDraw.domainBits(QueueDraw.MAX_SIZE));
    }

    /**
     * Over 4,000 shuffles (a fresh random seed and digest each) every place lands on every position equally
     * often. Per place, a chi-square goodness-of-fit test against the uniform distribution on 1..n: a place gets
     * one position per shuffle, independently across shuffles, so its counts are multinomial and the statistic
     * chi-square with n - 1 degrees of freedom; each at significance ALPHA / n (Bonferroni), so ALPHA for all
     * places together. Then the whole place-by-position table at ALPHA: each shuffle adds a permutation matrix,
     * whose deviation from uniform spans the (n - 1)^2 matrices with zero row and column sums, with covariance
     * 1 / (n - 1) times the identity there (it is symmetric under permuting rows and columns), so the table's
     * statistic is n / (n - 1) times a chi-square with (n - 1)^2 degrees of freedom (mean n (n - 1)). Sizes 20,
     * 37 and 50 leave the domain (64) 3.2, 1.7 and 1.3 times larger than the pre-queue, so cycle walking is
     * exercised. (With 1 or 2 Feistel rounds instead of 6, both tests fail by far.)
     */
    @ParameterizedTest
    @ValueSource(ints = {20, 37, 50})
    void putsEveryPlaceOnEveryPositionEquallyOften(int n) {
        int shuffles = 4000;
        long[][] counts = shuffle(n, shuffles, 1000 + n);
        double expected = (double) shuffles / n;

        double perPlaceCritical = new ChiSquaredDistribution(n - 1).inverseCumulativeProbability(1 - ALPHA / n);
        double total = 0;
        for (int place = 0; place < n; place++) {
            double chiSquare = 0;
            for (int position = 0; position < n; position++) {
                double d = counts[place][position] - expected;
                chiSquare += d * d / expected;
            }
            total += chiSquare;
            assertTrue(
                    chiSquare < perPlaceCritical,
                    "place " + (place + 1) + " of " + n + ": chi-square " + chiSquare + " >= " + perPlaceCritical
                            + " (df " + (n - 1) + ", alpha " + ALPHA / n + ")");
        }
        double table = total * (n - 1) / n;
        double tableCritical = new ChiSquaredDistribution((n - 1) * (n - 1)).inverseCumulativeProbability(1 - ALPHA);
        assertTrue(
                table < tableCritical,
                "whole table of " + n + ": chi-square " + table + " >= " + tableCritical + " (df " + (n - 1) * (n - 1)
                        + ", alpha " + ALPHA + ")");
    }

    /**
     * Joining early within the pre-queue gives no advantage: over 4,000 shuffles of 50 places, the mean position
     * of the first 10% of places (1..5) equals that of the last 10% (46..50), and each equals the middle (25.5),
     * by two-sided z-tests at ALPHA. The variances are exact for uniform permutations, so nothing is estimated;
     * the tolerance this gives is printed in the message (about half a position for the difference).
     */
    @Test
    void givesEarlyJoinersNoAdvantageOverLateOnes() {
        int n = 50;
        int k = n / 10;
        int shuffles = 4000;
        long[][] counts = shuffle(n, shuffles, 7);
        double middle = (n + 1) / 2.0;
        double variance = (n * (double) n - 1) / 12;
        double first = meanPosition(counts, 0, k, shuffles);
        double last = meanPosition(counts, n - k, n, shuffles);

        double z = new NormalDistribution().inverseCumulativeProbability(1 - ALPHA / 2);
        // Positions of k places are drawn without replacement: Var(mean) = sigma^2 (n - k) / (k (n - 1)); the two
        // groups are negatively correlated, so Var(difference of means) = 2 sigma^2 n / (k (n - 1)).
        double differenceTolerance = z * Math.sqrt(2 * variance * n / (k * (n - 1.0)) / shuffles);
        double meanTolerance = z * Math.sqrt(variance * (n - k) / (k * (n - 1.0)) / shuffles);
        assertTrue(
                Math.abs(first - last) < differenceTolerance,
                "first 10% at " + first + ", last 10% at " + last + ": differ by more than " + differenceTolerance);
        assertTrue(
                Math.abs(first - middle) < meanTolerance,
                "first 10% at " + first + ", not within " + meanTolerance + " of " + middle);
        assertTrue(
                Math.abs(last - middle) < meanTolerance,
                "last 10% at " + last + ", not within " + meanTolerance + " of " + middle);
    }

    /**
     * The same at scale, in one pre-queue of 100,000: place and position are uncorrelated (|r| below
     * z / sqrt(n - 1), the null distribution of Pearson's r over permutations), and the first tenth's mean
     * position is the middle, both at ALPHA.
     */
    @Test
    void givesEarlyJoinersNoAdvantageInALargePreQueue() {
        int n = 100_000;
        int k = n / 10;
        QueueDraw draw = QueueDraw.of(seed(new SplittableRandom(11)), digest(11), n);
        double middle = (n + 1) / 2.0;
        double variance = ((double) n * n - 1) / 12;
        double covariance = 0;
        double firstTenth = 0;
        for (long place = 1; place <= n; place++) {
            long position = draw.position(place);
            covariance += (place - middle) * (position - middle);
            if (place <= k) {
                firstTenth += position;
            }
        }
        double r = covariance / n / variance;
        firstTenth /= k;

        double z = new NormalDistribution().inverseCumulativeProbability(1 - ALPHA / 2);
        assertTrue(Math.abs(r) < z / Math.sqrt(n - 1.0), "place and position correlate: r = " + r);
        double tolerance = z * Math.sqrt(variance * (n - k) / (k * (n - 1.0)));
        assertTrue(
                Math.abs(firstTenth - middle) < tolerance,
                "the first tenth's mean position " + firstTenth + " is not within " + tolerance + " of " + middle);
    }

    /** counts[place - 1][position - 1]: how often each place got each position in {@code shuffles} orders. */
    private static long[][] shuffle(int n, int shuffles, long generatorSeed) {
        SplittableRandom random = new SplittableRandom(generatorSeed);
        long[][] counts = new long[n][n];
        for (int s = 0; s < shuffles; s++) {
            byte[] digest = new byte[32];
            random.nextBytes(digest);
            QueueDraw draw = QueueDraw.of(seed(random), QueueDraw.hex(digest), n);
            for (int place = 1; place <= n; place++) {
                counts[place - 1][(int) draw.position(place) - 1]++;
            }
        }
        return counts;
    }

    private static double meanPosition(long[][] counts, int fromPlace, int toPlace, int shuffles) {
        double sum = 0;
        for (int place = fromPlace; place < toPlace; place++) {
            for (int position = 0; position < counts.length; position++) {
                sum += (position + 1.0) * counts[place][position];
            }
        }
        return sum / ((toPlace - fromPlace) * (double) shuffles);
    }

    private static void assertPermutation(QueueDraw draw) {
        int size = (int) draw.size();
        BitSet taken = new BitSet(size + 1);
        for (long place = 1; place <= size; place++) {
            long position = draw.position(place);
            assertTrue(position >= 1 && position <= size, "place " + place + " of " + size + " at " + position);
            assertFalse(taken.get((int) position), "position " + position + " of " + size + " taken twice");
            taken.set((int) position);
            assertEquals(place, draw.place(position), "place(position(" + place + ")) of " + size);
        }
        assertEquals(size, taken.cardinality());
    }

    private static long[] positions(QueueDraw draw) {
        return LongStream.rangeClosed(1, draw.size()).map(draw::position).toArray();
    }

    private static long[] places(QueueDraw draw) {
        return LongStream.rangeClosed(1, draw.size()).map(draw::place).toArray();
    }

    private static byte[] seed(SplittableRandom random) {
        byte[] seed = new byte[QueueDraw.SEED_BYTES];
        random.nextBytes(seed);
        return seed;
    }

    /** A digest that differs for each {@code i}. */
    private static String digest(long i) {
        return QueueDraw.digest(List.of(Long.toHexString(i)));
    }

    private static byte[] bytesFrom0To31() {
        byte[] bytes = new byte[32];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }
        return bytes;
    }
}
