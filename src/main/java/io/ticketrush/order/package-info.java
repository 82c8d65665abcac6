/** The reservation lifecycle: an order is RESERVED, then PAID or, when its hold runs out, EXPIRED. */
package io.ticketrush.order;
