// The buyer's page: the same JSON API as curl (docs/api.md), in plain words. No framework, no build step.
'use strict';

const ID = /^[A-Za-z0-9_.:@-]{1,64}$/;
const POLL_MS = 1000;
const RETRIES = 5;
const BUSY = -3;
const BUSY_RETRIES = 10;

const $ = (id) => document.getElementById(id);

const page = {
    userId: null,
    eventId: null,
    sale: null,       // GET /events/{eventId}
    place: null,      // the place token of the join
    position: null,   // fixed once known
    admission: null,  // {admission, expiresAt}
    order: null,
    clockSkew: 0,     // the service's clock minus this browser's: the queue state's "now", else the Date header
    run: 0,           // which look() the page shows: an answer to an earlier one is dropped
    maybeReserved: false, // a purchase went unanswered: every later attempt says retry=true
    pollProblem: false,   // the problem shown is the poll's own, cleared by the next good poll
    poller: null,
    ticker: null,
    asking: false,
};

// ---- talking to the service -------------------------------------------------------------------------------

class Problem extends Error {
}

/**
 * One call of the API: answers its envelope {code, msg, data}, whatever the HTTP status. A lost answer (no
 * connection, a timeout, nginx's JSON 503 or any answer that is not the envelope) throws a Problem with lost = true.
 */
