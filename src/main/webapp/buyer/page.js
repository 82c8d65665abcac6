// What the buyer's page knows: the buyer, the sale shown and where the buyer stands in it, and the calls that
// carry the buyer's sign-in and set the page's clock.

import { call } from '../js/api.js';
import { Runs } from '../js/runs.js';
import { signIn } from '../signin.js';

export const page = {
    userId: null,
    eventId: null,
    sale: null, // GET /events/{eventId}
    shared: null, // the last GET /queue/{eventId}: the state every buyer shares
    place: null, // the place token of the join
    position: null, // fixed once known
    admission: null, // {admission, expiresAt, position}
    order: null,
    clockSkew: 0, // the service's clock minus this browser's: the queue state's "now", else the Date header
    maybeReserved: false, // a purchase went unanswered: every later attempt says retry=true
    pollProblem: false, // the problem shown is the poll's own, cleared by the next good poll
    poller: null,
    ticker: null,
    asking: false,
};

/** Each sale the buyer looks at is a run: an answer about the sale looked at before is dropped. */
export const runs = new Runs();

/** The page as it is before a sale is shown. */
export function forget() {
    Object.assign(page, {
        sale: null,
        shared: null,
        place: null,
        position: null,
        admission: null,
        order: null,
        clockSkew: 0,
        asking: false,
        maybeReserved: false,
        pollProblem: false,
    });
}

/** A call of the API as this buyer (signed in: with the access token). */
export async function ask(method, path, form) {
    const answer = await call(method, path, { form, headers: signIn.authorization() });
    if (!page.shared && !Number.isNaN(answer.date)) {
        // Without a queue state's "now" (ms), the Date header (whole seconds) sets the countdowns' clock.
        page.clockSkew = answer.date + 500 - Date.now();
    }
    return answer;
}

export const serverNow = () => Date.now() + page.clockSkew;

/** Who buys, as a form names them: in open mode the user id typed; signed in, the access token names them. */
export function buyerForm() {
    return signIn.required ? {} : { userId: page.userId };
}

export const queuePath = (rest = '') => `/queue/${encodeURIComponent(page.eventId)}${rest}`;
