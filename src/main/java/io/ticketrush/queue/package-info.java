/**
 * The waiting room of a queued sale: places in line, a provably fair order of the pre-queue, admissions at a
 * chosen rate that never outrun the stock, and the signed tokens that carry places and admissions.
 */
package io.ticketrush.queue;
