package io.ticketrush.stock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ticketrush.stock.EventShare.Grant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EventShareTest {

    private static final long LONG_WAIT_MS = 60_000;

    @Test
    void givesAPermitAtOnceWhileTheShareHasOne() {
        EventShare share = new EventShare("e", 1, 1);

        assertSame(Grant.PERMIT, share.acquire(LONG_WAIT_MS, 10).join());
        assertEquals(0, share.permitsLeft());
    }

    @Test
    void handsAPermitGivenBackToTheFirstBuyerWaitingNotToTheShare() {
        EventShare share = new EventShare("e", 1, 1);
        assertTrue(share.tryAcquire());
        CompletableFuture<Grant> first = share.acquire(LONG_WAIT_MS, 10);
        CompletableFuture<Grant> second = share.acquire(LONG_WAIT_MS, 10);
        assertFalse(first.isDone(), "an empty share that is not sold out makes the buyer wait, not 'sold out'");
        assertEquals(2, share.waiting());

        share.release();

        assertSame(Grant.PERMIT, first.getNow(null), "first come, first served");
        assertFalse(second.isDone());
        assertEquals(0, share.permitsLeft(), "the permit went to the buyer, not back to the share");
        share.release();
        assertSame(Grant.PERMIT, second.getNow(null));
        assertEquals(0, share.waiting());
    }

    @Test
    void tellsEveryoneWaitingSoldOutOnceRedisSaysSo() {
        EventShare share = new EventShare("e", 1, 1);
        assertTrue(share.tryAcquire());
        CompletableFuture<Grant> waiting = share.acquire(LONG_WAIT_MS, 10);

        share.markSoldOut();

        assertSame(Grant.SOLD_OUT, waiting.getNow(null));
        assertSame(Grant.SOLD_OUT, share.acquire(LONG_WAIT_MS, 10).join(), "and whoever comes after");
        assertFalse(share.tryAcquire());
    }

    @Test
    void answersBusyWhenNoPermitComesWithinTheWait() {
        EventShare share = new EventShare("e", 1, 1);
        assertTrue(share.tryAcquire());

        assertSame(Grant.BUSY, share.acquire(20, 10).join());

        assertEquals(0, share.waiting());
        share.release();
        assertEquals(1, share.permitsLeft(), "a permit given back after the buyer gave up stays with the share");
    }

    @Test
    void answersBusyAtOnceWhenTheLineIsFull() {
        EventShare share = new EventShare("e", 1, 1);
        assertTrue(share.tryAcquire());
        share.acquire(LONG_WAIT_MS, 2);
        share.acquire(LONG_WAIT_MS, 2);

        assertSame(Grant.BUSY, share.acquire(LONG_WAIT_MS, 2).getNow(null));
        assertEquals(2, share.waiting());
    }

    @Test
    void sendsThoseWaitingToTheNewShareWhenTheSaleIsReset() {
        EventShare share = new EventShare("e", 1, 1);
        assertTrue(share.tryAcquire());
        CompletableFuture<Grant> waiting = share.acquire(LONG_WAIT_MS, 10);

        share.retire();

        assertSame(Grant.RETIRED, waiting.getNow(null));
        assertSame(Grant.RETIRED, share.acquire(LONG_WAIT_MS, 10).join());
    }

    @Test
    void handsARefillToThoseWaitingFirst() {
        EventShare share = new EventShare("e", 1, 1);
        assertTrue(share.tryAcquire());
        CompletableFuture<Grant> first = share.acquire(LONG_WAIT_MS, 10);
        CompletableFuture<Grant> second = share.acquire(LONG_WAIT_MS, 10);

        share.reopen(3);

        assertSame(Grant.PERMIT, first.getNow(null));
        assertSame(Grant.PERMIT, second.getNow(null));
        assertEquals(1, share.permitsLeft());
    }

    @Test
    void forgetsASharedSoldOutWhenTicketsComeBack() {
        EventShare share = new EventShare("e", 1, 0);
        Reservation soldOut = Reservation.soldOutAt(1_700_000_000_500L);
        share.rememberSharedSoldOut(soldOut);

        assertSame(soldOut, share.sharedSoldOut(1_700_000_000L), "within the second Redis said it");
        assertNull(share.sharedSoldOut(1_700_000_001L), "the next second asks again");
        share.reopen(2);
        assertNull(share.sharedSoldOut(1_700_000_000L));
    }

    @Test
    void letsOneRequestAskRedisWhileTheOthersWaitForItsAnswer() {
        EventShare share = new EventShare("e", 1, 0);
        CompletableFuture<Reservation> first = new CompletableFuture<>();
        CompletableFuture<Reservation> second = new CompletableFuture<>();

        assertNull(share.confirmOrJoin(first), "nobody was asking: the first asks");
        assertSame(first, share.confirmOrJoin(second), "the second waits for the first's answer");
        share.confirmed(first);
        assertNull(share.confirmOrJoin(second), "answered: the next asks again");
    }

    @Test
    void losesNoPermitWhenManyBuyersTakeAndGiveBackAtOnce() throws InterruptedException {
        int permits = 4;
        int buyers = 64;
        int rounds = 500;
        EventShare share = new EventShare("e", 1, permits);
        AtomicInteger held = new AtomicInteger();
        AtomicInteger mostHeld = new AtomicInteger();
        AtomicInteger busy = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        // As in a purchase, a permit is given back later, on another thread (Redis's answer).
        ExecutorService redis = Executors.newFixedThreadPool(2);
        CountDownLatch done = new CountDownLatch(buyers * rounds);
        List<Throwable> failures = new ArrayList<>();
        for (int i = 0; i < buyers * rounds; i++) {
            pool.execute(() -> share.acquire(LONG_WAIT_MS, buyers * rounds).whenComplete((grant, failure) -> {
                if (failure != null) {
                    synchronized (failures) {
                        failures.add(failure);
                    }
                    done.countDown();
                } else if (grant == Grant.PERMIT) {
                    mostHeld.accumulateAndGet(held.incrementAndGet(), Math::max);
                    redis.execute(() -> {
                        held.decrementAndGet();
                        share.release();
                        done.countDown();
                    });
                } else {
                    busy.incrementAndGet();
                    done.countDown();
                }
            }));
        }
        assertTrue(done.await(60, TimeUnit.SECONDS), "every buyer got a permit in the end");
        pool.shutdown();
        redis.shutdown();

        assertEquals(List.of(), failures);
        assertEquals(0, busy.get());
        assertEquals(permits, share.permitsLeft(), "every permit came back to the share");
        assertTrue(mostHeld.get() <= permits, "never more held at once than the share has: " + mostHeld.get());
        assertEquals(0, share.waiting());
    }
}
