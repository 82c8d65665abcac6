/** Who is buying: the buyer named by the request, or by a verified access token from the operator's OpenID provider. */
package io.ticketrush.identity;
