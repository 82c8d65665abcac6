// Solves part of an ALTCHA challenge (docs/api.md, GET /queue/{eventId}/challenge) off the page's thread: looks for
// the number from `from` to `to` whose SHA-256(salt + number) is the challenge, with the browser's own SHA-256.
// The page gives each of its workers a part of 0..maxnumber.
//
// In:  {challenge, salt, from, to}
// Out: {tried, ms} every PROGRESS_MS or so (numbers tried so far, milliseconds spent); then {number, tried, ms}
//      when found, {number: null, tried, ms} when no number of the part is, or {error} when this browser cannot hash
//      here (crypto.subtle exists only on a page served over HTTPS or from localhost).
'use strict';

/** Digests asked for at once: crypto.subtle answers each asynchronously, so one at a time waits on every answer. */
const BATCH = 64;
const PROGRESS_MS = 100;

self.onmessage = async (message) => {
    const { challenge, salt, from, to } = message.data;
    if (!self.crypto || !self.crypto.subtle) {
        self.postMessage({ error: 'no crypto.subtle: the page must be served over HTTPS (or from localhost)' });
        return;
    }
    const target = bytes(challenge);
    const encoder = new TextEncoder();
    const started = performance.now();
    let reported = started;
    for (let first = from; first <= to; first += BATCH) {
        const last = Math.min(to, first + BATCH - 1);
        const digests = [];
        for (let n = first; n <= last; n++) {
            digests.push(self.crypto.subtle.digest('SHA-256', encoder.encode(salt + n)));
        }
        const done = await Promise.all(digests);
        for (let i = 0; i < done.length; i++) {
            if (equal(new Uint8Array(done[i]), target)) {
                self.postMessage({ number: first + i, tried: first + i - from + 1, ms: performance.now() - started });
                return;
            }
        }
        const now = performance.now();
        if (now - reported >= PROGRESS_MS) {
            reported = now;
            self.postMessage({ tried: last - from + 1, ms: now - started });
        }
    }
    self.postMessage({ number: null, tried: to - from + 1, ms: performance.now() - started });
};

function bytes(hex) {
    const out = new Uint8Array(hex.length / 2);
    for (let i = 0; i < out.length; i++) {
        out[i] = parseInt(hex.substr(2 * i, 2), 16);
    }
    return out;
}

function equal(a, b) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
        if (a[i] !== b[i]) return false;
    }
    return true;
}
