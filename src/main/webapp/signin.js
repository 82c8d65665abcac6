// Signing in at the operator's OpenID provider, when the service names its buyers by their access tokens
// (GET /auth/config says buyerAuth "oidc"): the authorization code flow with PKCE, done by oidc-client-ts. In open
// mode there is nothing to sign in to, and the buyer types a user id as before. The library is the classic script
// the page loads before this module (its global `oidc`): its WebJar has no browser module without a build step.

export const signIn = {
    mode: 'open',
    manager: null,
    user: null,

    /** Learns the mode, and completes a sign-in the provider has just sent the browser back from. */
    async init() {
        const response = await fetch('/auth/config', { headers: { Accept: 'application/json' } });
        const answer = await response.json();
        if (answer.code !== 1 || answer.data.buyerAuth !== 'oidc') {
            return;
        }
        this.mode = 'oidc';
        const here = window.location.origin + window.location.pathname;
        this.manager = new oidc.UserManager({
            authority: answer.data.issuer,
            client_id: answer.data.clientId,
            redirect_uri: here,
            post_logout_redirect_uri: here,
            response_type: 'code',
            scope: answer.data.scope,
            // Asked for by name: Auth0 issues a JWT access token only for an audience the request names.
            extraQueryParams: answer.data.audience ? { audience: answer.data.audience } : {},
            // Per tab and gone with it: a shared computer's next user does not find the last one signed in.
            userStore: new oidc.WebStorageStateStore({ store: window.sessionStorage }),
            automaticSilentRenew: false,
        });
        const params = new URLSearchParams(window.location.search);
        if (params.has('code') && params.has('state')) {
            try {
                await this.manager.signinRedirectCallback();
            } finally {
                // The code is single-use: a reload must not present it again.
                params.delete('code');
                params.delete('state');
                params.delete('session_state');
                params.delete('iss');
                const rest = params.toString();
                window.history.replaceState(null, '', window.location.pathname + (rest ? `?${rest}` : ''));
            }
        }
        const user = await this.manager.getUser();
        this.user = user && !user.expired ? user : null;
    },

    get required() {
        return this.mode === 'oidc';
    },

    /** The name to show: what the provider calls the buyer. */
    get name() {
        const profile = this.user ? this.user.profile : {};
        return profile.preferred_username || profile.name || profile.email || profile.sub || '';
    },

    /** The provider's own name for the buyer, unique and unchanging (the page remembers orders under it). */
    get subject() {
        return this.user ? this.user.profile.sub : '';
    },

    /** The header naming the buyer, while signed in with a token that has not expired. */
    authorization() {
        return this.user && !this.user.expired ? { Authorization: `Bearer ${this.user.access_token}` } : {};
    },

    /** Off to the provider's login page; back here signed in. The sale being looked at is kept in the address. */
    start() {
        return this.manager.signinRedirect();
    },

    /** Forgets the tokens here and ends the session at the provider. */
    async end() {
        const user = this.user;
        this.user = null;
        await this.manager.removeUser();
        await this.manager.signoutRedirect({ id_token_hint: user ? user.id_token : undefined });
    },
};
