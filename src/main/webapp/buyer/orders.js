// Buying and paying: the purchase (sent again with retry=true after a lost answer), the order and its hold, the
// payment, and the order this browser was given, kept across visits.

import { withRetries } from '../js/api.js';
import { buyerKey } from '../js/ids.js';
import { signIn } from '../signin.js';
import { soldOut, startTicker, stopTimers } from './clock.js';
import { ask, buyerForm, page, runs } from './page.js';
import { $, focusOn, plain, problem, say, setTime, show, STATUS } from './view.js';

/** How often a purchase answered "busy, try again" (503, code -3) goes again before the buyer is asked to. */
const BUSY_RETRIES = 10;

export const buy = runs.handler(
    async (run) => {
        problem('');
        $('buy').disabled = true;
        const form = { ...buyerForm(), eventId: page.eventId };
        if (page.admission) {
            form.admission = page.admission.admission;
        }
        const purchase = async () => {
            if (page.maybeReserved) {
                // An earlier attempt went unanswered and may have reserved a ticket: say so (docs/api.md, retry).
                form.retry = 'true';
            }
            try {
                const answer = await run.fresh(ask('POST', '/buy/ticket', form));
                page.maybeReserved ||= answer.lost;
                return answer;
            } catch (e) {
                page.maybeReserved ||= Boolean(e.lost);
                throw e;
            }
        };
        const answer = await withRetries(purchase, {
            busyRetries: BUSY_RETRIES,
            beforeRetry: (outcome) =>
                say(
                    outcome.busy
                        ? 'Many buyers at this moment; trying again…'
                        : 'The answer was lost; asking again whether you got a ticket…',
                ),
        });
        if (answer.busy) {
            problem('Too many buyers at this moment. Please press Buy again: the sale is not over.');
            $('buy').disabled = false;
        } else if (answer.lost) {
            notAnswered();
        } else if (answer.code === 1 || answer.code === -2) {
            showOrder(
                answer.data,
                answer.code === 1
                    ? 'Reserved: pay before the hold runs out.'
                    : 'You already hold a ticket for this sale: here it is.',
            );
        } else if (answer.code === -1) {
            soldOut();
        } else {
            problem(plain(answer));
            $('buy').disabled = false;
        }
    },
    (e) => {
        if (e.lost) {
            notAnswered();
        } else {
            problem(e.message);
            $('buy').disabled = false;
        }
    },
);

function notAnswered() {
    problem('The service is not answering. Please try again in a moment: you will never be sold two tickets.');
    $('buy').disabled = false;
}

export const pay = runs.handler(
    async (run) => {
        problem('');
        $('pay').disabled = true;
        // Paying twice is paying once: a lost answer is simply asked again.
        const path = `/orders/${encodeURIComponent(page.order.orderId)}/pay`;
        const answer = await run.fresh(withRetries(() => ask('POST', path)));
        if (answer.code === 1) {
            showOrder(answer.data, 'Paid. Enjoy the show!');
        } else if (answer.status === 409) {
            showOrder({ ...page.order, status: 'EXPIRED' }, '');
            problem('The hold ran out before the payment: the ticket went back on sale.');
        } else {
            problem(plain(answer));
            $('pay').disabled = false;
        }
    },
    (e) => {
        problem(e.message);
        $('pay').disabled = false;
    },
);

const orderKey = () => `ticketrush.order.${page.eventId}.${buyerKey(page.userId)}`;

/**
 * The order this buyer was given here before (localStorage), if it still stands: shown instead of a buy button. A
 * holder buying again in a sold-out sale is given the answer every buyer gets, "sold out", which nginx shares
 * (docs/api.md), so the page remembers rather than asks again.
 */
export async function rememberedOrder(run) {
    const orderId = localStorage.getItem(orderKey());
    if (!orderId) {
        return false;
    }
    let answer;
    try {
        answer = await run.fresh(ask('GET', `/orders/${encodeURIComponent(orderId)}`));
    } catch (e) {
        if (!e.lost) throw e;
        return false; // not known now: the page offers what it would have offered anyway
    }
    if (
        answer.code === 1 &&
        answer.data.status !== 'EXPIRED' &&
        (signIn.required || buyerKey(answer.data.userId) === buyerKey(page.userId))
    ) {
        showOrder(answer.data, 'You already hold a ticket for this sale: here it is.');
        return true;
    }
    if (answer.status === 404 || (answer.code === 1 && answer.data.status === 'EXPIRED')) {
        localStorage.removeItem(orderKey());
    }
    return false;
}

function showOrder(order, text) {
    page.order = order;
    localStorage.setItem(orderKey(), order.orderId);
    stopTimers();
    show('buy', false);
    show('admitted', false);
    show('order', true);
    $('order-id').textContent = order.orderId;
    $('order-status').textContent = STATUS[order.status] || order.status;
    const held = order.status === 'RESERVED';
    show('hold', held);
    show('pay', held);
    if (held) {
        setTime('hold-until', order.expiresAt);
        startTicker();
    }
    say(text);
    focusOn(held ? 'pay' : 'order-id');
}
