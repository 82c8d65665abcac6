// The operations dashboard: GET /admin/events/{eventId} and GET /admin/instances every second, drawn. The admin
// token is kept in sessionStorage (this tab only) and sent as a header, never in a URL.
'use strict';

const TOKEN_KEY = 'ticketrush.adminToken';
const ID = /^[A-Za-z0-9_.:@-]{1,64}$/;
const REFRESH_MS = 1000;
const HISTORY_SECONDS = 300;   // the rate chart's span
const SHARE_SECONDS = 60;      // the request shares' window

const $ = (id) => document.getElementById(id);

const board = {
    eventId: 'default',
    timer: null,
    busy: false,
    event: null,
    samples: [],          // {t (s), requests: {name: n}, sales: {name: n}}, oldest first
    history: {t: [], sales: [], requests: []},
    chart: null,
    skew: 0,              // Redis's clock minus this browser's, from GET /admin/instances
    refreshProblem: false, // the problem shown is the refresh's own, cleared by the next good one
};

class Refused extends Error {
}

function token() {
    return sessionStorage.getItem(TOKEN_KEY);
}

async function admin(method, path, body) {
    const headers = {Accept: 'application/json', Authorization: `Bearer ${token()}`};
    const init = {method, headers, cache: 'no-store'};
    if (body !== undefined) {
        headers['Content-Type'] = 'application/json';
        init.body = JSON.stringify(body);
    }
    let response;
    try {
        response = await fetch(path, init);
    } catch (e) {
        throw new Error('The service did not answer.');
    }
    let answer = null;
    try {
        answer = await response.json();
    } catch (e) {
        // not the envelope: told below
    }
    if (response.status === 401) {
        throw new Refused('The admin token was refused.');
    }
    if (!answer || typeof answer.code !== 'number') {
        throw new Error(`The service answered something unexpected (HTTP ${response.status}).`);
    }
    answer.status = response.status;
    return answer;
}

// ---- signing in and out -------------------------------------------------------------------------------------

async function signIn(event) {
    event.preventDefault();
    const value = $('token').value.trim();
    if (!value) {
        tokenProblem('Type the admin token.');
        return;
    }
    sessionStorage.setItem(TOKEN_KEY, value);
    $('token').value = '';
    await start();
}

function signOut(text) {
    sessionStorage.removeItem(TOKEN_KEY);
    clearInterval(board.timer);
    board.timer = null;
    $('dashboard').hidden = true;
    $('sign-in-section').hidden = false;
    tokenProblem(text || '');
    $('token').focus();
}

function tokenProblem(text) {
    $('token-problem').textContent = text;
    $('token-problem').hidden = !text;
}

/** Checks the token with one read, then shows the dashboard and refreshes it every second. */
async function start() {
    try {
        await admin('GET', '/admin/instances');
    } catch (e) {
        if (e instanceof Refused) {
            signOut('The admin token was refused: check it and sign in again.');
        } else {
            tokenProblem(e.message);
        }
        return;
    }
    tokenProblem('');
    $('sign-in-section').hidden = true;
    $('dashboard').hidden = false;
    watch(board.eventId);
}

function watch(eventId) {
    board.eventId = eventId;
    board.samples = [];
    board.history = {t: [], sales: [], requests: []};
    $('stock-event').textContent = `"${eventId}"`;
    clearInterval(board.timer);
    board.timer = setInterval(refresh, REFRESH_MS);
    refresh();
}

// ---- the refresh ----------------------------------------------------------------------------------------------

async function refresh() {
    if (board.busy) {
        return;
    }
    board.busy = true;
    try {
        const [event, instances] = await Promise.all([
            admin('GET', `/admin/events/${encodeURIComponent(board.eventId)}`),
            admin('GET', '/admin/instances'),
        ]);
        if (event.code === 1) {
            board.event = event.data;
            showEvent(event.data);
            if (board.refreshProblem) {
                problem('');
            }
        } else {
            board.event = null;
            showEvent(null);
            problem(event.status === 404 ? `No sale "${board.eventId}" yet: open it below.` : sentence(event.msg));
            board.refreshProblem = true;
        }
        if (instances.code === 1) {
            board.skew = instances.data.now - Date.now();
            showInstances(instances.data);
        }
        $('updated').textContent = `Updated ${new Date().toLocaleTimeString()}`;
    } catch (e) {
        if (e instanceof Refused) {
            signOut('The admin token was refused: check it and sign in again.');
        } else {
            problem(e.message);
            board.refreshProblem = true;
        }
    } finally {
        board.busy = false;
    }
}