async function call(method, path, form) {
    const init = {method, headers: {Accept: 'application/json', ...signIn.authorization()}, cache: 'no-store'};
    if (form) {
        init.body = new URLSearchParams(form);
    }
    let response;
    try {
        response = await fetch(path, init);
    } catch (e) {
        throw Object.assign(new Problem('The service did not answer. Check your connection; trying again.'), {lost: true});
    }
    let answer;
    try {
        answer = await response.json();
    } catch (e) {
        answer = null;
    }
    if (!answer || typeof answer.code !== 'number') {
        throw Object.assign(new Problem(`The service answered something unexpected (HTTP ${response.status}).`), {lost: true});
    }
    answer.status = response.status;
    // "Busy, try again" (code -3): nothing was reserved, the same request goes again after Retry-After.
    answer.busy = response.status === 503 && answer.code === BUSY;
    answer.retryAfterMs = 1000 * (Number(response.headers.get('Retry-After')) || 1);
    answer.lost = !answer.busy && (response.status === 503 || response.status === 502 || response.status === 504);
    const date = Date.parse(response.headers.get('Date'));
    if (!lastState && !Number.isNaN(date)) {
        // Without a queue state's "now" (ms), the Date header (whole seconds) sets the countdowns' clock.
        page.clockSkew = date + 500 - Date.now();
    }
    return answer;
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- what the buyer sees ----------------------------------------------------------------------------------

function say(text) {
    $('message').textContent = text;
}

function problem(text) {
    const box = $('problem');
    box.textContent = text || '';
    box.hidden = !text;
    page.pollProblem = false;
}

function show(id, visible) {
    $(id).hidden = !visible;
}

function focusOn(id) {
    const element = $(id);
    if (element && !element.hidden) {
        element.focus();
    }
}

function duration(ms) {
    const seconds = Math.max(0, Math.ceil(ms / 1000));
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    const s = seconds % 60;
    const parts = [];
    if (h) parts.push(`${h} h`);
    if (h || m) parts.push(`${m} min`);
    parts.push(`${s} s`);
    return parts.join(' ');
}

function clockTime(epochMs) {
    return new Date(epochMs).toLocaleTimeString();
}

function setTime(id, epochMs) {
    const element = $(id);
    element.dateTime = new Date(epochMs).toISOString();
    element.textContent = clockTime(epochMs);
}

const serverNow = () => Date.now() + page.clockSkew;

const STATES = {
    PRE_QUEUE: 'Waiting for the sale to open',
    WAITING: 'In the queue',
    ADMITTED: 'Your turn',
    PAUSED: 'Admission paused by the organiser: your place is kept',
    SOLD_OUT: 'Sold out',
};

// ---- step 1: the sale -------------------------------------------------------------------------------------

async function look(event) {
    event.preventDefault();
    problem('');
    const run = ++page.run;
    const userId = signIn.required ? signIn.subject : $('user-id').value.trim();
    const eventId = $('event-id').value.trim();
    if (signIn.required && !signIn.user) {
        problem('Sign in first: this sale\'s tickets and places are their buyer\'s own.');
        focusOn('sign-in');
        return;
    }
    if (!signIn.required && !ID.test(userId)) {
        problem('Your user id may only hold 1 to 64 letters, digits or _ . : @ -');
        focusOn('user-id');
        return;
    }
    if (!ID.test(eventId)) {
        problem('The sale\'s name may only hold 1 to 64 letters, digits or _ . : @ -');
        focusOn('event-id');
        return;
    }
    stopTimers();
    lastState = null;
    Object.assign(page, {userId, eventId, sale: null, place: null, position: null, admission: null, order: null,
        clockSkew: 0, asking: false, maybeReserved: false, pollProblem: false});
    ['queue', 'order', 'admitted', 'hold', 'opens', 'join', 'buy', 'pay', 'pow'].forEach((id) => show(id, false));
    ['join', 'buy', 'pay'].forEach((id) => { $(id).disabled = false; });
    $('look').disabled = true;
    try {
        const answer = await call('GET', `/events/${encodeURIComponent(eventId)}`);
        if (run !== page.run) return;
        if (answer.code !== 1) {
            show('sale', false);
            problem(answer.status === 404 ? `There is no sale called "${eventId}".` : plain(answer));
            return;
        }
        page.sale = answer.data;
        $('sale-name').textContent = `"${eventId}"`;
        show('sale', true);
        showStock(page.sale);
        if (await rememberedOrder() || run !== page.run) {
            return;
        }
        if (page.sale.queue) {
            await queueState();
            if (run !== page.run) return;
            show('join', !page.sale.soldOut);
            say(page.sale.soldOut ? '' : 'This sale has a waiting room: join it to get your place in line.');
            focusOn('join');
            page.poller = setInterval(poll, POLL_MS);
            page.ticker = setInterval(tick, 250);
            tick();
        } else {
            show('buy', !page.sale.soldOut);
            say(page.sale.soldOut ? '' : 'No queue for this sale: you can buy straight away.');
            focusOn('buy');
        }
    } catch (e) {
        if (run === page.run) problem(e.message);
    } finally {
        if (run === page.run) $('look').disabled = false;
    }
}

function showStock(sale) {
    if (sale.soldOut) {
        $('tickets-left').textContent = `Sold out: all ${sale.tickets} tickets have been sold.`;
    } else if (sale.available === 0) {
        $('tickets-left').textContent = `No tickets left right now (${sale.tickets} in all); `
            + 'some are held unpaid and may come back.';
    } else {
        $('tickets-left').textContent = `${sale.available} of ${sale.tickets} tickets left`;
    }
}

// ---- step 2, a queued sale: join, wait, be admitted ------------------------------------------------------

let lastState = null;

/** The state every buyer shares (GET /queue/{eventId}, answered by nginx's microcache): the cheap poll. */
async function queueState() {
    const answer = await call('GET', `/queue/${encodeURIComponent(page.eventId)}`);
    if (answer.code !== 1) {
        throw new Problem(plain(answer));
    }
    const state = answer.data;
    lastState = state;
    page.clockSkew = state.now - Date.now();
    showStock({tickets: state.tickets, available: state.available, soldOut: state.soldOut});
    setTime('opens-at', state.opensAt);
    show('opens', state.state === 'PRE_QUEUE');
    return state;
}

async function join() {
    problem('');
    const run = page.run;
    $('join').disabled = true;
    try {
        let pow = lastState && lastState.proofOfWork > 0 ? await proofOfWork(run) : null;
        if (run !== page.run) return;
        let answer = await joinWith(pow);
        if (answer.status === 403 && pow === null && run === page.run) {
            // The shared state may be a moment old: a sale that asks for a proof of work now gives a challenge.
            pow = await proofOfWork(run).catch(() => null);
            if (run !== page.run) return;
            if (pow !== null) {
                answer = await joinWith(pow);
            }
        }
        if (run !== page.run) return;
        if (answer.code !== 1) {
            problem(plain(answer));
            $('join').disabled = false;
            return;
        }
        page.place = answer.data.place;
        page.position = answer.data.position;
        show('join', false);
        show('queue', true);
        say(answer.data.state === 'PRE_QUEUE'
            ? 'You are in the queue. When the sale opens, everyone who joined before is put in a random order.'
            : 'You are in the queue.');
        standing(answer.data.state, answer.data.position, answer.data.ahead, null);
        $('queue-title').tabIndex = -1;
        $('queue-title').focus();
        await poll();
    } catch (e) {
        if (run !== page.run) return;
        problem(e.message);
        $('join').disabled = false;
    }
}

/** The join, with the proof of work when the sale asks for one; sent again as it is when the answer is lost. */
function joinWith(pow) {
    const form = buyerForm();
    if (pow !== null) {
        form.pow = pow;
    }
    return withRetries(() => call('POST', `/queue/${encodeURIComponent(page.eventId)}/join`, form));
}

// ---- step 2, before joining a sale that asks for it: a proof of work -----------------------------------------

/** At most this many workers solve a challenge together: a phone's big cores, not every core it has. */
const POW_WORKERS = 4;

/**
 * The ALTCHA payload that proves this browser did the work the sale asks for before a join (docs/api.md,
 * GET /queue/{eventId}/challenge), or null when the sale asks for none. The progress shows meanwhile.
 */
async function proofOfWork(run) {
    const path = `/queue/${encodeURIComponent(page.eventId)}/challenge?${new URLSearchParams(buyerForm())}`;
    const answer = await withRetries(() => call('GET', path));
    if (answer.status === 409) {
        return null;
    }
    if (answer.code !== 1) {
        throw new Problem(plain(answer));
    }
    const challenge = answer.data;
    say('This sale asks your browser to prove it is not a bot: a short computation, a second or so.');
    const number = await solveChallenge(challenge, run);
    return btoa(JSON.stringify({algorithm: challenge.algorithm, challenge: challenge.challenge, number,
        salt: challenge.salt, signature: challenge.signature}));
}

/**
 * The number that solves the challenge, found by Web Workers (pow-worker.js) each searching a part of
 * 0..maxnumber; they are stopped as soon as one finds it, or when the buyer turns to another sale.
 */
function solveChallenge(challenge, run) {
    const total = challenge.maxnumber + 1;
    const count = Math.max(1, Math.min(POW_WORKERS, navigator.hardwareConcurrency || 1, total));
    const size = Math.ceil(total / count);
    showWork(0, 'Starting…');
    return new Promise((resolve, reject) => {
        const workers = [];
        const tried = new Array(count).fill(0);
        let searching = count;
        const stop = () => workers.forEach((worker) => worker.terminate());
        const fail = (text) => {
            stop();
            showWork(0, 'Could not be done.');
            reject(new Problem(text));
        };
        for (let i = 0; i < count; i++) {
            const worker = new Worker('/pow-worker.js');
            workers.push(worker);
            worker.onerror = () => fail('Your browser could not run the check this sale asks for.');
            worker.onmessage = (message) => {
                const result = message.data;
                if (run !== page.run) {
                    stop();
                    reject(new Problem('Another sale was chosen.'));
                    return;
                }
                if (result.error) {
                    fail('This sale asks for a check your browser can only do on a secure (https) page.');
                    return;
                }
                tried[i] = result.tried;
                const done = tried.reduce((sum, n) => sum + n, 0);
                if (result.number === undefined) {
                    showWork(done / total, `${Math.floor(100 * done / total)} % of the most it can take`);
                } else if (result.number !== null) {
                    stop();
                    showWork(1, `Done: ${done.toLocaleString('en-US')} tries in ${(result.ms / 1000).toFixed(1)} s.`);
                    resolve(result.number);
                } else if (--searching === 0) {
                    fail('The check found no answer: please join again for a new one.');
                }
            };
            worker.postMessage({challenge: challenge.challenge, salt: challenge.salt, from: i * size,
                to: Math.min(challenge.maxnumber, (i + 1) * size - 1)});
        }
    });
}

function showWork(fraction, text) {
    show('pow', true);
    $('pow-progress').value = fraction;
    $('pow-status').textContent = text;
}

/** Every second: the shared state, and the buyer's standing computed from it (docs/api.md, GET /queue). */
async function poll() {
    if (page.asking || page.admission || page.order) {
        return;
    }
    const run = page.run;
    let state;
    try {
        state = await queueState();
        if (run !== page.run) return;
        if (page.pollProblem) {
            problem('');
        }
    } catch (e) {
        if (run === page.run) {
            problem(e.message);
            page.pollProblem = true;
        }
        return;
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
        await askAdmission();
        return;
    }
    const ahead = Math.max(0, page.position - state.reach - 1);
    const rate = Math.min(state.measuredRate, state.admitPerSecond);
    const eta = {
        min: Math.ceil(ahead / state.admitPerSecond),
        max: rate > 0 && !state.paused ? Math.ceil(ahead / rate) : null,
    };
    standing(state.paused ? 'PAUSED' : 'WAITING', page.position, ahead, eta);
}

async function askAdmission() {
    page.asking = true;
    const run = page.run;
    try {
        const answer = await withRetries(() => call('POST', `/queue/${encodeURIComponent(page.eventId)}/admission`,
            {place: page.place}));
        if (run !== page.run) return;
        if (answer.code === 1) {
            page.admission = answer.data;
            page.position = admittedPosition(answer.data.admission) ?? page.position;
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
    } catch (e) {
        if (run === page.run) {
            problem(e.message);
            page.pollProblem = true;
        }
    } finally {
        if (run === page.run) page.asking = false;
    }
}

/**
 * The position an admission was given for: its payload (before the dot, base64url) is readable by anyone,
 * a|event|buyer|generation|place|position|expiresAt (docs/api.md, the waiting room).
 */
function admittedPosition(token) {
    try {
        const payload = token.split('.')[0].replace(/-/g, '+').replace(/_/g, '/');
        const fields = atob(payload + '='.repeat((4 - payload.length % 4) % 4)).split('|');
        const position = Number(fields[5]);
        return fields[0] === 'a' && Number.isInteger(position) && position > 0 ? position : null;
    } catch (e) {
        return null;
    }
}

function standing(state, position, ahead, eta) {
    $('queue-state').textContent = STATES[state] || state;
    $('position').textContent = position === null || position === undefined
        ? 'drawn at the opening' : `${position}`;
    $('ahead').textContent = ahead === null || ahead === undefined ? '—' : `${ahead}`;
    $('eta').textContent = etaText(state, eta);
}

function etaText(state, eta) {
    if (state === 'ADMITTED') return 'now';
    if (state === 'PRE_QUEUE') return 'after the opening';
    if (!eta || eta.min === null || eta.min === undefined) return 'unknown yet';
    if (eta.max === null || eta.max === undefined) {
        return state === 'PAUSED' ? 'unknown while admission is paused'
            : `at least ${duration(eta.min * 1000)}; waiting for tickets to come back`;
    }
    return eta.min === eta.max ? `about ${duration(eta.min * 1000)}`
        : `between ${duration(eta.min * 1000)} and ${duration(eta.max * 1000)}`;
}

function soldOut() {
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

// ---- step 3: buy, with retry=true after a lost answer ------------------------------------------------------

async function buy() {
    problem('');
    const run = page.run;
    $('buy').disabled = true;
    const form = {...buyerForm(), eventId: page.eventId};
    if (page.admission) {
        form.admission = page.admission.admission;
    }
    try {
        let answer = null;
        let lost = 0;
        let busy = 0;
        while (answer === null || (answer.lost && lost <= RETRIES) || (answer.busy && busy <= BUSY_RETRIES)) {
            if (answer && answer.busy) {
                say('Many buyers at this moment; trying again…');
                await pause(answer.retryAfterMs);
            } else if (answer) {
                say('The answer was lost; asking again whether you got a ticket…');
                await pause(500 * lost);
            }
            if (page.maybeReserved) {
                // An earlier attempt went unanswered and may have reserved a ticket: say so (docs/api.md, retry).
                form.retry = 'true';
            }
            try {
                answer = await call('POST', '/buy/ticket', form);
            } catch (e) {
                if (!e.lost) throw e;
                answer = {lost: true, msg: e.message};
            }
            if (answer.lost) {
                page.maybeReserved = true;
                lost++;
            }
            if (answer.busy) {
                busy++;
            }
            if (run !== page.run) return;
        }
        if (answer.busy) {
            problem('Too many buyers at this moment. Please press Buy again: the sale is not over.');
            $('buy').disabled = false;
            return;
        }
        if (answer.lost) {
            problem('The service is not answering. Please try again in a moment: you will never be sold two tickets.');
            $('buy').disabled = false;
            return;
        }
        if (answer.code === 1 || answer.code === -2) {
            showOrder(answer.data, answer.code === 1 ? 'Reserved: pay before the hold runs out.'
                : 'You already hold a ticket for this sale: here it is.');
        } else if (answer.code === -1) {
            soldOut();
        } else {
            problem(plain(answer));
            $('buy').disabled = false;
        }
    } catch (e) {
        if (run !== page.run) return;
        problem(e.message);
        $('buy').disabled = false;
    }
}

// ---- the order this browser was given, kept across visits --------------------------------------------------

const orderKey = () => `ticketrush.order.${page.eventId}.${page.userId.toLowerCase()}`;

/**
 * The order this buyer was given here before (localStorage), if it still stands: shown instead of a buy button. A
 * holder buying again in a sold-out sale is given the answer every buyer gets, "sold out", which nginx shares
 * (docs/api.md), so the page remembers rather than asks again.
 */
async function rememberedOrder() {
    const orderId = localStorage.getItem(orderKey());
    if (!orderId) {
        return false;
    }
    try {
        const answer = await call('GET', `/orders/${encodeURIComponent(orderId)}`);
        if (answer.code === 1 && answer.data.status !== 'EXPIRED'
            && (signIn.required || answer.data.userId.toLowerCase() === page.userId.toLowerCase())) {
            showOrder(answer.data, 'You already hold a ticket for this sale: here it is.');
            return true;
        }
        if (answer.status === 404 || (answer.code === 1 && answer.data.status === 'EXPIRED')) {
            localStorage.removeItem(orderKey());
        }
    } catch (e) {
        // Not known now: the page offers what it would have offered anyway.
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
        page.ticker = setInterval(tick, 250);
        tick();
    }
    say(text);
    focusOn(held ? 'pay' : 'order-id');
}

const STATUS = {RESERVED: 'Reserved, not paid yet', PAID: 'Paid: the ticket is yours', EXPIRED: 'Expired: not paid in time'};

async function pay() {
    problem('');
    const run = page.run;
    $('pay').disabled = true;
    try {
        // Paying twice is paying once: a lost answer is simply asked again.
        const answer = await withRetries(() => call('POST', `/orders/${encodeURIComponent(page.order.orderId)}/pay`));
        if (run !== page.run) return;
        if (answer.code === 1) {
            showOrder(answer.data, 'Paid. Enjoy the show!');
        } else if (answer.status === 409) {
            showOrder({...page.order, status: 'EXPIRED'}, '');
            problem('The hold ran out before the payment: the ticket went back on sale.');
        } else {
            problem(plain(answer));
            $('pay').disabled = false;
        }
    } catch (e) {
        if (run !== page.run) return;
        problem(e.message);
        $('pay').disabled = false;
    }
}

// ---- the clocks ---------------------------------------------------------------------------------------------

function tick() {
    const now = serverNow();
    if (lastState && lastState.state === 'PRE_QUEUE') {
        $('opens-countdown').textContent = lastState.opensAt > now
            ? `in ${duration(lastState.opensAt - now)}` : 'opening now';
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

function stopTimers() {
    clearInterval(page.poller);
    clearInterval(page.ticker);
    page.poller = null;
    page.ticker = null;
}

// ---- plain words ---------------------------------------------------------------------------------------------

/** An error answer in words: the service's own message is a sentence naming the problem; status gives the rest. */
function plain(answer) {
    const msg = answer.msg ? answer.msg.charAt(0).toUpperCase() + answer.msg.slice(1) : '';
    switch (answer.status) {
        case 400: return `That was not accepted: ${msg}.`;
        case 401: return `Your sign-in was not accepted (${msg}): sign out and sign in again.`;
        case 403: return `Not allowed: ${msg}.`;
        case 404: return `Not found: ${msg}.`;
        case 429: return 'Too many requests from your address: wait a moment and try again.';
        case 503: return 'The service is busy or briefly unavailable: try again in a moment.';
        default: return msg ? `${msg}.` : `Something went wrong (HTTP ${answer.status}).`;
    }
}

/** Who buys, as a form names them: in open mode the user id typed; signed in, the access token names them. */
function buyerForm() {
    return signIn.required ? {} : {userId: page.userId};
}

// ---- signing in (signin.js) -----------------------------------------------------------------------------------

const EVENT_KEY = 'ticketrush.signin.event';

function showAccount() {
    show('account', signIn.required);
    show('user-id-field', !signIn.required);
    show('signed-in', Boolean(signIn.user));
    show('signed-out', signIn.required && !signIn.user);
    $('buyer-name').textContent = signIn.name;
    $('look').disabled = signIn.required && !signIn.user;
}

async function startSignIn() {
    // The provider sends the browser back to this page's address alone: the sale is kept here meanwhile.
    sessionStorage.setItem(EVENT_KEY, $('event-id').value.trim());
    $('sign-in').disabled = true;
    try {
        await signIn.start();
    } catch (e) {
        $('sign-in').disabled = false;
        problem(`Signing in could not start: ${e.message}`);
    }
}

async function endSignIn() {
    stopTimers();
    page.run++;
    ['sale', 'queue', 'order'].forEach((id) => show(id, false));
    try {
        await signIn.end();
    } catch (e) {
        problem(`Signed out here; the provider could not be told: ${e.message}`);
    }
    showAccount();
}

async function withRetries(action) {
    for (let attempt = 0; ; attempt++) {
        try {
            const answer = await action();
            if (!answer.lost || attempt >= RETRIES) return answer;
        } catch (e) {
            if (!e.lost || attempt >= RETRIES) throw e;
        }
        await pause(500 * (attempt + 1));
    }
}

document.addEventListener('DOMContentLoaded', async () => {
    const params = new URLSearchParams(window.location.search);
    const remembered = sessionStorage.getItem(EVENT_KEY);
    sessionStorage.removeItem(EVENT_KEY);
    const event = params.get('event') || remembered;
    if (event && ID.test(event)) {
        $('event-id').value = event;
    }
    $('look').disabled = true;
    $('sign-in').addEventListener('click', startSignIn);
    $('sign-out').addEventListener('click', endSignIn);
    try {
        await signIn.init();
    } catch (e) {
        problem(`Signing in failed: ${e.message}`);
    }
    showAccount();
    $('who').addEventListener('submit', look);
    $('join').addEventListener('click', join);
    $('buy').addEventListener('click', buy);
    $('pay').addEventListener('click', pay);
});
