package io.ticketrush.stock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ticketrush.cluster.Members;
import org.junit.jupiter.api.Test;

class LocalStockTest {

    @Test
    void sharesTicketsByWeightWithATenPercentBuffer() {
        // The topology cluster.sh runs: weights 1, 2, 3, 4 out of 10; 500 tickets.
        assertEquals(50 + 5, LocalStock.permitsFor(500, 1, 10, 10));
        assertEquals(100 + 10, LocalStock.permitsFor(500, 2, 10, 10));
        assertEquals(150 + 15, LocalStock.permitsFor(500, 3, 10, 10));
        assertEquals(200 + 20, LocalStock.permitsFor(500, 4, 10, 10));
    }

    @Test
    void roundsTheShareAndTheBufferUpSoSmallSalesStillSell() {
        assertEquals(1 + 1, LocalStock.permitsFor(7, 1, 10, 10), "ceil(0.7) = 1, buffer at least 1");
        assertEquals(3 + 1, LocalStock.permitsFor(7, 4, 10, 10), "ceil(2.8) = 3");
        assertEquals(1, LocalStock.permitsFor(1, 1, 10, 10), "one ticket left: share and buffer capped at it");
    }

    @Test
    void neverHoldsMoreThanIsAvailable() {
        assertEquals(50, LocalStock.permitsFor(50, 1, 1, 10), "a lone instance holds exactly the stock");
        assertEquals(1, LocalStock.permitsFor(1, 1, 1, 10));
    }

    @Test
    void holdsNothingWhenNothingIsAvailable() {
        assertEquals(0, LocalStock.permitsFor(0, 4, 10, 10));
        assertEquals(0, LocalStock.permitsFor(-3, 4, 10, 10));
    }

    @Test
    void handlesTheLargestSaleWithoutOverflow() {
        assertEquals(400_000_000 + 40_000_000, LocalStock.permitsFor(1_000_000_000L, 4, 10, 10));
        assertEquals(1_000_000_000, LocalStock.permitsFor(1_000_000_000L, 1, 1, 10));
    }

    @Test
    void givesAnEventSeenForTheFirstTimeAShareOfWhatIsLeftNotOfTheTotal() {
        LocalStock stock = localStock(1, 10);
        EventShare share = stock.update(new EventStatus("e", 1000, 900, 0, 1));
        assertEquals(10 + 1, share.permitsLeft(), "a restarted instance must not take a fresh full share");
    }

    @Test
    void reopensAUsedUpShareWhenRedisHasTicketsAgain() {
        LocalStock stock = localStock(1, 1);
        EventShare share = stock.update(new EventStatus("e", 2, 0, 0, 1));
        assertTrue(share.tryAcquire());
        assertTrue(share.tryAcquire());
        assertFalse(share.tryAcquire(), "share used up");

        stock.update(new EventStatus("e", 2, 2, 0, 1));
        assertFalse(share.tryAcquire(), "still nothing to sell");

        stock.update(new EventStatus("e", 2, 1, 0, 1));
        assertTrue(share.tryAcquire(), "an expired hold came back");
        assertFalse(share.tryAcquire());
    }

    @Test
    void answersSoldOutAsSoonAsRedisHasNothingLeftWhateverPermitsRemainHere() {
        LocalStock stock = localStock(1, 1);
        EventShare share = stock.update(new EventStatus("e", 10, 0, 0, 1));
        assertTrue(share.permitsLeft() > 0);

        stock.update(new EventStatus("e", 10, 9, 1, 1));

        assertTrue(share.soldOut(), "the other instances sold the rest");
        assertFalse(share.tryAcquire());
    }

    @Test
    void reopensASoldOutShareWhenTicketsComeBack() {
        LocalStock stock = localStock(1, 1);
        EventShare share = stock.update(new EventStatus("e", 10, 0, 0, 1));
        share.markSoldOut();
        assertFalse(share.tryAcquire());
        assertEquals(0, share.permitsLeft());

        EventShare same = stock.update(new EventStatus("e", 10, 9, 0, 1));

        assertSame(share, same);
        assertTrue(share.tryAcquire());
    }

    @Test
    void leavesAShareWithPermitsAlone() {
        LocalStock stock = localStock(1, 1);
        EventShare share = stock.update(new EventStatus("e", 10, 0, 0, 1));
        share.tryAcquire();
        stock.update(new EventStatus("e", 10, 5, 0, 1));
        assertEquals(9, share.permitsLeft());
    }

    @Test
    void startsOverWhenTheSaleIsReset() {
        LocalStock stock = localStock(1, 1);
        EventShare old = stock.update(new EventStatus("e", 10, 0, 0, 1));
        old.markSoldOut();

        EventShare fresh = stock.update(new EventStatus("e", 20, 0, 0, 2));

        assertEquals(20, fresh.permitsLeft());
        assertSame(fresh, stock.share("e"));
    }

    @Test
    void startsSoldOutWhenNothingIsAvailable() {
        EventShare share = localStock(1, 1).update(new EventStatus("e", 0, 0, 0, 1));
        assertFalse(share.tryAcquire());
    }

    @Test
    void sizesSharesByTheWeightAliveOnceRedisHasSaidIt() {
        // Weight 1 of cluster.sh's 10; instance-4 (weight 4) died, so 6 are alive.
        LocalStock stock = localStock(1, 10);
        assertEquals(10, stock.totalWeight(), "cluster.total-weight until Redis answers");
        stock.alive(new Members.Alive(6, 3));
        assertEquals(6, stock.totalWeight());

        EventShare share = stock.update(new EventStatus("e", 600, 0, 0, 1));
        assertEquals(100 + 10, share.permitsLeft(), "a sixth of the stock, not a tenth");
    }

    @Test
    void reopensAUsedUpShareByTheWeightAliveThen() {
        LocalStock stock = localStock(1, 10);
        EventShare share = stock.update(new EventStatus("e", 100, 0, 0, 1));
        assertEquals(10 + 1, share.permitsLeft());
        stock.alive(new Members.Alive(5, 2));
        assertEquals(11, share.permitsLeft(), "a share with permits is left as it is");
        while (share.tryAcquire()) {
            // Use it up.
        }

        stock.update(new EventStatus("e", 100, 11, 0, 1));

        assertEquals(18 + 2, share.permitsLeft(), "ceil(89 / 5) + 10%");
    }

    @Test
    void neverCountsLessThanItsOwnWeightAlive() {
        LocalStock stock = localStock(3, 10);
        stock.alive(new Members.Alive(0, 0));
        assertEquals(3, stock.totalWeight(), "its own beat may have expired on a stalled host; it is alive");
    }

    private static LocalStock localStock(int weight, int totalWeight) {
        LocalStock stock = new LocalStock();
        stock.weight = weight;
        stock.configuredTotalWeight = totalWeight;
        stock.bufferPercent = 10;
        return stock;
    }
}
