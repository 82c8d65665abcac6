package io.ticketrush.queue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The draw of a frozen pre-queue: a keyed pseudo-random permutation of its places, derived only from the seed
 * committed to in advance and the digest of the places, so that anyone can recompute it and each place's
 * position can be computed alone. docs/fairness.md specifies it for reimplementation; change nothing here without
 * a new {@link #VERSION}.
 */
public final class QueueDraw {

    public static final String ALGORITHM = "feistel-hmac-sha256";
    public static final int VERSION = 1;
    public static final int SEED_BYTES = 32;
    /** Rounds of the Feistel network: four make a pseudo-random permutation (Luby–Rackoff), six leave a margin. */
    static final int ROUNDS = 6;
    /** The largest pre-queue: the domain is at most 2^62 values, so every half fits 31 bits. */
    static final long MAX_SIZE = 1L << 62;

    private static final String KEY_CONTEXT = "ticketrush-queue-v1|";
    private static final String HMAC = "HmacSHA256";
    private static final HexFormat HEX = HexFormat.of();
    /** Mac is not thread-safe and costly to look up: one per thread, keyed afresh on each call. */
    private static final ThreadLocal<Mac> MACS = ThreadLocal.withInitial(QueueDraw::newMac);

    private final SecretKeySpec key;
    private final long size;
    private final int halfBits;
    private final long halfMask;

    private QueueDraw(byte[] key, long size) {
        this.key = new SecretKeySpec(key, HMAC);
        this.size = size;
        this.halfBits = domainBits(size) / 2;
        this.halfMask = (1L << halfBits) - 1;
    }

    /**
     * The draw of a pre-queue of {@code size} places whose place hashes have the digest {@code digest} (as
     * {@link #digest} computes it), under the secret {@code seed} of {@value #SEED_BYTES} bytes.
     */
    public static QueueDraw of(byte[] seed, String digest, long size) {
        if (seed == null || seed.length != SEED_BYTES) {
            throw new IllegalArgumentException("the seed must be " + SEED_BYTES + " bytes");
        }
        if (digest == null || !isHex(digest, 64)) {
            throw new IllegalArgumentException("the digest must be 64 hex digits");
        }
        if (size < 0 || size > MAX_SIZE) {
            throw new IllegalArgumentException("size must be between 0 and 2^62: " + size);
        }
        // Lower case: the key must not depend on how the digest was spelt.
        String context = KEY_CONTEXT + digest.toLowerCase(Locale.ROOT) + "|" + size;
        return new QueueDraw(hmac(seed, context.getBytes(StandardCharsets.UTF_8)), size);
    }

    /** The pre-queue's size: places 1..size are shuffled, later ones keep their arrival order. */
    public long size() {
        return size;
    }

    /** The 1-based position of the 1-based {@code place}. */
    public long position(long place) {
        if (place < 1) {
            throw new IllegalArgumentException("places start at 1: " + place);
        }
        if (place > size) {
            return place;
        }
        Mac mac = keyedMac();
        long x = place - 1;
        do {
            x = encrypt(mac, x);
        } while (x >= size);
        return x + 1;
    }

    /** The 1-based place at the 1-based {@code position}: the inverse of {@link #position}. */
    public long place(long position) {
        if (position < 1) {
            throw new IllegalArgumentException("positions start at 1: " + position);
        }
        if (position > size) {
            return position;
        }
        Mac mac = keyedMac();
        long x = position - 1;
        do {
            x = decrypt(mac, x);
        } while (x >= size);
        return x + 1;
    }

    /** Lower-case hex of SHA-256 of the seed: published when the sale is created, before anyone joins. */
    public static String commitment(byte[] seed) {
        return hex(sha256().digest(seed));
    }

    /** Lower-case hex of SHA-256 over the UTF-8 of each place hash followed by a line feed, in place order. */
    public static String digest(List<String> placeHashes) {
        return new Digest().add(placeHashes).finish();
    }

    /**
     * {@link #digest} taken a page of place hashes at a time, so that a pre-queue of millions never has to be held
     * whole: pages added in place order give the digest of all their hashes in one list.
     */
    public static final class Digest {

        private final MessageDigest sha = sha256();

        /** Adds the next place hashes, in place order. */
        public Digest add(List<String> placeHashes) {
            for (String hash : placeHashes) {
                sha.update((hash + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return this;
        }

        /** The digest of every place hash added; the digest is spent afterwards. */
        public String finish() {
            return hex(sha.digest());
        }
    }

    public static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    /** The bytes of a hex string (either case); IllegalArgumentException when it is not hex. */
    public static byte[] hex(String hex) {
        return HEX.parseHex(hex);
    }

    /** The smallest even bit width w >= 2 with 2^w >= size: a balanced network needs two equal halves. */
    static int domainBits(long size) {
        int bits = size <= 1 ? 0 : 64 - Long.numberOfLeadingZeros(size - 1);
        return Math.max(2, bits + (bits & 1));
    }

    private long encrypt(Mac mac, long x) {
        long left = x >>> halfBits;
        long right = x & halfMask;
        for (int round = 0; round < ROUNDS; round++) {
            long next = left ^ round(mac, round, right);
            left = right;
            right = next;
        }
        return (left << halfBits) | right;
    }

    private long decrypt(Mac mac, long x) {
        long left = x >>> halfBits;
        long right = x & halfMask;
        for (int round = ROUNDS - 1; round >= 0; round--) {
            long previous = right ^ round(mac, round, left);
            right = left;
            left = previous;
        }
        return (left << halfBits) | right;
    }

    /** F(round, half): the first 8 bytes of HMAC-SHA256(K, round byte || half as 8 bytes big-endian), masked. */
    private long round(Mac mac, int round, long half) {
        byte[] input = ByteBuffer.allocate(9).put((byte) round).putLong(half).array();
        return ByteBuffer.wrap(mac.doFinal(input)).getLong() & halfMask;
    }

    private Mac keyedMac() {
        Mac mac = MACS.get();
        try {
            mac.init(key);
        } catch (InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 refused a 32-byte key", e);
        }
        return mac;
    }

    private static byte[] hmac(byte[] key, byte[] message) {
        Mac mac = newMac();
        try {
            mac.init(new SecretKeySpec(key, HMAC));
        } catch (InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 refused a 32-byte key", e);
        }
        return mac.doFinal(message);
    }

    private static Mac newMac() {
        try {
            return Mac.getInstance(HMAC);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java platform has HmacSHA256", e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static boolean isHex(String s, int length) {
        if (s.length() != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) {
                return false;
            }
        }
        return true;
    }
}
