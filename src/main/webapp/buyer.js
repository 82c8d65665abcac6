// The buyer's page: the same JSON API as curl (docs/api.md), in plain words. No framework, no build step: this
// module and those of buyer/ are loaded by the browser as they are. This one shows a sale and signs in and out.

import { ID_RULE, describeIdField, isId } from './js/ids.js';
import { signIn } from './signin.js';
import { stopTimers } from './buyer/clock.js';
import { buy, pay, rememberedOrder } from './buyer/orders.js';
import { ask, forget, page, runs } from './buyer/page.js';
import { join, showQueue } from './buyer/queue.js';
import { $, focusOn, plain, problem, say, show, showStock } from './buyer/view.js';

/** Where the sale looked at waits while the provider signs the buyer in: it sends the browser back to "/" alone. */
const EVENT_KEY = 'ticketrush.signin.event';

// ---- step 1: the sale -------------------------------------------------------------------------------------

const look = runs.starting(
    async (run, event) => {
        event.preventDefault();
        problem('');
        const userId = signIn.required ? signIn.subject : $('user-id').value.trim();
        const eventId = $('event-id').value.trim();
        if (signIn.required && !signIn.user) {
            problem("Sign in first: this sale's tickets and places are their buyer's own.");
            focusOn('sign-in');
            return;
        }
        if (!signIn.required && !isId(userId)) {
            problem(`Your user id may only hold ${ID_RULE}`);
            focusOn('user-id');
            return;
        }
        if (!isId(eventId)) {
            problem(`The sale's name may only hold ${ID_RULE}`);
            focusOn('event-id');
            return;
        }
        stopTimers();
        forget();
        Object.assign(page, { userId, eventId });
        ['queue', 'order', 'admitted', 'hold', 'opens', 'join', 'buy', 'pay', 'pow'].forEach((id) => show(id, false));
        ['join', 'buy', 'pay'].forEach((id) => {
            $(id).disabled = false;
        });
        $('look').disabled = true;
        try {
            const answer = await run.fresh(ask('GET', `/events/${encodeURIComponent(eventId)}`));
            if (answer.code !== 1) {
                show('sale', false);
                problem(answer.status === 404 ? `There is no sale called "${eventId}".` : plain(answer));
                return;
            }
            page.sale = answer.data;
            $('sale-name').textContent = `"${eventId}"`;
            show('sale', true);
            showStock(page.sale);
            if (await rememberedOrder(run)) {
                return;
            }
            if (page.sale.queue) {
                await showQueue(run);
            } else {
                show('buy', !page.sale.soldOut);
                say(page.sale.soldOut ? '' : 'No queue for this sale: you can buy straight away.');
                focusOn('buy');
            }
        } finally {
            if (run.current) {
                $('look').disabled = false;
            }
        }
    },
    (e) => problem(e.message),
);

// ---- signing in (signin.js) -----------------------------------------------------------------------------------

function showAccount() {
    show('account', signIn.required);
    show('user-id-field', !signIn.required);
    show('signed-in', Boolean(signIn.user));
    show('signed-out', signIn.required && !signIn.user);
    $('buyer-name').textContent = signIn.name;
    $('look').disabled = signIn.required && !signIn.user;
}

async function startSignIn() {
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
    runs.next();
    ['sale', 'queue', 'order'].forEach((id) => show(id, false));
    try {
        await signIn.end();
    } catch (e) {
        problem(`Signed out here; the provider could not be told: ${e.message}`);
    }
    showAccount();
}

async function start() {
    describeIdField($('user-id'));
    describeIdField($('event-id'));
    const params = new URLSearchParams(window.location.search);
    const remembered = sessionStorage.getItem(EVENT_KEY);
    sessionStorage.removeItem(EVENT_KEY);
    const event = params.get('event') || remembered;
    if (event && isId(event)) {
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
}

// A module runs once the document is parsed, after the classic scripts before it (oidc-client-ts).
start();
