/** Access tokens from the operator's OpenID provider: checked against its keys, issuer and audience; who they name. */
package io.ticketrush.identity;
