/**
 * The buyer's API: buy a ticket, join a waiting room and ask for an admission, look up and pay an order, read a
 * sale, and learn how the page names its buyer (a typed id, or a verified access token).
 */
package io.ticketrush.web.buyer;
