package io.ticketrush.queue;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.ticketrush.redis.EventKeys;
import io.ticketrush.redis.EventSet;
import io.ticketrush.redis.LuaScript;
import io.ticketrush.redis.RedisClient;
import io.ticketrush.redis.RedisUnavailableException;
import io.ticketrush.web.ApiException;

/**
 * The waiting rooms of this instance's sales: joining, the shared queue state, admissions and the fairness
 * record. Redis holds every waiting room (changed only by Lua scripts); this instance keeps a {@link View} of
 * each (is the sale queued, its generation, the order of its pre-queue, the proof of work a join costs), refreshed
 * by {@link QueueAdvancer}, so that checking a place, an admission or a proof of work and placing it in line need
 * no Redis call.
 */
@ApplicationScoped
public class WaitingRoom {

    private static final Logger LOG = Logger.getLogger(WaitingRoom.class.getName());
    private static final LuaScript JOIN = LuaScript.load("join");
    private static final LuaScript ADVANCE = LuaScript.load("advance");
    private static final LuaScript ADMISSION = LuaScript.load("admission");
    private static final LuaScript STATUS = LuaScript.load("queue-status");
    private static final LuaScript PAUSE = LuaScript.load("queue-pause");
    private static final SecureRandom RANDOM = new SecureRandom();
    /**
     * The set of waiting rooms the advancers move on, outside any event's slot (like {@link EventKeys#EVENTS}): a
     * sale opened with a waiting room joins it, and leaves it once its waiting room has nothing left to do.
     */
    public static final String QUEUED = "tr:queued";
    /** The shortest key {@code queue.secret} may be: the HMAC's key, which tokens are only as strong as. */
    public static final int MIN_SECRET_LENGTH = 16;
    /** How long at most an instance leaves a waiting room before its opening alone before it looks again. */
    private static final long SETTLED_PAUSE_NANOS = 2_000_000_000L;
    /** How long before a waiting room's opening (by Redis's clock) an instance starts moving it on again. */
    private static final long OPENING_LEAD_NANOS = 200_000_000L;
    /** How many place hashes one fairness page may list. */
    public static final int MAX_PAGE = 10_000;

    /** The queue states of the contract. */
    public enum State {
        PRE_QUEUE, WAITING, ADMITTED, SOLD_OUT, PAUSED
    }

    /**
     * What this instance knows of an event's waiting room: none ({@code queued} false), or its generation, the proof
     * of work a join costs (0: none) and, once the pre-queue is frozen and its digest known, the order of its places;
     * read when the sale was at generation {@code saleGen}.
     */
    record View(boolean queued, long gen, QueueOrder order, long rate, double measuredRate, long saleGen,
            long proofOfWork) {

        static View none(long saleGen) {
            return new View(false, 0, null, 0, 0, saleGen, 0);
        }

        /** The place's position, or null while the pre-queue's order is not known yet. */
        Long position(long place) {
            return order == null ? null : order.position(place);
        }
    }

    /** Where a buyer stands: their place token and number, their state, and position and people ahead once known. */
    public record Standing(String eventId, String userId, String place, State state, Long position, Long ahead) {
    }

    /** The answer to an admission request; exactly one of the three shapes. */
    public sealed interface AdmissionAnswer {
        record Admitted(String admission, long expiresAt) implements AdmissionAnswer {
        }

        record NotYet(State state, Long position, Long ahead, Long etaMin, Long etaMax) implements AdmissionAnswer {
        }

        record SoldOut() implements AdmissionAnswer {
        }
    }

    @Inject
    RedisClient redis;

    @Inject
    @ConfigProperty(name = "queue.secret")
    Optional<String> secret;

    @Inject
    @ConfigProperty(name = "queue.digest-page", defaultValue = "10000")
    int digestPage;

    @Inject
    @ConfigProperty(name = "queue.digest-lease-ms", defaultValue = "3000")
    long digestLeaseMillis;

    @Inject
    @ConfigProperty(name = "instance.name", defaultValue = "ticketrush")
    String instanceName;

