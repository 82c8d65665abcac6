// The page's clocks, by the service's time: the opening's countdown, the admission's and the hold's, and the end
// of the sale for this buyer (sold out), which stops them all.

import { page, serverNow } from './page.js';
import { $, duration, say, show, standing, STATUS } from './view.js';

const TICK_MS = 250;

export function startTicker() {
    clearInterval(page.ticker);
    page.ticker = setInterval(tick, TICK_MS);
    tick();
}

export function stopTimers() {
    clearInterval(page.poller);
    clearInterval(page.ticker);
    page.poller = null;
    page.ticker = null;
}

function tick() {
    const now = serverNow();
    const shared = page.shared;
    if (shared && shared.state === 'PRE_QUEUE') {
        $('opens-countdown').textContent =
            shared.opensAt > now ? `in ${duration(shared.opensAt - now)}` : 'opening now';
    }
    if (page.admission && !page.order) {
        const left = page.admission.expiresAt - now;
        $('admission-countdown').textContent = duration(left);
        if (left <= 0) {
            clearInterval(page.ticker);
            show('buy', false);
            say('Your turn has passed: the admission window is over.');
        }
    }
    if (page.order && page.order.status === 'RESERVED') {
        const left = page.order.expiresAt - now;
        $('hold-countdown').textContent = duration(left);
        if (left <= 0) {
            clearInterval(page.ticker);
            show('pay', false);
            $('order-status').textContent = STATUS.EXPIRED;
            say('The hold has run out: the ticket went back on sale.');
        }
    }
}

export function soldOut() {
    stopTimers();
    show('buy', false);
    show('join', false);
    show('admitted', false);
    if (page.place) {
        standing('SOLD_OUT', page.position, null, null);
    }
    $('tickets-left').textContent = 'Sold out.';
    say('Sold out: every ticket has been sold. Sorry!');
}