function text(id, value) {
    $(id).textContent = value === null || value === undefined ? '—' : `${value}`;
}

function showEvent(data) {
    text('tickets', data && data.tickets);
    text('reserved', data && data.reserved);
    text('paid', data && data.paid);
    text('available', data && data.available);
    text('handoff-lag', data && data.handoffLag);
    const db = data && data.database;
    text('expired', db ? db.expired : null);
    text('db-reserved', db ? db.reserved : null);
    text('db-paid', db ? db.paid : null);
    const queue = data && data.queue;
    $('no-queue').hidden = !!queue;
    $('ledger').hidden = !queue;
    $('pause').hidden = !queue || queue.paused;
    $('resume').hidden = !queue || !queue.paused;
    if (queue) {
        text('q-state', queue.paused && queue.state !== 'PAUSED' ? `${queue.state}, admission paused` : queue.state);
        ['joined', 'waiting', 'admitted', 'admittedUnused', 'bought', 'lapsed', 'toldSoldOut', 'frozen']
            .forEach((field) => text(`q-${field}`, queue[field]));
        text('q-measuredRate', queue.measuredRate.toFixed(1));
    }
}

/** Per-instance counters since each started, turned into rates and shares between samples. */
function showInstances(data) {
    const t = data.now / 1000;
    const sample = {t, requests: {}, sales: {}};
    data.instances.forEach((i) => {
        sample.requests[i.name] = i.requests || 0;
        sample.sales[i.name] = (i.purchases && i.purchases.reserved) || 0;
    });
    const previous = board.samples[board.samples.length - 1];
    board.samples.push(sample);
    while (board.samples.length > 2 && board.samples[0].t < t - SHARE_SECONDS) {
        board.samples.shift();
    }
    if (previous && t > previous.t) {
        const dt = t - previous.t;
        board.history.t.push(t);
        board.history.sales.push(sum(delta(previous.sales, sample.sales)) / dt);
        board.history.requests.push(sum(delta(previous.requests, sample.requests)) / dt);
        while (board.history.t.length && board.history.t[0] < t - HISTORY_SECONDS) {
            ['t', 'sales', 'requests'].forEach((key) => board.history[key].shift());
        }
        text('sales-rate', last(board.history.sales).toFixed(1));
        text('requests-rate', last(board.history.requests).toFixed(1));
        drawRates();
    }
    const first = board.samples[0];
    const window = first !== sample ? delta(first.requests, sample.requests) : {};
    const recent = previous ? delta(previous.requests, sample.requests) : {};
    const recentSeconds = previous ? Math.max(1e-3, sample.t - previous.t) : 1;
    const totalRequests = sum(window);
    const totalWeight = data.instances.filter((i) => i.alive).reduce((a, i) => a + (i.weight || 0), 0);
    const rows = data.instances.map((i) => {
        const requestShare = totalRequests > 0 ? (window[i.name] || 0) / totalRequests : null;
        const weightShare = i.alive && totalWeight > 0 ? (i.weight || 0) / totalWeight : 0;
        const permits = i.permits && board.eventId in i.permits ? i.permits[board.eventId] : null;
        const tr = document.createElement('tr');
        tr.dataset.instance = i.name;
        cell(tr, i.name, 'th');
        const state = cell(tr, i.alive ? 'alive' : `down${i.lastBeat ? ` (last beat ${ago(data.now - i.lastBeat)})` : ''}`);
        state.className = i.alive ? 'alive' : 'dead';
        cell(tr, i.weight === null || i.weight === undefined ? '—' : i.weight).dataset.field = 'weight';
        cell(tr, permits === null ? '—' : permits).dataset.field = 'permits';
        cell(tr, previous ? ((recent[i.name] || 0) / recentSeconds).toFixed(1) : '—').dataset.field = 'rate';
        cell(tr, requestShare === null ? '—' : percent(requestShare)).dataset.field = 'share';
        cell(tr, percent(weightShare)).dataset.field = 'weight-share';
        const bars = cell(tr, '');
        bars.className = 'bars';
        bars.append(bar(requestShare || 0, '', `${i.name}: share of requests`),
            bar(weightShare, 'weight', `${i.name}: share of weight`));
        return tr;
    });
    $('instances').tBodies[0].replaceChildren(...rows);
}

function cell(row, value, tag = 'td') {
    const element = document.createElement(tag);
    if (tag === 'th') element.scope = 'row';
    element.textContent = `${value}`;
    row.append(element);
    return element;
}

