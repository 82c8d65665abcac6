// A sale with a waiting room: the shared state polled every second, the join (with its proof of work when the sale
// asks for one), the standing computed from the shared state, and the admission asked for when the place is reached.

import { Problem, withRetries } from '../js/api.js';
import { soldOut, startTicker } from './clock.js';
import { ask, buyerForm, page, queuePath, runs } from './page.js';
import { proofOfWork } from './pow.js';
import { $, focusOn, plain, problem, say, setTime, show, showStock, standing } from './view.js';

const POLL_MS = 1000;

/** Shows a queued sale before joining: its opening and stock, kept up to date every second. */
export async function showQueue(run) {
    await run.fresh(queueState());
    show('join', !page.sale.soldOut);
    say(page.sale.soldOut ? '' : 'This sale has a waiting room: join it to get your place in line.');
    focusOn('join');
    page.poller = setInterval(poll, POLL_MS);
    startTicker();
}

/** The state every buyer shares (GET /queue/{eventId}, answered by nginx's microcache): the cheap poll. */
async function queueState() {
    const answer = await ask('GET', queuePath());
    if (answer.code !== 1) {
        throw new Problem(plain(answer));
    }
    const state = answer.data;
    page.shared = state;
    page.clockSkew = state.now - Date.now();
    showStock({ tickets: state.tickets, available: state.available, soldOut: state.soldOut });
    setTime('opens-at', state.opensAt);
    show('opens', state.state === 'PRE_QUEUE');
    return state;
}

export const join = runs.handler(
    async (run) => {
        problem('');
        $('join').disabled = true;
        let pow = page.shared && page.shared.proofOfWork > 0 ? await proofOfWork(run) : null;
        let answer = await run.fresh(joinWith(pow));
        if (answer.status === 403 && pow === null) {
            // The shared state may be a moment old: a sale that asks for a proof of work now gives a challenge.
            pow = await run.fresh(proofOfWork(run).catch(() => null));
            if (pow !== null) {
                answer = await run.fresh(joinWith(pow));
            }
        }
        if (answer.code !== 1) {
            problem(plain(answer));
            $('join').disabled = false;
            return;
        }
        page.place = answer.data.place;
        page.position = answer.data.position;
        show('join', false);
        show('queue', true);
        say(
            answer.data.state === 'PRE_QUEUE'
                ? 'You are in the queue. When the sale opens, everyone who joined before is put in a random order.'
                : 'You are in the queue.',
        );
        standing(answer.data.state, answer.data.position, answer.data.ahead, null);
        $('queue-title').tabIndex = -1;
        $('queue-title').focus();
        await poll();
    },
    (e) => {
        problem(e.message);
        $('join').disabled = false;
    },
);

/** The join, with the proof of work when the sale asks for one; sent again as it is when the answer is lost. */
function joinWith(pow) {
    const form = buyerForm();
    if (pow !== null) {
        form.pow = pow;
    }
    return withRetries(() => ask('POST', queuePath('/join'), form));
}

/** Every second: the shared state, and the buyer's standing computed from it (docs/api.md, GET /queue). */
const poll = runs.handler(
    async (run) => {
        if (page.asking || page.admission || page.order) {
            return;
        }
        const state = await run.fresh(queueState());
        if (page.pollProblem) {
            problem('');
        }
        if (state.soldOut) {
            soldOut();
            return;
        }
        if (!page.place) {
            return; // not joined yet: the shared state is all there is to show
        }
        if (state.state === 'PRE_QUEUE') {
            standing('PRE_QUEUE', null, null, null);
            return;
        }
        if (page.position === null || page.position === undefined || page.position <= state.reach) {
            // Once open, where this place stands (asked once), or its turn: ask for the admission.
            await askAdmission(run);
            return;
        }
        const ahead = Math.max(0, page.position - state.reach - 1);
        const rate = Math.min(state.measuredRate, state.admitPerSecond);
        const eta = {
            min: Math.ceil(ahead / state.admitPerSecond),
            max: rate > 0 && !state.paused ? Math.ceil(ahead / rate) : null,
        };
        standing(state.paused ? 'PAUSED' : 'WAITING', page.position, ahead, eta);
    },
    (e) => {
        // Unanswered: the place stands, the next poll asks again.
        problem(e.message);
        page.pollProblem = true;
    },
);

async function askAdmission(run) {
    page.asking = true;
    try {
        const answer = await run.fresh(withRetries(() => ask('POST', queuePath('/admission'), { place: page.place })));
        if (answer.code === 1) {
            page.admission = answer.data;
            page.position = answer.data.position;
            clearInterval(page.poller);
            standing('ADMITTED', page.position, 0, null);
            setTime('admission-until', page.admission.expiresAt);
            show('admitted', true);
            show('buy', true);
            say('It is your turn: buy your ticket now.');
            focusOn('buy');
        } else if (answer.code === -3) {
            page.position = answer.data.position;
            standing(answer.data.state, answer.data.position, answer.data.ahead, answer.data.etaSeconds);
        } else if (answer.code === -1) {
            soldOut();
        } else if (answer.status === 403 || answer.status === 404) {
            // The place is refused for good (used, lapsed, of an earlier sale) or the queue is gone: stop asking.
            clearInterval(page.poller);
            problem(plain(answer));
        } else {
            // Busy, rate-limited or briefly unavailable: the place stands, the next poll asks again.
            problem(plain(answer));
            page.pollProblem = true;
        }
    } finally {
        if (run.current) {
            page.asking = false;
        }
    }
}
