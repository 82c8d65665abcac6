package io.ticketrush.queue;

import io.ticketrush.model.InstanceName;
import io.ticketrush.model.QueueSettings;
import io.ticketrush.redis.EventKeys;
import io.ticketrush.redis.EventSet;
import io.ticketrush.redis.QueueKeys;
import io.ticketrush.redis.RedisClient;
import io.ticketrush.stock.OpenScript;
import io.ticketrush.stock.SaleDeleted;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The waiting rooms of this instance's sales: joining ({@link Joins}), the shared queue state, admissions
 * ({@link Admissions}) and moving them on ({@link AdvanceRounds}). Redis holds every waiting room (changed only by Lua
 * scripts); this instance keeps a view of each ({@link QueueViews}), refreshed by {@link QueueAdvancer}.
 */
@ApplicationScoped
public class WaitingRoom {

    private static final SecureRandom RANDOM = new SecureRandom();
    /**
     * The set of waiting rooms the advancers move on, outside any event's slot (like {@link EventKeys#EVENTS}): a
     * sale opened with a waiting room joins it, and leaves it once its waiting room has nothing left to do.
     */
    public static final String QUEUED = "tr:queued";
    /** The shortest key {@code queue.secret} may be: the HMAC's key, which tokens are only as strong as. */
    public static final int MIN_SECRET_LENGTH = 16;

    /** The queue states of the contract. */
    public enum State {
        PRE_QUEUE,
        WAITING,
        ADMITTED,
        SOLD_OUT,
        PAUSED
    }

    /** Where a buyer stands: their place token and number, their state, and position and people ahead once known. */
    public record Standing(String eventId, String userId, String place, State state, Long position, Long ahead) {}

    /** The answer to an admission request; exactly one of the three shapes. */
    public sealed interface AdmissionAnswer {
        record Admitted(String admission, long expiresAt, long position) implements AdmissionAnswer {}

        record NotYet(State state, Long position, Long ahead, Long etaMin, Long etaMax) implements AdmissionAnswer {}

        record SoldOut() implements AdmissionAnswer {}
    }

    @Inject
    RedisClient redis;

    @Inject
    @ConfigProperty(name = "queue.secret")
    Optional<String> secret;

    @Inject
    @ConfigProperty(name = "queue.digest-page")
    int digestPage;

    @Inject
    @ConfigProperty(name = "queue.digest-lease-ms")
    long digestLeaseMillis;

    @Inject
    InstanceName instance;

    @Resource
    ManagedThreadFactory threads;

    private QueueViews views;
    private JoinCombiner combiner;
    private ExecutorService digester;
    private Joins joins;
    private Admissions admissions;
    private AdvanceRounds rounds;

    /**
     * Refuses to start without the shared key: a key of this instance's own would sign places and admissions that
     * every other instance refuses, which shows only once a sale is on, as buyers refused at random.
     */
    @PostConstruct
    void init() {
        String key = secret.map(String::strip).orElse("");
        if (key.length() < MIN_SECRET_LENGTH) {
            throw new IllegalStateException("queue.secret (environment variable QUEUE_SECRET) is "
                    + (key.isEmpty() ? "not set" : "shorter than " + MIN_SECRET_LENGTH + " characters")
                    + ": every instance needs the same key of at least " + MIN_SECRET_LENGTH
                    + " characters to sign and check waiting-room places and admissions"
                    + " (payara/cluster.sh up generates one into RUN_DIR/queue-secret)");
        }
        QueueTokens tokens = new QueueTokens(key.getBytes(StandardCharsets.UTF_8));
        views = new QueueViews(redis);
        combiner = new JoinCombiner(
                redis.limits(), redis.refusals("joins"), (eventId, buyers) -> JoinScript.run(redis, eventId, buyers));
        Thread combining = threads.newThread(combiner);
        combining.setName("ticketrush-join-combiner");
        combining.setDaemon(true);
        combining.start();
        joins = new Joins(tokens, new ProofOfWork(key.getBytes(StandardCharsets.UTF_8)), views, combiner);
        admissions = new Admissions(redis, tokens, views, this::forget);
        // The holder's name in a lease: a restarted instance is another holder, its predecessor's lease not its own.
        PreQueueDigest digests =
                new PreQueueDigest(redis, digestPage, digestLeaseMillis, instance.get() + "/" + UUID.randomUUID());
        digester = Executors.newSingleThreadExecutor(task -> {
            Thread thread = threads.newThread(task);
            thread.setName("ticketrush-prequeue-digest");
            thread.setDaemon(true);
            return thread;
        });
        rounds = new AdvanceRounds(redis, views, digests, digestPage, digester);
    }

    @PreDestroy
    void stop() {
        combiner.stop();
        digester.shutdownNow();
    }

    /**
     * Does nothing: calling it through the CDI proxy makes this bean, whose {@link #init} refuses to run without the
     * key, so a startup bean calling it fails the deployment at once instead of the first buyer's request.
     */
    public void checkConfigured() {
        // The work is in init.
    }

