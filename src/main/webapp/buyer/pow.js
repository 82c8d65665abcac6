// Before joining a sale that asks for it: a proof of work (docs/api.md, GET /queue/{eventId}/challenge), solved by
// Web Workers (pow-worker.js) while the page shows the progress.

import { Problem, withRetries } from '../js/api.js';
import { ask, buyerForm, queuePath } from './page.js';
import { plain, say, showWork } from './view.js';

/** At most this many workers solve a challenge together: a phone's big cores, not every core it has. */
const POW_WORKERS = 4;

/**
 * The ALTCHA payload that proves this browser did the work the sale asks for before a join, or null when the sale
 * asks for none. `run` is the page's run: the work stops when the buyer turns to another sale.
 */
export async function proofOfWork(run) {
    const path = queuePath(`/challenge?${new URLSearchParams(buyerForm())}`);
    const answer = await run.fresh(withRetries(() => ask('GET', path)));
    if (answer.status === 409) {
        return null;
    }
    if (answer.code !== 1) {
        throw new Problem(plain(answer));
    }
    const challenge = answer.data;
    say('This sale asks your browser to prove it is not a bot: a short computation, a second or so.');
    const number = await run.fresh(solveChallenge(challenge, run));
    return btoa(
        JSON.stringify({
            algorithm: challenge.algorithm,
            challenge: challenge.challenge,
            number,
            salt: challenge.salt,
            signature: challenge.signature,
        }),
    );
}

/**
 * The number that solves the challenge, found by workers each searching a part of 0..maxnumber; they are stopped as
 * soon as one finds it, or when the run is over.
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
                if (!run.current) {
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
                    showWork(done / total, `${Math.floor((100 * done) / total)} % of the most it can take`);
                } else if (result.number !== null) {
                    stop();
                    showWork(1, `Done: ${done.toLocaleString('en-US')} tries in ${(result.ms / 1000).toFixed(1)} s.`);
                    resolve(result.number);
                } else if (--searching === 0) {
                    fail('The check found no answer: please join again for a new one.');
                }
            };
            worker.postMessage({
                challenge: challenge.challenge,
                salt: challenge.salt,
                from: i * size,
                to: Math.min(challenge.maxnumber, (i + 1) * size - 1),
            });
        }
    });
}