function bar(fraction, kind, label) {
    const element = document.createElement('div');
    element.className = `bar ${kind}`;
    element.style.width = `${Math.round(Math.max(0, Math.min(1, fraction)) * 100)}%`;
    element.title = `${label}: ${percent(fraction)}`;
    element.setAttribute('aria-hidden', 'true');
    return element;
}

function delta(before, after) {
    const d = {};
    Object.keys(after).forEach((name) => {
        // An instance that restarted counts from zero again.
        const b = before[name] || 0;
        d[name] = after[name] >= b ? after[name] - b : after[name];
    });
    return d;
}

const sum = (values) => Object.values(values).reduce((a, v) => a + v, 0);
const last = (list) => list[list.length - 1];
const percent = (fraction) => `${(fraction * 100).toFixed(1)}%`;

function ago(ms) {
    const s = Math.round(ms / 1000);
    return s < 120 ? `${s} s ago` : `${Math.round(s / 60)} min ago`;
}

function drawRates() {
    if (typeof uPlot === 'undefined') {
        return; // the chart library did not load: the figures beside it still say it all
    }
    const data = [board.history.t, board.history.sales, board.history.requests];
    const element = $('rates-chart');
    const width = Math.max(280, element.clientWidth - 16);
    if (!board.chart) {
        board.chart = new uPlot({
            width,
            height: 220,
            series: [
                {},
                {label: 'sales/s', stroke: '#1a7f37', width: 2},
                {label: 'requests/s', stroke: '#0a58ca', width: 2},
            ],
            axes: [{}, {label: 'per second'}],
            scales: {x: {time: true}},
        }, data, element);
    } else {
        if (Math.abs(board.chart.width - width) > 4) {
            board.chart.setSize({width, height: 220});
        }
        board.chart.setData(data);
    }
}

// ---- actions ----------------------------------------------------------------------------------------------------

async function openSale(event) {
    event.preventDefault();
    const body = {tickets: Number($('open-tickets').value), holdSeconds: Number($('open-hold').value)};
    if ($('open-queue').checked) {
        body.queue = {
            // By Redis's clock, as the API counts it: this browser's may be off.
            opensAt: Date.now() + board.skew + 1000 * Number($('open-opens-in').value),
            admitPerSecond: Number($('open-rate').value),
            admitWindowSeconds: Number($('open-window').value),
            overbook: Number($('open-overbook').value),
        };
    }
    if (board.event && !window.confirm(`Reset the sale "${board.eventId}"? Every order of it is discarded.`)) {
        return;
    }
    const result = $('open-result');
    try {
        const answer = await admin('PUT', `/admin/events/${encodeURIComponent(board.eventId)}`, body);
        result.textContent = answer.code === 1
            ? `Sale "${board.eventId}" opened with ${answer.data.tickets} tickets${answer.data.queue ? ' and a waiting room' : ''}.`
            : `Not opened: ${sentence(answer.msg)}`;
        watch(board.eventId);
    } catch (e) {
        if (e instanceof Refused) {
            signOut('The admin token was refused: check it and sign in again.');
        } else {
            result.textContent = e.message;
        }
    }
}

async function admission(action) {
    try {
        const answer = await admin('POST', `/admin/events/${encodeURIComponent(board.eventId)}/queue/${action}`);
        if (answer.code !== 1) {
            problem(sentence(answer.msg));
        }
        await refresh();
        $(action === 'pause' ? 'resume' : 'pause').focus();
    } catch (e) {
        if (e instanceof Refused) {
            signOut('The admin token was refused: check it and sign in again.');
        } else {
            problem(e.message);
        }
    }
}

function problem(message) {
    $('problem').textContent = message;
    $('problem').hidden = !message;
    board.refreshProblem = false;
}

function sentence(msg) {
    return msg ? `${msg.charAt(0).toUpperCase()}${msg.slice(1)}.` : 'Something went wrong.';
}

document.addEventListener('DOMContentLoaded', () => {
    $('sign-in').addEventListener('submit', signIn);
    $('sign-out').addEventListener('click', () => signOut(''));
    $('watch').addEventListener('submit', (event) => {
        event.preventDefault();
        const eventId = $('event').value.trim();
        if (!ID.test(eventId)) {
            problem('An event id is 1 to 64 letters, digits or _ . : @ -');
            return;
        }
        watch(eventId);
    });
    $('open-queue').addEventListener('change', () => {
        $('queue-settings').disabled = !$('open-queue').checked;
    });
    $('open').addEventListener('submit', openSale);
    $('pause').addEventListener('click', () => admission('pause'));
    $('resume').addEventListener('click', () => admission('resume'));
    if (token()) {
        start();
    } else {
        $('token').focus();
    }
});