    /** A new waiting room with these settings, for open.lua or restore.lua: a fresh secret seed and its commitment. */
    public static OpenScript.QueueSetup setup(QueueSettings queue) {
        byte[] seed = new byte[QueueDraw.SEED_BYTES];
        RANDOM.nextBytes(seed);
        return new OpenScript.QueueSetup(
                queue.opensAt(),
                queue.admitPerSecond(),
                queue.windowMillis(),
                queue.overbook(),
                HexFormat.of().formatHex(seed),
                QueueDraw.commitment(seed),
                queue.proofOfWork());
    }

    /**
     * True when the event, whose sale is at generation {@code saleGen} (its share's, its stock's), sells only to
     * admitted buyers, as far as this instance knows (the script checks).
     */
    public boolean queued(String eventId, long saleGen) {
        return views.current(eventId, saleGen).queued();
    }

    /**
     * Adds a sale opened (or restored) with a waiting room to the set the advancers walk ({@value #QUEUED}), and
     * forgets what this instance knew of it: before the opening script and again after it (see {@link EventSet}). A
     * sale opened without one is never taken out here: the advancers drop it once they find it has none, which is
     * safe against an opening that gives it one at the same moment.
     */
    public void register(String eventId, boolean queued) {
        rounds.register(eventId, queued);
        views.forget(eventId);
    }

    /** Moves every waiting room on, one round trip for all of them (see {@link AdvanceRounds}). */
    void advanceAll() {
        rounds.advanceAll();
    }

    /** Moves one waiting room on at once, as {@link #advanceAll} does every round (an opening already past). */
    public void advanceNow(String eventId) {
        rounds.advanceNow(eventId);
    }

    /**
     * Takes a deleted sale out of {@value #QUEUED} at once (asking advance.lua again after, as
     * {@link EventSet#retire} requires) rather than at the advancers' next look.
     */
    public void retire(String eventId) {
        rounds.retire(eventId);
        views.forget(eventId);
    }

    void forgetDeleted(@Observes SaleDeleted deleted) {
        forget(deleted.eventId());
    }

    /** Forgets what this instance knew of the event's waiting room (it was opened, reset or found stale). */
    public void forget(String eventId) {
        views.forget(eventId);
        rounds.forget(eventId);
    }

    /**
     * Joins {@code userId} to the event's waiting room, or gives them the place they have; the standing completes
     * the future once Redis has recorded the place. A waiting room that asks for a proof of work is joined only with
     * {@code pow}, a solution of a challenge of {@link #challenge} for this event and buyer: checked here, before
     * anything goes to Redis, and refused with a 403 naming what is wrong.
     */
    public CompletableFuture<Standing> join(String eventId, String userId, String pow) {
        return joins.join(eventId, userId, pow);
    }

    /**
     * A proof-of-work challenge for {@code userId} to solve before joining; 404 without a waiting room, 409 when it
     * asks for none.
     */
    public ProofOfWork.Challenge challenge(String eventId, String userId) {
        return joins.challenge(eventId, userId);
    }

    /**
     * The admission of the place {@code placeToken} names, or where it stands while it has none; when
     * {@code buyer} is given (an authenticated buyer), only for a place that buyer holds.
     */
    public AdmissionAnswer admission(String eventId, String placeToken, String buyer) {
        return admissions.admission(eventId, placeToken, buyer);
    }

    /**
     * The admission {@code token} names, checked without Redis: genuine, of this event and buyer, not expired.
     * Whether it is used or lapsed the reserve script checks, in the same step as the sale.
     */
    public QueueTokens.Admission checkAdmission(String eventId, String userId, String token) {
        return admissions.checkAdmission(eventId, userId, token);
    }

    /** One consistent reading of the event's waiting room; 404 when it has none. */
    public QueueStatus status(String eventId) {
        QueueStatusScript.Reading reading = QueueStatusScript.read(redis, eventId);
        if (reading.outcome() == QueueStatusScript.Outcome.NO_WAITING_ROOM) {
            throw noWaitingRoom(eventId);
        }
        return reading.status();
    }

    /** The event's waiting room's state, or null when it has none (for the admin status). */
    public QueueStatus statusOrNull(String eventId) {
        return QueueStatusScript.read(redis, eventId).status();
    }

    /** Place hashes of places {@code from}..{@code from + count - 1}, in join order: the public list. */
    public List<String> placeHashes(String eventId, long from, int count) {
        return redis.call(r -> r.lrange(QueueKeys.of(eventId).joins(), from - 1, from + count - 2));
    }

    /** Pauses or resumes admission; false when the event has no waiting room. */
    public boolean pause(String eventId, boolean paused) {
        return QueuePauseScript.run(redis, eventId, paused) == QueuePauseScript.Outcome.DONE;
    }

    static NoWaitingRoomException noWaitingRoom(String eventId) {
        return new NoWaitingRoomException(eventId);
    }
}
