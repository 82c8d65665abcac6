/**
 * The fairness verifier, a command-line tool a buyer runs against the public record of a queued sale; it uses
 * nothing of the server but the order's algorithm ({@code queue.QueueDraw}).
 */
package io.ticketrush.fairness;
