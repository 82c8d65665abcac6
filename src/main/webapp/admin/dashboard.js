// The operations dashboard: GET /admin/events/{eventId} and GET /admin/instances every second, drawn. The admin
// token is kept in sessionStorage (this tab only) and sent as a header, never in a URL.

import { call, sentence } from '../js/api.js';
import { ID_RULE, describeIdField, isId } from '../js/ids.js';
import { Runs } from '../js/runs.js';
import { newHistory, showInstances } from './counters.js';

const TOKEN_KEY = 'ticketrush.adminToken';
const REFRESH_MS = 1000;
const REFUSED = 'The admin token was refused: check it and sign in again.';

const $ = (id) => document.getElementById(id);

const board = {
    eventId: 'default',
    timer: null,
    busy: false,
    event: null,
    history: newHistory(),
    skew: 0, // Redis's clock minus this browser's, from GET /admin/instances
    refreshProblem: false, // the problem shown is the refresh's own, cleared by the next good one
};

/** Each sale watched is a run: a refresh of the sale watched before is not shown. */
const runs = new Runs();

class Refused extends Error {}

const token = () => sessionStorage.getItem(TOKEN_KEY);

/** A call of the admin API with the token; a refused token (401) throws Refused. */
async function admin(method, path, body) {
    let answer;
    try {
        answer = await call(method, path, { json: body, headers: { Authorization: `Bearer ${token()}` } });
    } catch (e) {
        if (e.status === 401) throw new Refused();
        throw e;
    }
    if (answer.status === 401) {
        throw new Refused();
    }
    return answer;
}

/** What a failed action says: a refused token signs out, anything else is shown by `show`. */
function failure(show) {
    return (e) => (e instanceof Refused ? signOut(REFUSED) : show(e.message));
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
    runs.next();
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
        failure(tokenProblem)(e);
        return;
    }
    tokenProblem('');
    $('sign-in-section').hidden = true;
    $('dashboard').hidden = false;
    watch(board.eventId);
}

function watch(eventId) {
    runs.next();
    board.eventId = eventId;
    board.history = newHistory();
    $('stock-event').textContent = `"${eventId}"`;
    clearInterval(board.timer);
    board.timer = setInterval(refresh, REFRESH_MS);
    refresh();
}

// ---- the refresh ----------------------------------------------------------------------------------------------

const refresh = runs.handler(
    async (run) => {
        if (board.busy) {
            return;
        }
        board.busy = true;
        try {
            const [event, instances] = await run.fresh(
                Promise.all([
                    admin('GET', `/admin/events/${encodeURIComponent(board.eventId)}`),
                    admin('GET', '/admin/instances'),
                ]),
            );
            if (event.code === 1) {
                board.event = event.data;
                showEvent(event.data);
                if (board.refreshProblem) {
                    problem('');
                }
            } else {
                board.event = null;
                showEvent(null);
                problem(event.status === 404 ? `No sale "${board.eventId}" yet: open it below.` : said(event));
                board.refreshProblem = true;
            }
            if (instances.code === 1) {
                board.skew = instances.data.now - Date.now();
                showInstances(board.history, instances.data, board.eventId);
            }
            $('updated').textContent = `Updated ${new Date().toLocaleTimeString()}`;
        } finally {
            board.busy = false;
        }
    },
    failure((message) => {
        problem(message);
        board.refreshProblem = true;
    }),
);

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
        [
            'joined',
            'waiting',
            'admitted',
            'admittedUnused',
            'bought',
            'lapsed',
            'toldSoldOut',
            'frozen',
            'proofOfWork',
        ].forEach((field) => text(`q-${field}`, queue[field]));
        text('q-measuredRate', queue.measuredRate.toFixed(1));
    }
}

// ---- actions ----------------------------------------------------------------------------------------------------

// An action's answer is always told, even once another sale is watched: it changed the sale it named.

async function openSale(event) {
    event.preventDefault();
    const eventId = board.eventId;
    const body = { tickets: Number($('open-tickets').value), holdSeconds: Number($('open-hold').value) };
    if ($('open-queue').checked) {
        body.queue = {
            // By Redis's clock, as the API counts it: this browser's may be off.
            opensAt: Date.now() + board.skew + 1000 * Number($('open-opens-in').value),
            admitPerSecond: Number($('open-rate').value),
            admitWindowSeconds: Number($('open-window').value),
            overbook: Number($('open-overbook').value),
            proofOfWork: Number($('open-pow').value),
        };
    }
    if (board.event && !window.confirm(`Reset the sale "${eventId}"? Every order of it is discarded.`)) {
        return;
    }
    const result = $('open-result');
    try {
        const answer = await admin('PUT', `/admin/events/${encodeURIComponent(eventId)}`, body);
        result.textContent =
            answer.code === 1
                ? `Sale "${eventId}" opened with ${answer.data.tickets} tickets${answer.data.queue ? ' and a waiting room' : ''}.`
                : `Not opened: ${said(answer)}`;
        watch(eventId);
    } catch (e) {
        failure((message) => {
            result.textContent = message;
        })(e);
    }
}

async function admission(action) {
    try {
        const answer = await admin('POST', `/admin/events/${encodeURIComponent(board.eventId)}/queue/${action}`);
        if (answer.code !== 1) {
            problem(said(answer));
        }
        await refresh();
        $(action === 'pause' ? 'resume' : 'pause').focus();
    } catch (e) {
        failure(problem)(e);
    }
}

function problem(message) {
    $('problem').textContent = message;
    $('problem').hidden = !message;
    board.refreshProblem = false;
}

const said = (answer) => sentence(answer.msg) || 'Something went wrong.';

function startPage() {
    describeIdField($('event'));
    $('sign-in').addEventListener('submit', signIn);
    $('sign-out').addEventListener('click', () => signOut(''));
    $('watch').addEventListener('submit', (event) => {
        event.preventDefault();
        const eventId = $('event').value.trim();
        if (!isId(eventId)) {
            problem(`An event id is ${ID_RULE}`);
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
}

// A module runs once the document is parsed, after the classic script before it (uPlot).
startPage();
