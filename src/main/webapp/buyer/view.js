// What the buyer sees: the page's elements, and every figure and answer put in words.

import { sentence } from '../js/api.js';
import { page } from './page.js';

export const $ = (id) => document.getElementById(id);

export function say(text) {
    $('message').textContent = text;
}

export function problem(text) {
    const box = $('problem');
    box.textContent = text || '';
    box.hidden = !text;
    page.pollProblem = false;
}

export function show(id, visible) {
    $(id).hidden = !visible;
}

export function focusOn(id) {
    const element = $(id);
    if (element && !element.hidden) {
        element.focus();
    }
}

export function duration(ms) {
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

export function setTime(id, epochMs) {
    const element = $(id);
    element.dateTime = new Date(epochMs).toISOString();
    element.textContent = new Date(epochMs).toLocaleTimeString();
}

const STATES = {
    PRE_QUEUE: 'Waiting for the sale to open',
    WAITING: 'In the queue',
    ADMITTED: 'Your turn',
    PAUSED: 'Admission paused by the organiser: your place is kept',
    SOLD_OUT: 'Sold out',
};

export const STATUS = {
    RESERVED: 'Reserved, not paid yet',
    PAID: 'Paid: the ticket is yours',
    EXPIRED: 'Expired: not paid in time',
};

export function showStock(sale) {
    if (sale.soldOut) {
        $('tickets-left').textContent = `Sold out: all ${sale.tickets} tickets have been sold.`;
    } else if (sale.available === 0) {
        $('tickets-left').textContent =
            `No tickets left right now (${sale.tickets} in all); ` + 'some are held unpaid and may come back.';
    } else {
        $('tickets-left').textContent = `${sale.available} of ${sale.tickets} tickets left`;
    }
}

/** Where the buyer stands in the queue: its state, position, the people ahead and the ETA {min, max} (seconds). */
export function standing(state, position, ahead, eta) {
    $('queue-state').textContent = STATES[state] || state;
    $('position').textContent = position === null || position === undefined ? 'drawn at the opening' : `${position}`;
    $('ahead').textContent = ahead === null || ahead === undefined ? '—' : `${ahead}`;
    $('eta').textContent = etaText(state, eta);
}

function etaText(state, eta) {
    if (state === 'ADMITTED') return 'now';
    if (state === 'PRE_QUEUE') return 'after the opening';
    if (!eta || eta.min === null || eta.min === undefined) return 'unknown yet';
    if (eta.max === null || eta.max === undefined) {
        return state === 'PAUSED'
            ? 'unknown while admission is paused'
            : `at least ${duration(eta.min * 1000)}; waiting for tickets to come back`;
    }
    return eta.min === eta.max
        ? `about ${duration(eta.min * 1000)}`
        : `between ${duration(eta.min * 1000)} and ${duration(eta.max * 1000)}`;
}

/** The proof of work's progress: a fraction done, and what it is doing in words. */
export function showWork(fraction, text) {
    show('pow', true);
    $('pow-progress').value = fraction;
    $('pow-status').textContent = text;
}

/** An error answer in words: the service's own message is a sentence naming the problem; status gives the rest. */
export function plain(answer) {
    const said = sentence(answer.msg);
    switch (answer.status) {
        case 400:
            return `That was not accepted: ${said}`;
        case 401:
            return `Your sign-in was not accepted (${answer.msg}): sign out and sign in again.`;
        case 403:
            return `Not allowed: ${said}`;
        case 404:
            return `Not found: ${said}`;
        case 429:
            return 'Too many requests from your address: wait a moment and try again.';
        case 503:
            return 'The service is busy or briefly unavailable: try again in a moment.';
        default:
            return said || `Something went wrong (HTTP ${answer.status}).`;
    }
}