    private QueueTokens tokens;
    private ProofOfWork work;
    private EventSet queuedSales;
    private PreQueueDigest digests;
    /** Computes pre-queue digests, one at a time, so that the advancer never waits for one. */
    private ExecutorService digester;
    /** The digests under way on this instance, as "eventId|gen". */
    private final Set<String> digesting = ConcurrentHashMap.newKeySet();
    private JoinCombiner joins;
    private final Map<String, View> views = new ConcurrentHashMap<>();
    /** Waiting rooms before their opening, with when to look at them again ({@code nanoTime}). */
    private final Map<String, Long> settled = new ConcurrentHashMap<>();

    @Resource
    ManagedThreadFactory threads;

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
        tokens = new QueueTokens(key.getBytes(StandardCharsets.UTF_8));
        work = new ProofOfWork(key.getBytes(StandardCharsets.UTF_8));
        queuedSales = new EventSet(redis, QUEUED);
        joins = new JoinCombiner(redis.limits(), redis.refusals("joins"), this::joinScript);
        Thread combiner = threads.newThread(joins);
        combiner.setName("ticketrush-join-combiner");
        combiner.setDaemon(true);
        combiner.start();
        // The holder's name in a lease: a restarted instance is another holder, its predecessor's lease not its own.
        digests = new PreQueueDigest(redis, digestPage, digestLeaseMillis, instanceName + "/" + UUID.randomUUID());
        digester = Executors.newSingleThreadExecutor(task -> {
            Thread thread = threads.newThread(task);
            thread.setName("ticketrush-prequeue-digest");
            thread.setDaemon(true);
            return thread;
        });
    }

    @PreDestroy
    void stop() {
        joins.stop();
        digester.shutdownNow();
    }

    /**
     * Does nothing: calling it through the CDI proxy makes this bean, whose {@link #init} refuses to run without the
     * key, so a startup bean calling it fails the deployment at once instead of the first buyer's request.
     */
    public void checkConfigured() {
        // The work is in init.
    }

    /**
     * open.lua's ARGV[4..10] (restore.lua's ARGV[5..11]) for a sale with this waiting room: its settings, a fresh
     * secret seed and its commitment.
     */
    public static List<String> openArguments(QueueSettings queue) {
        byte[] seed = new byte[32];
        RANDOM.nextBytes(seed);
        return List.of(Long.toString(queue.opensAt()), Long.toString(queue.admitPerSecond()),
                Long.toString(queue.windowMillis()), Double.toString(queue.overbook()), HexFormat.of().formatHex(seed),
                QueueOrder.commitment(seed), Long.toString(queue.proofOfWork()));
    }

    /**
     * True when the event, whose sale is at generation {@code saleGen} (its share's, its stock's), sells only to
     * admitted buyers, as far as this instance knows (the script checks). What was read of an earlier generation
     * is read again: the sale was reset since, with or without a waiting room. (A view newer than the caller's
     * generation is kept: the caller's share lags Redis by a refresh at most, and reading again on every purchase
     * meanwhile would cost a Redis call each.)
     */
    public boolean queued(String eventId, long saleGen) {
        View view = view(eventId);
        if (view.saleGen() < saleGen) {
            view = load(eventId);
            views.put(eventId, view);
        }
        return view.queued();
    }

    /**
     * Adds a sale opened (or restored) with a waiting room to the set the advancers walk ({@value #QUEUED}), and
     * forgets what this instance knew of it: before the opening script and again after it (see {@link EventSet}). A
     * sale opened without one is never taken out here: the advancers drop it once they find it has none, which is
     * safe against an opening that gives it one at the same moment.
     */
    public void register(String eventId, boolean queued) {
        if (queued) {
            queuedSales.add(eventId);
        }
        forget(eventId);
    }

    /**
     * Moves every waiting room on (see {@link #advance}), one round trip for all of them. A waiting room with nothing
     * to do until its opening is left alone until then; one with nothing left to do at all (sold out for good, no
     * admission window open) or none any more (reset without it, deleted) leaves {@value #QUEUED}.
     */
    void advanceAll() {
        Set<String> queuedEvents = queuedSales.members();
        settled.keySet().retainAll(queuedEvents);
        Map<String, CompletableFuture<Object>> replies = new LinkedHashMap<>();
        for (String eventId : queuedEvents) {
            Long quietUntil = settled.get(eventId);
            if (quietUntil == null || System.nanoTime() - quietUntil >= 0) {
                replies.put(eventId, redis.evalReplicatedAsync(ADVANCE, advanceKeys(eventId), List.of("")));
            }
        }
        RuntimeException failed = null;
        List<String> finished = new ArrayList<>();
        for (Map.Entry<String, CompletableFuture<Object>> reply : replies.entrySet()) {
            try {
                if (advance(reply.getKey(), (List<?>) reply.getValue().join())) {
                    finished.add(reply.getKey());
                }
            } catch (CompletionException e) {
                failed = failed != null ? failed
                        : e.getCause() instanceof RuntimeException cause ? cause : new IllegalStateException(e.getCause());
            } catch (RuntimeException e) {
                failed = failed != null ? failed : e;
            }
        }
        for (String eventId : finished) {
            queuedSales.retire(eventId, () -> finished((List<?>) redis.evalReplicated(ADVANCE, advanceKeys(eventId),
                    List.of(""))));
            settled.remove(eventId);
        }
        if (failed != null) {
            throw failed;
        }
    }

    /** advance.lua's reply says the waiting room has nothing left to do, or there is none. */
    private static boolean finished(List<?> advanced) {
        return (Long) advanced.get(0) == 0 || (Long) advanced.get(6) == 1;
    }

    private static List<String> advanceKeys(String eventId) {
        QueueKeys keys = QueueKeys.of(eventId);
        return List.of(EventKeys.of(eventId).stock(), keys.queue(), keys.admits(), keys.admitInfo());
    }

    /** Moves one waiting room on at once, as {@link #advanceAll} does every round (an opening already past). */
    public void advanceNow(String eventId) {
        advance(eventId, (List<?>) redis.evalReplicated(ADVANCE, advanceKeys(eventId), List.of("")));
    }

    /**
     * Takes a deleted sale out of {@value #QUEUED} at once (asking advance.lua again after, as
     * {@link EventSet#retire} requires) rather than at the advancers' next look.
     */
    public void retire(String eventId) {
        queuedSales.retire(eventId, () -> finished((List<?>) redis.evalReplicated(ADVANCE, advanceKeys(eventId),
                List.of(""))));
        forget(eventId);
    }

    /** Forgets what this instance knew of the event's waiting room (it was opened, reset or found stale). */
    public void forget(String eventId) {
        views.remove(eventId);
        settled.remove(eventId);
    }

    /**
     * Joins {@code userId} to the event's waiting room, or gives them the place they have; the standing completes
     * the future once Redis has recorded the place. A waiting room that asks for a proof of work is joined only with
     * {@code pow}, a solution of a challenge of {@link #challenge} for this event and buyer: checked here, before
     * anything goes to Redis, and refused with a 403 naming what is wrong.
     */
    public CompletableFuture<Standing> join(String eventId, String userId, String pow) {
        String buyerKey = userId.toLowerCase(Locale.ROOT);
        View view = knownView(eventId);
        if (view.queued() && view.proofOfWork() > 0) {
            checkWork(eventId, buyerKey, pow);
        }
        return joins.join(eventId, buyerKey, tokens.placeHash(eventId, buyerKey))
                .thenApply(joined -> standing(eventId, userId, buyerKey, joined.reply()));
    }

    /**
     * A proof-of-work challenge for {@code userId} to solve before joining; 404 without a waiting room, 409 when it
     * asks for none.
     */
    public ProofOfWork.Challenge challenge(String eventId, String userId) {
        View view = knownView(eventId);
        if (!view.queued()) {
            throw noWaitingRoom(eventId);
        }
        if (view.proofOfWork() == 0) {
            throw new ApiException(409, "event " + eventId + "'s waiting room asks for no proof of work: join without pow");
        }
        return work.challenge(eventId, userId.toLowerCase(Locale.ROOT), view.proofOfWork(), System.currentTimeMillis());
    }

    private void checkWork(String eventId, String buyerKey, String pow) {
        if (pow == null) {
            throw new ApiException(403, "pow is required: this waiting room asks for a proof of work (solve GET /queue/"
                    + eventId + "/challenge, send its ALTCHA payload)");
        }
        try {
            work.check(pow, eventId, buyerKey, System.currentTimeMillis());
        } catch (ProofOfWork.Refused e) {
            throw new ApiException(403, e.getMessage());
        }
    }

    private Standing standing(String eventId, String userId, String buyerKey, List<?> reply) {
        if ((Long) reply.get(0) == -404) {
            throw noWaitingRoom(eventId);
        }
        long place = (Long) reply.get(1);
        long gen = Long.parseLong((String) reply.get(2));
        long frozen = (Long) reply.get(3);
        long reach = (Long) reply.get(4);
        boolean paused = (Long) reply.get(5) == 1;
        boolean soldOut = (Long) reply.get(6) == 1;
        String token = tokens.place(new QueueTokens.Place(eventId, buyerKey, gen, place));
        Long position = null;
        if (frozen >= 0) {
            View view = view(eventId);
            position = place > frozen ? Long.valueOf(place) : view.gen() == gen ? view.position(place) : null;
        }
        State state = soldOut ? State.SOLD_OUT : frozen < 0 ? State.PRE_QUEUE
                : position != null && position <= reach ? State.ADMITTED : paused ? State.PAUSED : State.WAITING;
        Long ahead = position == null ? null : state == State.ADMITTED ? 0 : Math.max(0, position - reach - 1);
        return new Standing(eventId, userId, token, state, position, ahead);
    }

    private CompletionStage<List<?>> joinScript(String eventId, List<String> buyers) {
        QueueKeys keys = QueueKeys.of(eventId);
        return redis.evalReplicatedAsync(JOIN,
                List.of(EventKeys.of(eventId).stock(), keys.queue(), keys.places(), keys.joins()), buyers)
                .thenApply(reply -> (List<?>) reply);
    }

    /**
     * The admission of the place {@code placeToken} names, or where it stands while it has none; when
     * {@code buyer} is given (an authenticated buyer), only for a place that buyer holds.
     */
    public AdmissionAnswer admission(String eventId, String placeToken, String buyer) {
        QueueTokens.Place place = checkPlace(placeToken, eventId);
        if (buyer != null && !place.buyerKey().equals(buyer.toLowerCase(Locale.ROOT))) {
            throw new ApiException(403, "this place is another buyer's");
        }
        View view = view(eventId);
        if (!view.queued()) {
            throw noWaitingRoom(eventId);
        }
        if (place.gen() > view.gen()) {
            // A sale newer than this instance has seen (reset a moment ago): look again. An older place's
            // generation is refused by the script without reloading anything.
            forget(eventId);
            view = view(eventId);
        }
        Long position = view.gen() == place.gen() ? view.position(place.place()) : null;
        QueueKeys keys = QueueKeys.of(eventId);
        List<?> reply = (List<?>) redis.eval(ADMISSION, List.of(EventKeys.of(eventId).stock(), keys.queue(),
                keys.admits(), keys.admitInfo(), keys.used()), List.of(Long.toString(place.gen()),
                Long.toString(place.place()), position == null ? "" : Long.toString(position)));
        int code = ((Long) reply.get(0)).intValue();
        switch (code) {
            case 1 -> {
                long expiresAt = (Long) reply.get(1);
                return new AdmissionAnswer.Admitted(tokens.admission(new QueueTokens.Admission(eventId,
                        place.buyerKey(), place.gen(), place.place(), position, expiresAt)), expiresAt);
            }
            case -3 -> {
                boolean preQueue = "PRE_QUEUE".equals(reply.get(1));
                State state = preQueue ? State.PRE_QUEUE : "1".equals(reply.get(3)) ? State.PAUSED : State.WAITING;
                long reach = (Long) reply.get(2);
                Long ahead = position == null ? null : Math.max(0, position - reach - 1);
                Long etaMin = ahead == null || preQueue ? null : seconds(ahead, view.rate());
                Long etaMax = ahead == null || preQueue || state == State.PAUSED || view.measuredRate() <= 0 ? null
                        : seconds(ahead, Math.min(view.measuredRate(), view.rate()));
                return new AdmissionAnswer.NotYet(state, position, ahead, etaMin, etaMax);
            }
            case -1 -> {
                return new AdmissionAnswer.SoldOut();
            }
            case -409 -> throw new ApiException(403, "used".equals(reply.get(1))
                    ? "this place's admission was already used" : "this place's admission lapsed: its window has passed");
            case -410 -> throw new ApiException(403, "the place is of an earlier sale: the sale was reset since");
            case -404 -> throw noWaitingRoom(eventId);
            default -> throw new IllegalStateException("admission.lua answered " + reply + " for " + eventId);
        }
    }

    /**
     * The admission {@code token} names, checked without Redis: genuine, of this event and buyer, not expired.
     * Whether it is used or lapsed the reserve script checks, in the same step as the sale.
     */
    public QueueTokens.Admission checkAdmission(String eventId, String userId, String token) {
        if (token == null) {
            throw new ApiException(403, "an admission is required: this sale has a waiting room"
                    + " (POST /queue/" + eventId + "/join, then /admission)");
        }
        try {
            return tokens.checkAdmission(token, eventId, userId.toLowerCase(Locale.ROOT), System.currentTimeMillis());
        } catch (QueueTokens.Refused e) {
            throw new ApiException(403, e.getMessage());
        }
    }

    private QueueTokens.Place checkPlace(String token, String eventId) {
        if (token == null) {
            throw new ApiException(403, "place is required: the token POST /queue/" + eventId + "/join gave");
        }
        try {
            return tokens.checkPlace(token, eventId);
        } catch (QueueTokens.Refused e) {
            throw new ApiException(403, e.getMessage());
        }
    }

    /** One consistent reading of the event's waiting room; 404 when it has none. */
    public QueueStatus status(String eventId) {
        List<?> reply = (List<?>) redis.eval(STATUS,
                List.of(EventKeys.of(eventId).stock(), QueueKeys.of(eventId).queue()), List.of());
        if ((Long) reply.get(0) == -404) {
            throw noWaitingRoom(eventId);
        }
        return QueueStatus.of(eventId, reply);
    }

    /** The event's waiting room's state, or null when it has none (for the admin status). */
    public QueueStatus statusOrNull(String eventId) {
        try {
            return status(eventId);
        } catch (ApiException e) {
            return null;
        }
    }

    /** Place hashes of places {@code from}..{@code from + count - 1}, in join order: the public list. */
    public List<String> placeHashes(String eventId, long from, int count) {
        return redis.call(r -> r.lrange(QueueKeys.of(eventId).joins(), from - 1, from + count - 2));
    }

    /** Pauses or resumes admission; false when the event has no waiting room. */
    public boolean pause(String eventId, boolean paused) {
        return (Long) redis.evalReplicated(PAUSE, List.of(QueueKeys.of(eventId).queue()),
                List.of(paused ? "1" : "0")) == 1;
    }

    /**
     * With advance.lua's reply (it moved the event's waiting room on: freeze, lapses, admissions), refreshes this
     * instance's view of it; for a pre-queue just frozen, has its digest computed and recorded. Run by every
     * instance for every event. True when the waiting room has nothing left to do (or there is none any more).
     */
    private boolean advance(String eventId, List<?> reply) {
        if ((Long) reply.get(0) == 0) {
            views.remove(eventId);
            return true;
        }
        long frozen = (Long) reply.get(1);
        long gen = Long.parseLong((String) reply.get(3));
        if (frozen >= 0 && (Long) reply.get(2) == 0) {
            // Frozen, and no digest recorded yet: the instance that takes the lease computes it; the view below
            // learns it on a later round.
            digestInBackground(eventId, gen, frozen);
        }
        View old = views.get(eventId);
        boolean digestKnown = (Long) reply.get(2) == 1;
        if (old == null || old.gen() != gen || (digestKnown && old.order() == null)) {
            // What the script does not return (the seed and digest, for the order) is read once.
            views.put(eventId, load(eventId));
        } else {
            views.put(eventId, new View(true, gen, old.order(), (Long) reply.get(4),
                    Double.parseDouble((String) reply.get(5)), old.saleGen(), old.proofOfWork()));
        }
        if ((Long) reply.get(6) == 1) {
            // Sold out for good and no window open: nothing moves any more, until the sale is opened again.
            return true;
        }
        if (reply.size() > 7) {
            // Before the opening nothing moves: look again just before it (an instance that opens or resets the
            // sale forgets this at once; the others look again within the pause at most).
            long untilOpening = TimeUnit.MILLISECONDS.toNanos((Long) reply.get(7)) - OPENING_LEAD_NANOS;
            settled.put(eventId, System.nanoTime() + Math.max(0, Math.min(untilOpening, SETTLED_PAUSE_NANOS)));
        } else {
            settled.remove(eventId);
        }
        return false;
    }

    /**
     * Has the digest of the event's frozen pre-queue computed ({@link PreQueueDigest}) and recorded, on this
     * instance's digest thread, unless that is under way here already: a pre-queue of millions takes seconds to
     * read, and meanwhile the advancer moves every other waiting room on.
     */
    private void digestInBackground(String eventId, long gen, long size) {
        String job = eventId + "|" + gen;
        if (!digesting.add(job)) {
            return;
        }
        digester.execute(() -> {
            try {
                long start = System.nanoTime();
                Optional<String> digest = digests.compute(eventId, gen, size);
                if (digest.isPresent()) {
                    redis.evalReplicated(ADVANCE, advanceKeys(eventId), List.of(digest.get(), Long.toString(gen)));
                    LOG.info("Event " + eventId + ": the digest of its pre-queue of " + size + " places, read in pages of "
                            + digestPage + ", took " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms");
                }
            } catch (RedisUnavailableException e) {
                // The advancer meets the same outage and reports it; it asks for the digest again once Redis is back.
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "Computing the digest of event " + eventId + "'s pre-queue failed", e);
            } finally {
                digesting.remove(job);
            }
        });
    }

    private View view(String eventId) {
        View view = views.get(eventId);
        if (view == null) {
            view = load(eventId);
            views.put(eventId, view);
        }
        return view;
    }

    /**
     * The view this instance keeps of a queued sale (the advancer keeps every one current), else a fresh reading
     * that is kept only when the sale turns out to be queued: a join naming any event id must not grow the map.
     */
    private View knownView(String eventId) {
        View view = views.get(eventId);
        if (view == null) {
            view = load(eventId);
            if (view.queued()) {
                views.putIfAbsent(eventId, view);
            }
        }
        return view;
    }

    private View load(String eventId) {
        List<?> reply = (List<?>) redis.eval(STATUS,
                List.of(EventKeys.of(eventId).stock(), QueueKeys.of(eventId).queue()), List.of());
        if ((Long) reply.get(0) == -404) {
            String saleGen = (String) reply.get(1);
            return View.none(saleGen.isEmpty() ? 0 : Long.parseLong(saleGen));
        }
        QueueStatus status = QueueStatus.of(eventId, reply);
        View old = views.get(eventId);
        QueueOrder order = null;
        if (status.digest() != null) {
            order = old != null && old.gen() == status.gen() && old.order() != null ? old.order()
                    : QueueOrder.of(HexFormat.of().parseHex(status.secretSeed()), status.digest(), status.frozen());
        }
        return new View(true, status.gen(), order, status.admitPerSecond(), status.measuredRate(),
                Long.parseLong((String) reply.get(20)), status.proofOfWork());
    }

    private static long seconds(long ahead, double perSecond) {
        return (long) Math.ceil(ahead / perSecond);
    }

    private static ApiException noWaitingRoom(String eventId) {
        return ApiException.notFound("event " + eventId + " has no waiting room");
    }
}
