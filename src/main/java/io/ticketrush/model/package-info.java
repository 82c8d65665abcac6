/** The values every layer shares, and nothing else: an order and its status, a waiting room's settings, the id rule. */
package io.ticketrush.model;
