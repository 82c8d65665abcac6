// Talking to the service, for both pages: one call of the JSON API read as its envelope {code, msg, data}
// (docs/api.md), and the one retry loop for answers that were lost.

/** How often a lost answer is asked again, waiting half a second longer each time. */
const RETRIES = 5;
const RETRY_STEP_MS = 500;

/** The code of "busy, try again" (HTTP 503): nothing was done, the same request may go again after Retry-After. */
const BUSY = -3;

/** A call that got no envelope back, or a refusal worth a sentence; `lost` when the request may simply go again. */
export class Problem extends Error {
    constructor(message, { lost = false, status = null } = {}) {
        super(message);
        this.lost = lost;
        this.status = status;
    }
}

/**
 * One call of the API: answers its envelope, whatever the HTTP status, with `status`, `busy` (503, code -3),
 * `lost` (another 502, 503 or 504: nginx's own answer), `retryAfterMs` and `date` (the Date header, epoch ms, or
 * NaN) added. No connection, or an answer that is not the envelope, throws a Problem with lost = true.
 * `form` goes as a form, `json` as a JSON body; `headers` are added to Accept.
 */
export async function call(method, path, { form, json, headers = {} } = {}) {
    const init = { method, headers: { Accept: 'application/json', ...headers }, cache: 'no-store' };
    if (form) {
        init.body = new URLSearchParams(form);
    } else if (json !== undefined) {
        init.headers['Content-Type'] = 'application/json';
        init.body = JSON.stringify(json);
    }
    let response;
    try {
        response = await fetch(path, init);
    } catch (e) {
        throw new Problem('The service did not answer. Check your connection; trying again.', { lost: true });
    }
    let answer;
    try {
        answer = await response.json();
    } catch (e) {
        answer = null;
    }
    if (!answer || typeof answer.code !== 'number') {
        throw new Problem(`The service answered something unexpected (HTTP ${response.status}).`, {
            lost: true,
            status: response.status,
        });
    }
    answer.status = response.status;
    answer.busy = response.status === 503 && answer.code === BUSY;
    answer.lost = !answer.busy && [502, 503, 504].includes(response.status);
    answer.retryAfterMs = 1000 * (Number(response.headers.get('Retry-After')) || 1);
    answer.date = Date.parse(response.headers.get('Date'));
    return answer;
}

export const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `send()` (a call), sent again while its answer is lost, up to RETRIES times with a growing pause, and, up to
 * `busyRetries` times, while it is answered busy, after the answer's Retry-After. `beforeRetry(answer or Problem)`
 * is told before each pause. Answers the last answer; throws the last Problem when even the last try was lost.
 */
export async function withRetries(send, { busyRetries = 0, beforeRetry = () => {} } = {}) {
    let lost = 0;
    let busy = 0;
    for (;;) {
        let outcome;
        try {
            outcome = await send();
        } catch (e) {
            if (!e.lost) throw e;
            outcome = e;
        }
        const wasLost = outcome instanceof Problem || outcome.lost;
        if (wasLost ? lost >= RETRIES : !(outcome.busy && busy < busyRetries)) {
            if (outcome instanceof Problem) throw outcome;
            return outcome;
        }
        beforeRetry(outcome);
        if (wasLost) {
            lost++;
            await pause(RETRY_STEP_MS * lost);
        } else {
            busy++;
            await pause(outcome.retryAfterMs);
        }
    }
}

/** The service's message as a sentence: it is written in lower case, without a full stop. */
export function sentence(msg) {
    return msg ? `${msg.charAt(0).toUpperCase()}${msg.slice(1)}.` : '';
}
