/**
 * The operator's actions on a sale, each across the floors below: opening or resetting it (stock, waiting room,
 * orders), reading its counts (Redis, the hand-off, PostgreSQL), deleting it, restoring it from PostgreSQL, pausing
 * its admission. {@code web.admin} reads the request and writes the answer; this package does the work and says what
 * happened in its own terms.
 */
package io.ticketrush.sale;
