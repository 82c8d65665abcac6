// The stale-answer guard: a page that can turn to another sale (or sign out) while an answer is on its way drops
// that answer, rather than paint the old sale's news over the new one.

/** Thrown in place of an answer that came after its run was over; the handler of `Runs.handler` drops it. */
export class Stale extends Error {}

/** The runs of a page, one after another: each new run makes every earlier one's answers stale. */
export class Runs {
    #current = 0;

    /** Starts a new run: from now on, every earlier run's answers are dropped. */
    next() {
        this.#current++;
        return this.run();
    }

    /**
     * The run in progress: `current` while no other has started since; `fresh(promise)` its value, or Stale when
     * another run started while it was awaited.
     */
    run() {
        const id = this.#current;
        const runs = this;
        return {
            get current() {
                return id === runs.#current;
            },
            async fresh(promise) {
                const value = await promise;
                if (!this.current) {
                    throw new Stale();
                }
                return value;
            },
        };
    }

    /**
     * `action(run, ...args)` as an event handler of the run in progress: a Stale ends it quietly, and any other
     * error goes to `failed(error)` only while the run is current (an old run's failure is no longer news).
     */
    handler(action, failed) {
        return this.#guarded(() => this.run(), action, failed);
    }

    /** The same, for an action that starts a new run (the buyer turns to a sale). */
    starting(action, failed) {
        return this.#guarded(() => this.next(), action, failed);
    }

    #guarded(
        begin,
        action,
        failed = (e) => {
            throw e;
        },
    ) {
        return async (...args) => {
            const run = begin();
            try {
                await action(run, ...args);
            } catch (e) {
                if (!(e instanceof Stale) && run.current) {
                    failed(e);
                }
            }
        };
    }
}
