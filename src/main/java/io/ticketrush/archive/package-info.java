/** Orders made durable: the hand-off from each event's Redis Stream into PostgreSQL, and the reads from there. */
package io.ticketrush.archive;
